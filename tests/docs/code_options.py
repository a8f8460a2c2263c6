"""Which options each command takes, learnt from the code (for the man page and completion tests).

cmd/options.c's one getopt_long table serves several commands (its command_names); which of them
takes an option is decided by its parser, so options_probe (tests/docs/options_probe.c, built
from options.c) is asked, for each command and option, whether `COMMAND --OPTION [VALUE] --help`
parses or is refused as another command's option. A command with a table of its own (such as
merge-reports in cmd_merge.c) takes every option of its table.

Environment: OPTIONS_PROBE (the probe's path), SOURCE_DIR (the repository)."""
import os
import re
import subprocess

PROBE = os.environ["OPTIONS_PROBE"]
SOURCE_DIR = os.environ["SOURCE_DIR"]
# Values tried for an option that takes one, until one parses: a number, a shard, a format, a
# --connect-to, a duration, a status (discover --status), a URL (discover --api-url), a set of
# names (--env-names).
SAMPLE_VALUES = ["1", "0/1", "portable", "h:1:h:2", "10m", "ACTIVE", "https://h", "seed"]


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def option_tables():
    """{command: [(long name, short letter or None, takes a value)]} from every getopt_long table
    in cmd/*.c, and the commands options.c's table serves, in enum command order."""
    tables, shared_commands = {}, []
    cmd_dir = os.path.join(SOURCE_DIR, "cmd")
    for name in sorted(os.listdir(cmd_dir)):
        if not name.endswith(".c"):
            continue
        src = read(os.path.join(cmd_dir, name))
        m = re.search(r"struct option longopts\[\]\s*=\s*\{(.*?)\n\s*\};", src, re.S)
        if not m:
            continue
        opts = [(o, s if s != "" else None, arg != "no")
                for o, arg, s in re.findall(
                    r'\{"([a-z][a-z0-9-]*)",\s*(no|required|optional)_argument,\s*NULL,\s*'
                    r"(?:'(.)'|[A-Z_]+)\}", m.group(1))]
        if name == "options.c":
            names = re.search(r"command_names\[\]\s*=\s*\{(.*?)\};", src, re.S)
            shared_commands = re.findall(r'"([a-z-]+)"', names.group(1))
            tables[None] = opts
        else:  # a command with a parser of its own: its usage line names it
            command = re.search(r"Usage: tokenfleet ([a-z-]+)", src).group(1)
            tables[command] = opts
    return tables, shared_commands


def probe(index, *args):
    return subprocess.run([PROBE, str(index), *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, timeout=30)


def takes(index, command, long_name, has_value):
    """Whether command (options.c's command number index) takes --long_name."""
    for value in SAMPLE_VALUES if has_value else [None]:
        args = [f"--{long_name}"] + ([value] if value is not None else []) + ["--help"]
        p = probe(index, *args)
        if p.returncode == 3:
            raise AssertionError(f"options_probe does not know command {index} ({command}): "
                                 "raise its bound in tests/docs/options_probe.c")
        if p.returncode == 0:
            return True
        if "belongs to" in p.stderr:
            return False
    raise AssertionError(f"cannot tell whether {command} takes --{long_name}: none of "
                         f"{SAMPLE_VALUES} is a valid value; add one to SAMPLE_VALUES")


def options_by_command():
    """{command: [(long, short, has_value)]}: what each command takes, from the code."""
    tables, shared = option_tables()
    out = {}
    for index, command in enumerate(shared):
        out[command] = [o for o in tables[None] if takes(index, command, o[0], o[2])]
    for command, opts in tables.items():
        if command is not None:
            out[command] = opts
    return out, tables
