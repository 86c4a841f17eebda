#define _GNU_SOURCE
#include "cbosunsys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

// The child between clone3 and execve: only async-signal-safe calls (the parent may be multithreaded, and
// this is a copy of one of its threads). Reports a failure's errno on `report` and exits.
static void spawn_child(const char *path, char *const argv[], char *const envp[], const int *fds, int count,
                        int report) {
    struct sigaction standard;
    memset(&standard, 0, sizeof(standard));
    standard.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) (void)sigaction(sig, &standard, NULL);
    }
    sigset_t none;
    sigemptyset(&none);
    int error = 0;
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) error = errno;
    for (int index = 0; error == 0 && index < count; index++) {
        if (dup2(fds[2 * index], fds[2 * index + 1]) < 0) error = errno;
    }
    if (error == 0) {
        execve(path, argv, envp);
        error = errno;
    }
    while (write(report, &error, sizeof(error)) < 0 && errno == EINTR) {}
    _exit(127);
}

pid_t bosun_spawn_into_cgroup(const char *path, char *const argv[], char *const envp[], const int *fds, int count,
                              int cgroup_fd) {
    // The report pipe lives above every target, so no dup2 in the child can overwrite it.
    int above = 3;
    for (int index = 0; index < count; index++) {
        if (fds[2 * index + 1] >= above) above = fds[2 * index + 1] + 1;
    }
    int report[2], low[2];
    if (pipe2(low, O_CLOEXEC) != 0) return -1;
    report[0] = fcntl(low[0], F_DUPFD_CLOEXEC, above);
    report[1] = report[0] < 0 ? -1 : fcntl(low[1], F_DUPFD_CLOEXEC, above);
    int copy_error = errno;
    close(low[0]);
    close(low[1]);
    if (report[1] < 0) {
        if (report[0] >= 0) close(report[0]);
        errno = copy_error;
        return -1;
    }
    // Every signal blocked across the clone, as posix_spawn does: the child must not run one of the parent's
    // handlers before it has reset them.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    struct clone_args args;
    memset(&args, 0, sizeof(args));
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)cgroup_fd;
    pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
    if (pid == 0) {
        close(report[0]);
        spawn_child(path, argv, envp, fds, count, report[1]);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (pid < 0) {
        close(report[0]);
        errno = saved;
        return -1;
    }
    int error = 0;
    ssize_t got;
    do {
        got = read(report[0], &error, sizeof(error));
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == (ssize_t)sizeof(error)) {
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
        errno = error;
        return -1;
    }
    return pid;
}

int bosun_lacks_clone_into_cgroup(int code) { return code == ENOSYS || code == E2BIG || code == EINVAL; }
