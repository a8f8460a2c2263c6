"""The man page tokenfleet(1) against the code, so that the two cannot drift apart:

- it renders with `man --warnings` at 80 columns without a warning, no line wider than 80, and
  lexgrog (what whatis and apropos read) finds its NAME;
- every long option of every getopt_long table in cmd/*.c is defined in it (a term line of an
  option list), and every --option it names exists;
- each command's section names every option that the command takes, short and long, as the
  code says (code_options.py asks options.c's own parser);
- every command of `tokenfleet --help` has its section, and every section is a command.

Environment: TOKENFLEET (the binary), TOKENFLEET_MAN (the built page), OPTIONS_PROBE,
SOURCE_DIR (the repository)."""
import os
import re
import subprocess
import unittest

from code_options import options_by_command

TOKENFLEET = os.environ["TOKENFLEET"]
MAN_PAGE = os.environ["TOKENFLEET_MAN"]
WIDTH = 80

# --words that the page may name without being tokenfleet options: the top-level --version, and
# other tools' options it mentions (ansible's --list-hosts, cmake --install).
NOT_OURS = {"version", "list-hosts", "install"}


def render():
    env = dict(os.environ, MANWIDTH=str(WIDTH), LC_ALL="C.UTF-8", MANPAGER="cat", PAGER="cat")
    env.pop("MANOPT", None)
    return subprocess.run(["man", "--warnings", "-l", MAN_PAGE], capture_output=True, text=True,
                          env=env, timeout=60)


def sections(text):
    """{heading: body} for the page's sections (column 0) and subsections (indented 3)."""
    out, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^(?:   )?([A-Za-z][\w -]*[\w])$", line)
        if m and not line.startswith("    "):
            current = m.group(1)
            out[current] = []
        elif current is not None:
            out[current].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def mentions(text, option):
    """Whether option ("--env-dir", "-j") is named in text as a word of its own."""
    return re.search(r"(?<![\w-])" + re.escape(option) + r"(?![\w-])", text) is not None


class ManPageTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(MAN_PAGE):
            raise AssertionError(f"{MAN_PAGE} was not built: scdoc was not found when CMake "
                                 "configured (tests/install-deps.sh installs it)")
        cls.rendering = render()
        cls.text = cls.rendering.stdout
        cls.sections = sections(cls.text)
        cls.by_command, cls.tables = options_by_command()

    def test_renders_without_warnings(self):
        self.assertEqual(self.rendering.returncode, 0, self.rendering.stderr)
        self.assertEqual(self.rendering.stderr, "", "man --warnings printed warnings")
        self.assertIn("NAME", self.sections)
        wide = [line for line in self.text.splitlines() if len(line) > WIDTH]
        self.assertEqual(wide, [], f"lines wider than {WIDTH} columns")

    def test_whatis_entry(self):
        p = subprocess.run(["lexgrog", MAN_PAGE], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("tokenfleet - fetch", p.stdout)

    def test_every_long_option_is_defined(self):
        term_lines = [line for line in self.text.splitlines()
                      if re.match(r"^ {7}-", line)]
        every = {o[0] for opts in self.tables.values() for o in opts}
        self.assertGreater(len(every), 30)
        for name in sorted(every):
            with self.subTest(option=name):
                self.assertTrue(any(mentions(line, f"--{name}") for line in term_lines),
                                f"--{name} has no entry (a term line) in the man page")

    def test_every_option_of_each_command_is_in_its_section(self):
        commands = self.sections.get("COMMANDS")
        self.assertIsNotNone(commands)
        for command, opts in sorted(self.by_command.items()):
            self.assertIn(command, self.sections, f"no section for the command {command}")
            body = self.sections[command]
            for long_name, short, _ in opts:
                with self.subTest(command=command, option=long_name):
                    self.assertTrue(mentions(body, f"--{long_name}"),
                                    f"{command} takes --{long_name}: its section does not say so")
                    if short:
                        self.assertTrue(mentions(body, f"-{short}"),
                                        f"{command} takes -{short}: its section does not say so")

    def test_no_option_that_does_not_exist(self):
        every = {o[0] for opts in self.tables.values() for o in opts} | NOT_OURS
        named = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]*[a-z0-9])", self.text))
        self.assertEqual(sorted(named - every), [], "the page names options nobody takes")

    def test_every_command_has_a_section(self):
        p = subprocess.run([TOKENFLEET, "--help"], capture_output=True, text=True, timeout=30)
        block = p.stdout.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
        listed = {line.split()[0] for line in block.splitlines()}
        self.assertEqual(listed, set(self.by_command), "main help and option tables disagree")
        subsections = set(re.findall(r"^   ([a-z][a-z-]*)$", self.text, re.M))
        self.assertEqual(subsections, listed | {"help"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
