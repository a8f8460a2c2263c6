/* test_atomic_file.c: files replaced whole (core/atomic_file.h), in a mkdtemp folder removed
 * afterwards. atomic_out: the temp file is hidden beside the target and named
 * .BASE.tmp-HOST-PID-XXXXXX; a commit leaves the content with the mode asked for (umask or
 * not), no temp file and nothing of it in the stream's buffer, replacing an old file only then; a
 * discard, or a commit that fails (a rename refused, a write refused, a print that failed before a
 * flush that did not), leaves the old file as it was and no temp file. atomic_remove_stale: the
 * temp files of a writer that was killed (a child that opened one and died) and of pids that do not
 * exist are removed; those of a live pid (ours, our parent's), of another host, of another file
 * than `base`, and anything not named exactly as a temp file are kept. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/base/atomic_file.h"

/* A pid that no process can have: above the kernel's largest pid_max (2^22). */
#define NO_SUCH_PID 2147483000L

static char dir[64];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Removes dir and everything in it. */
static int teardown(void **state)
{
    (void)state;
    return nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/tf-unit-atomic-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

/* dir/name in a static buffer (one at a time). */
static const char *in_dir(const char *name)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void put_file(const char *name, const char *content, mode_t mode)
{
    int fd = open(in_dir(name), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    assert_true(fd >= 0);
    assert_int_equal(fchmod(fd, mode), 0);
    size_t n = strlen(content);
    assert_int_equal(write(fd, content, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

static int exists(const char *name)
{
    struct stat st;
    return lstat(in_dir(name), &st) == 0;
}

/* Asserts that name holds exactly content, with mode. */
static void assert_file(const char *name, const char *content, mode_t mode)
{
    FILE *f = fopen(in_dir(name), "rb");
    if (!f)
        fail_msg("%s: %s", name, strerror(errno));
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    struct stat st;
    assert_int_equal(fstat(fileno(f), &st), 0);
    fclose(f);
    assert_string_equal(buf, content);
    if ((st.st_mode & 07777) != mode)
        fail_msg("%s: mode %04o, expected %04o", name, (unsigned)(st.st_mode & 07777),
                 (unsigned)mode);
}

/* The names in dir, sorted, joined by spaces ("" when empty). Caller frees. */
static char *listing(void)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    char *out = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&out, &size);
    assert_non_null(f);
    int first = 1;
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
            fprintf(f, "%s%s", first ? "" : " ", names[i]->d_name);
            first = 0;
        }
        free(names[i]);
    }
    free(names);
    assert_int_equal(fclose(f), 0);
    return out;
}

static void assert_listing(const char *want)
{
    char *got = listing();
    if (strcmp(got, want))
        fail_msg("the folder holds \"%s\", expected \"%s\"", got, want);
    free(got);
}

/* This host's name as temp files carry it: its first label. */
static const char *host_label(void)
{
    static char host[HOST_NAME_MAX + 1];
    memset(host, 0, sizeof host);
    gethostname(host, sizeof host - 1);
    host[strcspn(host, "/.")] = '\0';
    for (char *p = host; *p; p++) /* the name's separator: pods of one Job stay apart */
        if (*p == '-')
            *p = '_';
    return host;
}

/* A temp file's name as atomic_out makes it: .BASE.tmp-HOST-PID-SUFFIX. */
static const char *temp_name(const char *base, const char *host, long pid, const char *suffix)
{
    static char name[NAME_MAX + 1];
    snprintf(name, sizeof name, ".%s.tmp-%s-%ld-%s", base, host, pid, suffix);
    return name;
}

/* The pid of a child that has exited and been reaped. */
static long dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return (long)pid;
}

/* ---- atomic_out ---- */

static void test_commit_new_file(void **state)
{
    (void)state;
    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, in_dir("out.json"), 0600), 0);
    assert_non_null(o.f);

    /* The temp file: beside the target, hidden, named for the target, this host and this pid. */
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/%s", dir, temp_name("out.json", host_label(), getpid(), ""));
    if (strncmp(o.tmp, want, strlen(want)) || strlen(o.tmp) != strlen(want) + 6)
        fail_msg("temp file %s, expected %sXXXXXX", o.tmp, want);
    const char *tmp_base = strrchr(o.tmp, '/') + 1;
    assert_true(exists(tmp_base));
    assert_false(exists("out.json"));

    assert_true(fputs("{\"token\":\"AstraCS:abc\"}\n", o.f) >= 0);
    /* The stream's buffer is o.buf, and it does not keep the token once the file is closed. */
    assert_non_null(memmem(o.buf, sizeof o.buf, "AstraCS:abc", 11));
    assert_int_equal(atomic_out_commit(&o, 1), 0);
    assert_null(memmem(o.buf, sizeof o.buf, "AstraCS:abc", 11));
    assert_null(o.f);
    assert_null(o.tmp);
    assert_null(o.path);
    assert_file("out.json", "{\"token\":\"AstraCS:abc\"}\n", 0600);
    assert_listing("out.json");
}

/* The mode is the one asked for, whatever the umask; the old file stays readable, as it was,
 * until the commit; then it is replaced whole (a shorter content leaves nothing of the old). */
static void test_commit_replaces_old_file(void **state)
{
    (void)state;
    put_file("report.json", "the old report, longer than the new one\n", 0640);
    mode_t old_umask = umask(077);
    const mode_t modes[] = {0600, 0644, 0640};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        struct atomic_out o;
        assert_int_equal(atomic_out_open(&o, in_dir("report.json"), modes[i]), 0);
        assert_true(fprintf(o.f, "new %zu\n", i) > 0);
        assert_int_equal(fflush(o.f), 0);
        if (i == 0)
            assert_file("report.json", "the old report, longer than the new one\n", 0640);
        assert_int_equal(atomic_out_commit(&o, i % 2), 0);
        char want[16];
        snprintf(want, sizeof want, "new %zu\n", i);
        assert_file("report.json", want, modes[i]);
        assert_listing("report.json");
    }
    umask(old_umask);
}

/* A big content (past the 64 KiB stream buffer) arrives whole. */
static void test_commit_big_content(void **state)
{
    (void)state;
    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, in_dir("big"), 0600), 0);
    for (int i = 0; i < 20000; i++)
        assert_true(fprintf(o.f, "line %05d\n", i) > 0);
    assert_int_equal(atomic_out_commit(&o, 0), 0);
    struct stat st;
    assert_int_equal(stat(in_dir("big"), &st), 0);
    assert_int_equal(st.st_size, 20000 * 11);
    FILE *f = fopen(in_dir("big"), "r");
    assert_non_null(f);
    char line[32];
    for (int i = 0; i < 20000; i++) {
        char want[32];
        snprintf(want, sizeof want, "line %05d\n", i);
        assert_non_null(fgets(line, sizeof line, f));
        assert_string_equal(line, want);
    }
    fclose(f);
}

static void test_discard(void **state)
{
    (void)state;
    put_file("app.env", "TOKEN=old\n", 0600);
    struct stat before, after;
    assert_int_equal(stat(in_dir("app.env"), &before), 0);

    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, in_dir("app.env"), 0644), 0);
    assert_true(fputs("TOKEN=new\n", o.f) >= 0);
    assert_non_null(memmem(o.buf, sizeof o.buf, "TOKEN=new", 9));
    atomic_out_discard(&o);
    assert_null(memmem(o.buf, sizeof o.buf, "TOKEN=new", 9));
    assert_null(o.f);
    assert_file("app.env", "TOKEN=old\n", 0600);
    assert_int_equal(stat(in_dir("app.env"), &after), 0);
    assert_int_equal(after.st_ino, before.st_ino); /* the same file, not a copy */
    assert_listing("app.env");
    atomic_out_discard(&o); /* again: a no-op */
    assert_listing("app.env");

    /* A discard where there was no file leaves none. */
    assert_int_equal(atomic_out_open(&o, in_dir("new.env"), 0600), 0);
    assert_true(fputs("TOKEN=x\n", o.f) >= 0);
    atomic_out_discard(&o);
    assert_listing("app.env");

    /* A discard after a commit changes nothing. */
    assert_int_equal(atomic_out_open(&o, in_dir("app.env"), 0600), 0);
    assert_true(fputs("TOKEN=committed\n", o.f) >= 0);
    assert_int_equal(atomic_out_commit(&o, 0), 0);
    atomic_out_discard(&o);
    assert_file("app.env", "TOKEN=committed\n", 0600);
    assert_listing("app.env");
}

/* A rename refused (the target is a folder that is not empty): -1 with errno, the folder as it
 * was, and no temp file. */
static void test_commit_rename_fails(void **state)
{
    (void)state;
    assert_int_equal(mkdir(in_dir("taken"), 0700), 0);
    put_file("taken/inside", "x", 0600);
    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, in_dir("taken"), 0600), 0);
    assert_true(fputs("content", o.f) >= 0);
    errno = 0;
    assert_int_equal(atomic_out_commit(&o, 1), -1);
    assert_true(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST);
    assert_null(o.tmp);
    assert_file("taken/inside", "x", 0600);
    assert_listing("taken");
}

/* Makes the writes of o's stream fail (its descriptor read-only) until restore_fd. Returns the
 * saved descriptor. */
static int break_writes(struct atomic_out *o)
{
    int saved = dup(fileno(o->f));
    int ro = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_true(saved >= 0 && ro >= 0);
    assert_true(dup2(ro, fileno(o->f)) >= 0);
    close(ro);
    return saved;
}

static void restore_fd(struct atomic_out *o, int saved)
{
    assert_true(dup2(saved, fileno(o->f)) >= 0);
    close(saved);
}

/* A write refused when the commit flushes: -1, the old file kept, no temp file. */
static void test_commit_write_fails(void **state)
{
    (void)state;
    put_file("r.json", "old\n", 0600);
    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, in_dir("r.json"), 0600), 0);
    assert_true(fputs("new\n", o.f) >= 0);
    int saved = break_writes(&o);
    errno = 0;
    assert_int_equal(atomic_out_commit(&o, 1), -1);
    assert_int_not_equal(errno, 0);
    close(saved);
    assert_file("r.json", "old\n", 0600);
    assert_listing("r.json");
}

/* A print that failed (say a transient ENOSPC) and a later flush that worked: the file would
 * miss what the failed print held, so the commit is refused all the same. */
static void test_commit_after_failed_print(void **state)
{
    (void)state;
    put_file("r.json", "old\n", 0600);
    struct atomic_out o;
    assert_int_equal(atomic_out_open(&o, in_dir("r.json"), 0600), 0);
    int saved = break_writes(&o);
    static char chunk[100 * 1024];
    memset(chunk, 'x', sizeof chunk);
    (void)fwrite(chunk, 1, sizeof chunk, o.f); /* past the buffer: a write is tried, and fails */
    assert_true(ferror(o.f));
    restore_fd(&o, saved);
    errno = 0;
    assert_int_equal(atomic_out_commit(&o, 0), -1);
    assert_int_not_equal(errno, 0);
    assert_file("r.json", "old\n", 0600);
    assert_listing("r.json");
}

/* A folder that is not there: -1 with errno, nothing left. */
static void test_open_fails(void **state)
{
    (void)state;
    struct atomic_out o;
    errno = 0;
    assert_int_equal(atomic_out_open(&o, in_dir("missing/r.json"), 0600), -1);
    assert_int_equal(errno, ENOENT);
    assert_listing("");
}

/* ---- atomic_remove_stale ---- */

/* A writer killed with its temp file open: the file is removed once it is gone; the temp files
 * of live writers (this process, our parent) are kept, and ours still commits afterwards. */
static void test_stale_of_killed_writer(void **state)
{
    (void)state;
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct atomic_out o;
        if (atomic_out_open(&o, in_dir("r.json"), 0600) != 0)
            _exit(1);
        fputs("half a report, with AstraCS:tok", o.f);
        fflush(o.f);
        if (write(ready[1], "x", 1) == 1)
            raise(SIGKILL);
        _exit(2);
    }
    close(ready[1]);
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    char child_temp[NAME_MAX + 1];
    snprintf(child_temp, sizeof child_temp, "%s", temp_name("r.json", host_label(), child, ""));
    char *before = listing();
    if (strncmp(before, child_temp, strlen(child_temp)) || strchr(before, ' '))
        fail_msg("the killed writer left \"%s\", expected %sXXXXXX", before, child_temp);
    free(before);

    struct atomic_out mine;
    assert_int_equal(atomic_out_open(&mine, in_dir("r.json"), 0600), 0);
    put_file(temp_name("r.json", host_label(), (long)getppid(), "pArEnT"), "", 0600);

    assert_int_equal(atomic_remove_stale(dir, NULL), 1);
    char *after = listing();
    if (strstr(after, child_temp))
        fail_msg("the killed writer's temp file is still there: \"%s\"", after);
    if (!strstr(after, strrchr(mine.tmp, '/') + 1))
        fail_msg("our own temp file was removed: \"%s\"", after);
    if (!strstr(after, temp_name("r.json", host_label(), (long)getppid(), "pArEnT")))
        fail_msg("our parent's temp file was removed: \"%s\"", after);
    free(after);
    assert_int_equal(atomic_remove_stale(dir, "r.json"), 0);

    assert_true(fputs("whole\n", mine.f) >= 0);
    assert_int_equal(atomic_out_commit(&mine, 1), 0);
    assert_file("r.json", "whole\n", 0600);
    unlink(in_dir(temp_name("r.json", host_label(), (long)getppid(), "pArEnT")));
    assert_listing("r.json");
}

struct stale_case {
    const char *name;
    int removed;
};

/* Names in a folder and whether atomic_remove_stale(dir, NULL) removes them, with {H} for this
 * host's label, {O} for another of the same length, and pids as {DEAD} (a child that has exited),
 * {NONE} (no process can have it), {SELF} and {PPID}; see stale_name. */
static const struct stale_case stale_cases[] = {
    /* temp files of writers that are gone: removed */
    {".r.json.tmp-{H}-{DEAD}-aB3xYz", 1},
    {".r.json.tmp-{H}-{NONE}-000000", 1},
    {".app.env.tmp-{H}-{DEAD}-Q1w2E3", 1},
    /* of live writers: kept */
    {".r.json.tmp-{H}-{SELF}-aB3xYz", 0},
    {".r.json.tmp-{H}-{PPID}-aB3xYz", 0},
    {".r.json.tmp-{H}-1-aB3xYz", 0}, /* init: alive, and not ours to signal (EPERM) */
    /* of another host: never judged here */
    {".r.json.tmp-otherhost-{DEAD}-aB3xYz", 0},
    {".r.json.tmp-{O}-{DEAD}-aB3xYz", 0},  /* a name as long as ours */
    {".r.json.tmp-{H}x-{DEAD}-aB3xYz", 0}, /* our label with more after it is another host */
    /* not a temp file's name: kept */
    {"r.json", 0},
    {".r.json", 0},
    {"r.json.tmp-{H}-{DEAD}-aB3xYz", 0}, /* not hidden */
    {".r.json.tmp-{H}-{DEAD}-aB3xY", 0}, /* five suffix characters */
    {".r.json.tmp-{H}-{DEAD}-aB3xYzz", 0},
    {".r.json.tmp-{H}-{DEAD}", 0},
    {".r.json.tmp-{H}-{DEAD}-", 0},
    {".r.json.tmp-{H}-{DEAD}x-aB3xYz", 0},
    {".r.json.tmp-{H}-{DEAD}xaB3xYz", 0},
    {".r.json.tmp-{H}-x{DEAD}-aB3xYz", 0},
    {".r.json.tmp-{H}--aB3xYz", 0}, /* no pid */
    {".r.json.tmp-{H}-0-aB3xYz", 0},
    {".r.json.tmp-{H}--7-aB3xYz", 0}, /* a negative pid names a process group */
    {".r.json.tmp-{H}--1-aB3xYz", 0},
    {".r.json.tmp-{H}{DEAD}-aB3xYz", 0},
    {".r.json.tmp-", 0},
    {".r.json.tmp{H}-{DEAD}-aB3xYz", 0},
    {"notes.txt", 0},
};

/* Expands the {...} of a stale_cases name into out. */
static void stale_name(char *out, size_t cap, const char *pattern, long dead, const char *host)
{
    char other_host[HOST_NAME_MAX + 1];
    snprintf(other_host, sizeof other_host, "%s", *host ? host : "x");
    other_host[0] = other_host[0] == 'a' ? 'b' : 'a';
    size_t w = 0;
    for (const char *p = pattern; *p && w + 1 < cap;) {
        long pid = -1;
        const char *text = NULL;
        if (!strncmp(p, "{H}", 3))
            text = host;
        else if (!strncmp(p, "{O}", 3))
            text = other_host;
        else if (!strncmp(p, "{DEAD}", 6))
            pid = dead;
        else if (!strncmp(p, "{NONE}", 6))
            pid = NO_SUCH_PID;
        else if (!strncmp(p, "{SELF}", 6))
            pid = (long)getpid();
        else if (!strncmp(p, "{PPID}", 6))
            pid = (long)getppid();
        if (text || pid >= 0) {
            w += text ? (size_t)snprintf(out + w, cap - w, "%s", text)
                      : (size_t)snprintf(out + w, cap - w, "%ld", pid);
            p = strchr(p, '}') + 1;
        } else {
            out[w++] = *p++;
        }
    }
    out[w] = '\0';
}

/* Each name on its own in the folder, so that a wrong removal names its case. */
static void test_stale_names(void **state)
{
    (void)state;
    long dead = dead_pid();
    const char *host = host_label();
    for (size_t i = 0; i < sizeof stale_cases / sizeof stale_cases[0]; i++) {
        char name[NAME_MAX + 1];
        stale_name(name, sizeof name, stale_cases[i].name, dead, host);
        put_file(name, "content", 0600);
        size_t n = atomic_remove_stale(dir, NULL);
        if (n != (size_t)stale_cases[i].removed || exists(name) == stale_cases[i].removed)
            fail_msg("%s: %zu removed and the file %s, expected it %s", name, n,
                     exists(name) ? "kept" : "gone", stale_cases[i].removed ? "removed" : "kept");
        unlink(in_dir(name));
    }
    /* All at once: the count is of the removed ones. */
    size_t want = 0;
    for (size_t i = 0; i < sizeof stale_cases / sizeof stale_cases[0]; i++) {
        char name[NAME_MAX + 1];
        stale_name(name, sizeof name, stale_cases[i].name, dead, host);
        put_file(name, "content", 0600);
        want += (size_t)stale_cases[i].removed;
    }
    assert_int_equal(atomic_remove_stale(dir, NULL), want);
    for (size_t i = 0; i < sizeof stale_cases / sizeof stale_cases[0]; i++) {
        char name[NAME_MAX + 1];
        stale_name(name, sizeof name, stale_cases[i].name, dead, host);
        assert_int_equal(exists(name), !stale_cases[i].removed);
    }
}

/* A writer that is alive but not ours to signal (kill gives EPERM): kept. Run as root, a child
 * that became nobody judges a temp file of ours; otherwise init's (pid 1) is that case, in
 * stale_cases. */
static void test_stale_of_writer_not_ours(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    const char *name = temp_name("r.json", host_label(), (long)getpid(), "abcdef");
    put_file(name, "live", 0600);
    assert_int_equal(chmod(dir, 0777), 0); /* nobody may remove what is in it */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (setgid(65534) != 0 || setuid(65534) != 0 || kill(getppid(), 0) == 0 || errno != EPERM)
            _exit(100);
        _exit((int)atomic_remove_stale(dir, NULL));
    }
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(exists(name));
}

/* A folder named like a stale temp file is not a temp file: kept, and not counted. */
static void test_stale_skips_folders(void **state)
{
    (void)state;
    const char *name = temp_name("d", host_label(), NO_SUCH_PID, "abcdef");
    assert_int_equal(mkdir(in_dir(name), 0700), 0);
    assert_int_equal(atomic_remove_stale(dir, NULL), 0);
    assert_true(exists(name));
}

/* base: only the temp files of that one file, not of a file whose name merely starts or ends
 * like it. */
static void test_stale_base(void **state)
{
    (void)state;
    const char *host = host_label();
    const char *bases[] = {"a.json", "a.json.bak", "a", "b.json", "xa.json"};
    enum { NB = sizeof bases / sizeof bases[0] };
    for (size_t i = 0; i < NB; i++) {
        put_file(bases[i], "keep me", 0600);
        put_file(temp_name(bases[i], host, NO_SUCH_PID, "abcdef"), "stale", 0600);
    }
    const char *order[] = {"a.json", "a", "xa.json", "a.json.bak", "b.json"};
    for (size_t k = 0; k < NB; k++) {
        assert_int_equal(atomic_remove_stale(dir, order[k]), 1);
        for (size_t i = 0; i < NB; i++) {
            int gone = 0;
            for (size_t j = 0; j <= k; j++)
                gone |= !strcmp(bases[i], order[j]);
            if (exists(temp_name(bases[i], host, NO_SUCH_PID, "abcdef")) == gone)
                fail_msg("after removing the temp files of %s: %s's is %s", order[k], bases[i],
                         gone ? "still there" : "gone");
            assert_true(exists(bases[i]));
        }
        assert_int_equal(atomic_remove_stale(dir, order[k]), 0);
    }
    assert_listing("a a.json a.json.bak b.json xa.json");
    assert_int_equal(atomic_remove_stale(dir, "nothing"), 0);
}

/* A target whose name holds ".tmp-" (say "out.tmp-2.json") still has its stale temp files
 * removed: the mark is the name's last ".tmp-" (the host part holds no dot). */
static void test_stale_target_with_mark_in_name(void **state)
{
    (void)state;
    const char *host = host_label();
    put_file(temp_name("out.tmp-2.json", host, NO_SUCH_PID, "abcdef"), "stale", 0600);
    assert_int_equal(atomic_remove_stale(dir, "out.tmp-2.json"), 1);
    put_file(temp_name("out.tmp-2.json", host, NO_SUCH_PID, "abcdef"), "stale", 0600);
    assert_int_equal(atomic_remove_stale(dir, NULL), 1);
    assert_listing("");
}

static void test_stale_missing_folder(void **state)
{
    (void)state;
    assert_int_equal(atomic_remove_stale(in_dir("missing"), NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_commit_new_file),
        T(test_commit_replaces_old_file),
        T(test_commit_big_content),
        T(test_discard),
        T(test_commit_rename_fails),
        T(test_commit_write_fails),
        T(test_commit_after_failed_print),
        T(test_open_fails),
        T(test_stale_of_killed_writer),
        T(test_stale_names),
        T(test_stale_of_writer_not_ours),
        T(test_stale_skips_folders),
        T(test_stale_base),
        T(test_stale_missing_folder),
        T(test_stale_target_with_mark_in_name),
    };
    return cmocka_run_group_tests_name("atomic_file", tests, NULL, NULL);
}
