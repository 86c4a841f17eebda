// The few system calls Swift cannot reach on Linux: variadic ones (syscall, prctl, ioctl) and those whose
// declarations need _GNU_SOURCE or kernel headers. Each wrapper returns -1 with errno set on failure.
#ifndef CBOSUNSYS_H
#define CBOSUNSYS_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

struct bosun_sock_filter {  // identical layout to struct sock_filter
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
};

struct bosun_bpf_insn {  // identical layout to struct bpf_insn
    uint8_t code;
    uint8_t regs;  // dst_reg in the low 4 bits, src_reg in the high 4 bits
    int16_t off;
    int32_t imm;
};

// cgroup v2 device rules: loads `insns` as a BPF_PROG_TYPE_CGROUP_DEVICE program and attaches it
// (BPF_F_ALLOW_MULTI) to the cgroup directory `cgroup_fd`; the program goes with the cgroup. Returns 0, or -1
// with errno; the verifier's complaint, if any, is in `log` (may be NULL).
int bosun_attach_device_filter(int cgroup_fd, const struct bosun_bpf_insn *insns, int count, char *log, int log_size);

// Namespaces and processes.
int bosun_unshare(int flags);
int bosun_setns(int fd, int nstype);
// clone3 with CLONE_PIDFD (and any namespace flags): returns the child's pid in the parent (pidfd stored in
// *pidfd), 0 in the child. The child must only exec or _exit, or be single-threaded.
pid_t bosun_clone3(uint64_t flags, int *pidfd, int exit_signal);
// posix_spawn's work (each fds[2i] dup2'ed onto fds[2i+1], every signal at its default and none blocked,
// execve) in a child cloned with clone3(CLONE_INTO_CGROUP), so it starts inside the cgroup v2 directory that
// `cgroup_fd` names and never has to move into it (a move takes the kernel's global attach lock). Sources must
// not be targets (copy them above first). Returns the pid once the child has exec'd, or -1 with errno: the
// clone's (ENOSYS, E2BIG or EINVAL on kernels before 5.7; EBUSY/EOPNOTSUPP for a cgroup that cannot take
// processes) or the child's (its dup2 or execve).
pid_t bosun_spawn_into_cgroup(const char *path, char *const argv[], char *const envp[], const int *fds, int count,
                              int cgroup_fd);
// Whether bosun_spawn_into_cgroup's errno means clone3 or CLONE_INTO_CGROUP is missing here (a kernel before
// 5.7, a seccomp profile answering ENOSYS, as Docker's does): the caller then spawns plainly and the child
// moves itself.
int bosun_lacks_clone_into_cgroup(int code);
int bosun_pidfd_open(pid_t pid);
int bosun_pidfd_send_signal(int pidfd, int sig);
int bosun_pivot_root(const char *new_root, const char *put_old);
int bosun_close_range(unsigned int first, unsigned int last, unsigned int flags);
// pipe2 (needs _GNU_SOURCE): both ends close-on-exec from the start, so no concurrent spawn inherits them.
int bosun_pipe2(int fds[2], int flags);

// Files: openat2 with RESOLVE_* flags (e.g. RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), retried on the EAGAIN
// the kernel returns when a concurrent mount or rename raced with the lookup.
int bosun_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);

// Process attributes (prctl is variadic).
int bosun_set_no_new_privs(void);
int bosun_get_no_new_privs(void);
int bosun_set_child_subreaper(int on);
int bosun_set_pdeathsig(int sig);
int bosun_set_name(const char *name);
int bosun_set_keepcaps(int on);
// PR_SET_DUMPABLE: 0 keeps other processes (a container's) out of /proc/<pid>/{exe,fd,mem} until exec.
int bosun_set_dumpable(int on);
int bosun_cap_bound_drop(int cap);
int bosun_cap_ambient_raise(int cap);
int bosun_cap_ambient_clear_all(void);
// capset for the calling thread with 64-bit masks (version 3).
int bosun_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
int bosun_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);
int bosun_last_cap(void);

// seccomp: installs a filter program (flags e.g. SECCOMP_FILTER_FLAG_TSYNC); returns 0 or -1, or the
// listener fd with SECCOMP_FILTER_FLAG_NEW_LISTENER.
int bosun_seccomp_load(const struct bosun_sock_filter *program, unsigned short length, unsigned int flags);

// The new mount API (for overlayfs with more lower layers than mount(2)'s one page of options allows).
int bosun_fsopen(const char *fstype);
int bosun_fsconfig_string(int fsfd, const char *key, const char *value);
int bosun_fsconfig_flag(int fsfd, const char *key);
int bosun_fsconfig_create(int fsfd);
int bosun_fsmount(int fsfd);
int bosun_move_mount_to(int mountfd, const char *target);

// Marks a directory as the top of a hierarchy for ext4's Orlov allocator (FS_TOPDIR_FL, `chattr +T`), so its
// subdirectories spread over block groups. Returns -1 with errno (ENOTTY, EOPNOTSUPP) on other filesystems.
int bosun_set_topdir_flag(int fd);

// Extended attributes (<sys/xattr.h> is not in Swift's Glibc module).
int bosun_fsetxattr(int fd, const char *name, const void *value, size_t size);
int bosun_lsetxattr(const char *path, const char *name, const void *value, size_t size);
ssize_t bosun_lgetxattr(const char *path, const char *name, void *value, size_t size);

// Terminals.
int bosun_ioctl_set_ctty(int fd);
int bosun_ioctl_set_winsize(int fd, unsigned short rows, unsigned short cols);
int bosun_ioctl_get_winsize(int fd, unsigned short *rows, unsigned short *cols);
int bosun_ptsname(int fd, char *buffer, size_t size);
int bosun_unlockpt(int fd);
// Opens the terminal peer (slave) of a pty master (TIOCGPTPEER) and reads its index (TIOCGPTN).
int bosun_ioctl_get_pty_peer(int master, int flags);
int bosun_ioctl_get_pty_number(int master, unsigned int *number);

// Credentials (declared only under _GNU_SOURCE).
int bosun_setresuid(uid_t uid);
int bosun_setresgid(gid_t gid);

// Unix sockets: send or receive one file descriptor with SCM_RIGHTS (CMSG_* are macros). `bosun_recv_fd`
// returns the received descriptor (or -1), with up to `size` bytes of payload stored in `buffer`.
int bosun_send_fd(int socket, int fd, const char *payload, size_t length);
int bosun_recv_fd(int socket, char *buffer, size_t size);
// Receives one datagram and, when it carries one, a descriptor (*fd, else -1); returns the payload length (0 at
// end of stream) or -1.
ssize_t bosun_recv_message(int socket, void *buffer, size_t size, int *fd);

// Constants Swift's Glibc module lacks (values from the kernel headers, checked at compile time).
extern const uint64_t BOSUN_CLONE_NEWNS, BOSUN_CLONE_NEWUTS, BOSUN_CLONE_NEWIPC, BOSUN_CLONE_NEWNET, BOSUN_CLONE_NEWPID,
    BOSUN_CLONE_NEWCGROUP, BOSUN_CLONE_NEWUSER, BOSUN_CLONE_NEWTIME, BOSUN_CLONE_PIDFD, BOSUN_CLONE_INTO_CGROUP, BOSUN_CLONE_PARENT;
extern const uint64_t BOSUN_RESOLVE_IN_ROOT, BOSUN_RESOLVE_NO_MAGICLINKS, BOSUN_RESOLVE_NO_SYMLINKS, BOSUN_RESOLVE_BENEATH,
    BOSUN_RESOLVE_NO_XDEV;
extern const unsigned int BOSUN_SECCOMP_FILTER_FLAG_TSYNC, BOSUN_SECCOMP_FILTER_FLAG_LOG, BOSUN_SECCOMP_FILTER_FLAG_NEW_LISTENER,
    BOSUN_SECCOMP_FILTER_FLAG_SPEC_ALLOW;
extern const unsigned int BOSUN_CLOSE_RANGE_CLOEXEC;
extern const int BOSUN_O_PATH;
extern const unsigned long BOSUN_MS_BIND, BOSUN_MS_REC, BOSUN_MS_PRIVATE, BOSUN_MS_SLAVE, BOSUN_MS_SHARED, BOSUN_MS_UNBINDABLE,
    BOSUN_MS_RDONLY, BOSUN_MS_NOSUID, BOSUN_MS_NODEV, BOSUN_MS_NOEXEC, BOSUN_MS_REMOUNT, BOSUN_MS_RELATIME, BOSUN_MS_NOATIME,
    BOSUN_MS_STRICTATIME, BOSUN_MS_SYNCHRONOUS, BOSUN_MS_DIRSYNC, BOSUN_MS_MANDLOCK, BOSUN_MS_NODIRATIME, BOSUN_MS_MOVE,
    BOSUN_MS_SILENT, BOSUN_MS_LAZYTIME, BOSUN_MNT_DETACH;

// A descriptor that reads the signals in `mask` (<sys/signalfd.h> is not in Swift's Glibc module), close-on-exec and
// non-blocking. The caller blocks the signals first (sigprocmask).
int bosun_signalfd(const sigset_t *mask);

/// Returns free heap memory to the kernel (glibc's malloc_trim(0)); 1 when memory was released.
int bosun_malloc_trim(void);
/// Caps the number of malloc arenas (glibc's mallopt(M_ARENA_MAX, n)); 1 on success.
int bosun_malloc_arena_max(int n);
/// glibc's heap figures (mallinfo2): bytes handed out, bytes free inside the arenas, bytes in chunks mapped on
/// their own, and the arenas' total size.
void bosun_heap_figures(size_t *in_use, size_t *free_in_arenas, size_t *mmapped, size_t *arena_size);

#endif
