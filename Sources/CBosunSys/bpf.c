#define _GNU_SOURCE
#include "cbosunsys.h"

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(sizeof(struct bosun_bpf_insn) == sizeof(struct bpf_insn), "bpf_insn layout");

int bosun_attach_device_filter(int cgroup_fd, const struct bosun_bpf_insn *insns, int count, char *log, int log_size) {
    union bpf_attr load;
    memset(&load, 0, sizeof(load));
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insn_cnt = (uint32_t)count;
    load.insns = (uint64_t)(uintptr_t)insns;
    load.license = (uint64_t)(uintptr_t)"Apache-2.0";
    int program = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
    if (program < 0 && log != NULL && log_size > 0) {
        // Again with the verifier's log, for the caller's message (a log from the start could fill the buffer
        // and fail a good program with ENOSPC).
        int saved = errno;
        log[0] = 0;
        load.log_buf = (uint64_t)(uintptr_t)log;
        load.log_size = (uint32_t)log_size;
        load.log_level = 1;
        program = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
        if (program >= 0) close(program);
        errno = saved;
        return -1;
    }
    if (program < 0) return -1;
    union bpf_attr attach;
    memset(&attach, 0, sizeof(attach));
    attach.target_fd = (uint32_t)cgroup_fd;
    attach.attach_bpf_fd = (uint32_t)program;
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    int result = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach));
    int saved = errno;
    close(program);  // the attachment holds the program; it goes with the cgroup
    errno = saved;
    return result;
}
