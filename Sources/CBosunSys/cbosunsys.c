#define _GNU_SOURCE
#include <malloc.h>
#include "cbosunsys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <linux/fs.h>
#include <termios.h>
#include <unistd.h>

_Static_assert(sizeof(struct bosun_sock_filter) == sizeof(struct sock_filter), "sock_filter layout");

int bosun_unshare(int flags) { return unshare(flags); }
int bosun_setns(int fd, int nstype) { return setns(fd, nstype); }

pid_t bosun_clone3(uint64_t flags, int *pidfd, int exit_signal) {
    struct clone_args args;
    memset(&args, 0, sizeof(args));
    args.flags = flags;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    args.exit_signal = (uint64_t)exit_signal;
    return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

int bosun_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
int bosun_pidfd_send_signal(int pidfd, int sig) { return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0); }
int bosun_pivot_root(const char *new_root, const char *put_old) { return (int)syscall(SYS_pivot_root, new_root, put_old); }
int bosun_close_range(unsigned int first, unsigned int last, unsigned int flags) {
    return (int)syscall(SYS_close_range, first, last, flags);
}

int bosun_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

int bosun_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = flags;
    how.mode = mode;
    how.resolve = resolve;
    // With RESOLVE_* flags the kernel answers EAGAIN when a mount or rename anywhere raced with the lookup, and
    // asks the caller to retry (openat2(2)); on a host busy mounting container roots that happens.
    for (int attempt = 0;; attempt++) {
        int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        if (fd >= 0 || (errno != EAGAIN && errno != EINTR) || attempt >= 100) return fd;
    }
}

int bosun_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
int bosun_get_no_new_privs(void) { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }
int bosun_set_child_subreaper(int on) { return prctl(PR_SET_CHILD_SUBREAPER, on, 0, 0, 0); }
int bosun_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }
int bosun_set_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
int bosun_set_keepcaps(int on) { return prctl(PR_SET_KEEPCAPS, on, 0, 0, 0); }
int bosun_set_dumpable(int on) { return prctl(PR_SET_DUMPABLE, on, 0, 0, 0); }
int bosun_cap_bound_drop(int cap) { return prctl(PR_CAPBSET_DROP, cap, 0, 0, 0); }
int bosun_cap_ambient_raise(int cap) { return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0); }
int bosun_cap_ambient_clear_all(void) { return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); }

int bosun_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)effective;
    data[1].effective = (uint32_t)(effective >> 32);
    data[0].permitted = (uint32_t)permitted;
    data[1].permitted = (uint32_t)(permitted >> 32);
    data[0].inheritable = (uint32_t)inheritable;
    data[1].inheritable = (uint32_t)(inheritable >> 32);
    return (int)syscall(SYS_capset, &header, data);
}

int bosun_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    *effective = (uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32);
    *permitted = (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
    *inheritable = (uint64_t)data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
    return 0;
}

int bosun_last_cap(void) {
    int last = CAP_LAST_CAP;
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buffer[16] = {0};
        ssize_t n = read(fd, buffer, sizeof(buffer) - 1);
        if (n > 0) last = atoi(buffer);
        close(fd);
    }
    return last;
}

int bosun_seccomp_load(const struct bosun_sock_filter *program, unsigned short length, unsigned int flags) {
    struct sock_fprog fprog = {length, (struct sock_filter *)program};
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
}

// Values from <linux/mount.h> (not included: it conflicts with <sys/mount.h>).
#define BOSUN_FSCONFIG_SET_FLAG 0
#define BOSUN_FSCONFIG_SET_STRING 1
#define BOSUN_FSCONFIG_CMD_CREATE 6
#define BOSUN_FSOPEN_CLOEXEC 1
#define BOSUN_FSMOUNT_CLOEXEC 1
#define BOSUN_MOVE_MOUNT_F_EMPTY_PATH 4

int bosun_fsopen(const char *fstype) { return (int)syscall(SYS_fsopen, fstype, BOSUN_FSOPEN_CLOEXEC); }
int bosun_fsconfig_string(int fsfd, const char *key, const char *value) {
    return (int)syscall(SYS_fsconfig, fsfd, BOSUN_FSCONFIG_SET_STRING, key, value, 0);
}
int bosun_fsconfig_flag(int fsfd, const char *key) { return (int)syscall(SYS_fsconfig, fsfd, BOSUN_FSCONFIG_SET_FLAG, key, NULL, 0); }
int bosun_fsconfig_create(int fsfd) { return (int)syscall(SYS_fsconfig, fsfd, BOSUN_FSCONFIG_CMD_CREATE, NULL, NULL, 0); }
int bosun_fsmount(int fsfd) { return (int)syscall(SYS_fsmount, fsfd, BOSUN_FSMOUNT_CLOEXEC, 0); }
int bosun_move_mount_to(int mountfd, const char *target) {
    return (int)syscall(SYS_move_mount, mountfd, "", AT_FDCWD, target, BOSUN_MOVE_MOUNT_F_EMPTY_PATH);
}

int bosun_set_topdir_flag(int fd) {
    int flags = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) return -1;
    flags |= FS_TOPDIR_FL;
    return ioctl(fd, FS_IOC_SETFLAGS, &flags);
}

int bosun_fsetxattr(int fd, const char *name, const void *value, size_t size) { return fsetxattr(fd, name, value, size, 0); }
int bosun_lsetxattr(const char *path, const char *name, const void *value, size_t size) {
    return lsetxattr(path, name, value, size, 0);
}
ssize_t bosun_lgetxattr(const char *path, const char *name, void *value, size_t size) { return lgetxattr(path, name, value, size); }

int bosun_ioctl_set_ctty(int fd) { return ioctl(fd, TIOCSCTTY, 0); }
int bosun_ioctl_set_winsize(int fd, unsigned short rows, unsigned short cols) {
    struct winsize size = {rows, cols, 0, 0};
    return ioctl(fd, TIOCSWINSZ, &size);
}
int bosun_ioctl_get_winsize(int fd, unsigned short *rows, unsigned short *cols) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *rows = size.ws_row;
    *cols = size.ws_col;
    return 0;
}
int bosun_ptsname(int fd, char *buffer, size_t size) { return ptsname_r(fd, buffer, size); }
int bosun_unlockpt(int fd) { return unlockpt(fd); }
int bosun_ioctl_get_pty_peer(int master, int flags) { return ioctl(master, TIOCGPTPEER, flags); }
int bosun_ioctl_get_pty_number(int master, unsigned int *number) { return ioctl(master, TIOCGPTN, number); }

int bosun_setresuid(uid_t uid) { return setresuid(uid, uid, uid); }
int bosun_setresgid(gid_t gid) { return setresgid(gid, gid, gid); }

int bosun_send_fd(int socket, int fd, const char *payload, size_t length) {
    char control[CMSG_SPACE(sizeof(int))];
    memset(control, 0, sizeof(control));
    char empty = 0;
    struct iovec iov = {(void *)(length > 0 ? payload : &empty), length > 0 ? length : 1};
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(header), &fd, sizeof(int));
    ssize_t sent;
    do { sent = sendmsg(socket, &message, MSG_NOSIGNAL); } while (sent < 0 && errno == EINTR);
    return sent < 0 ? -1 : 0;
}

ssize_t bosun_recv_message(int socket, void *buffer, size_t size, int *fd) {
    char control[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {buffer, size};
    struct msghdr message;
    memset(&message, 0, sizeof(message));
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    *fd = -1;
    ssize_t received;
    do { received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC); } while (received < 0 && errno == EINTR);
    if (received < 0) return -1;
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    if (header != NULL && header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) memcpy(fd, CMSG_DATA(header), sizeof(int));
    return received;
}

int bosun_recv_fd(int socket, char *buffer, size_t size) {
    int fd;
    if (bosun_recv_message(socket, buffer, size, &fd) < 0) return -1;
    if (fd < 0) { errno = EBADMSG; return -1; }
    return fd;
}

const uint64_t BOSUN_CLONE_NEWNS = CLONE_NEWNS, BOSUN_CLONE_NEWUTS = CLONE_NEWUTS, BOSUN_CLONE_NEWIPC = CLONE_NEWIPC,
    BOSUN_CLONE_NEWNET = CLONE_NEWNET, BOSUN_CLONE_NEWPID = CLONE_NEWPID, BOSUN_CLONE_NEWCGROUP = CLONE_NEWCGROUP,
    BOSUN_CLONE_NEWUSER = CLONE_NEWUSER, BOSUN_CLONE_NEWTIME = CLONE_NEWTIME, BOSUN_CLONE_PIDFD = CLONE_PIDFD,
    BOSUN_CLONE_INTO_CGROUP = CLONE_INTO_CGROUP, BOSUN_CLONE_PARENT = CLONE_PARENT;
const uint64_t BOSUN_RESOLVE_IN_ROOT = RESOLVE_IN_ROOT, BOSUN_RESOLVE_NO_MAGICLINKS = RESOLVE_NO_MAGICLINKS,
    BOSUN_RESOLVE_NO_SYMLINKS = RESOLVE_NO_SYMLINKS, BOSUN_RESOLVE_BENEATH = RESOLVE_BENEATH, BOSUN_RESOLVE_NO_XDEV = RESOLVE_NO_XDEV;
const unsigned int BOSUN_SECCOMP_FILTER_FLAG_TSYNC = SECCOMP_FILTER_FLAG_TSYNC, BOSUN_SECCOMP_FILTER_FLAG_LOG = SECCOMP_FILTER_FLAG_LOG,
    BOSUN_SECCOMP_FILTER_FLAG_NEW_LISTENER = SECCOMP_FILTER_FLAG_NEW_LISTENER,
    BOSUN_SECCOMP_FILTER_FLAG_SPEC_ALLOW = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
const unsigned int BOSUN_CLOSE_RANGE_CLOEXEC = CLOSE_RANGE_CLOEXEC;
const int BOSUN_O_PATH = O_PATH;
const unsigned long BOSUN_MS_BIND = MS_BIND, BOSUN_MS_REC = MS_REC, BOSUN_MS_PRIVATE = MS_PRIVATE, BOSUN_MS_SLAVE = MS_SLAVE,
    BOSUN_MS_SHARED = MS_SHARED, BOSUN_MS_UNBINDABLE = MS_UNBINDABLE, BOSUN_MS_RDONLY = MS_RDONLY, BOSUN_MS_NOSUID = MS_NOSUID,
    BOSUN_MS_NODEV = MS_NODEV, BOSUN_MS_NOEXEC = MS_NOEXEC, BOSUN_MS_REMOUNT = MS_REMOUNT, BOSUN_MS_RELATIME = MS_RELATIME,
    BOSUN_MS_NOATIME = MS_NOATIME, BOSUN_MS_STRICTATIME = MS_STRICTATIME, BOSUN_MS_SYNCHRONOUS = MS_SYNCHRONOUS,
    BOSUN_MS_DIRSYNC = MS_DIRSYNC, BOSUN_MS_MANDLOCK = MS_MANDLOCK, BOSUN_MS_NODIRATIME = MS_NODIRATIME, BOSUN_MS_MOVE = MS_MOVE,
    BOSUN_MS_SILENT = MS_SILENT, BOSUN_MS_LAZYTIME = MS_LAZYTIME, BOSUN_MNT_DETACH = MNT_DETACH;

int bosun_signalfd(const sigset_t *mask) { return signalfd(-1, mask, SFD_CLOEXEC | SFD_NONBLOCK); }

int bosun_malloc_trim(void) { return malloc_trim(0); }
int bosun_malloc_arena_max(int n) { return mallopt(M_ARENA_MAX, n); }
void bosun_heap_figures(size_t *in_use, size_t *free_in_arenas, size_t *mmapped, size_t *arena_size) {
    struct mallinfo2 info = mallinfo2();
    *in_use = info.uordblks + info.hblkhd;
    *free_in_arenas = info.fordblks;
    *mmapped = info.hblkhd;
    *arena_size = info.arena;
}
