/* signals.c: the self-pipe for SIGINT/SIGTERM. */
#include "core/base/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t received;
static int pipe_fds[2] = {-1, -1};

static void on_signal(int signo)
{
    if (received)
        _exit(128 + signo); /* the second signal: at once, as the user asked twice */
    received = signo;
    char byte = (char)signo;
    ssize_t ignored = write(pipe_fds[1], &byte, 1);
    (void)ignored;
}

int signals_install(void)
{
    if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
        return -1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0)
        return -1;
    return pipe_fds[0];
}

int signals_received(void)
{
    return received;
}

void signals_uninstall(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (int i = 0; i < 2; i++)
        if (pipe_fds[i] >= 0) {
            close(pipe_fds[i]);
            pipe_fds[i] = -1;
        }
}
