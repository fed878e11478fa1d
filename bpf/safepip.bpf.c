// SPDX-License-Identifier: GPL-2.0
/*
 * safe-pip kernel sensor.
 *
 * Tracks the process tree of one guarded install in the kernel (the
 * tracked map is filled in the fork tracepoint, before a child runs),
 * classifies processes into roles at exec, reports what they do through a
 * ring buffer, counts what is too frequent to report (syscalls by
 * category, 3-gram patterns, opens by directory, bytes) and enforces the
 * decisions that must not wait for user space: a doomed session SIGKILLs
 * every tracked task entering a syscall, a denied connect or send is
 * refused by the cgroup hook and kills the caller, and an attempt on the
 * supervisor kills the attacker before it returns to user space.
 *
 * One program per tracepoint direction; syscalls are dispatched on their
 * number after the tracked-set lookup, so untracked tasks pay one hash
 * lookup per syscall and nothing else.
 *
 *   sp_common.bpf.h   configuration, state, maps, records, path walks
 *   sp_proc.bpf.h     fork / exec / exit
 *   sp_files.bpf.h    opens and file operations
 *   sp_net.bpf.h      network rules, sockets, DNS, TCP states, cgroup hooks
 *   sp_sys.bpf.h      sys_enter / sys_exit, targets of signals, code and privilege
 */
#include "vmlinux.h"
#include <asm/unistd.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "sp_event.h"

char LICENSE[] SEC("license") = "GPL";

#include "sp_common.bpf.h"
#include "sp_proc.bpf.h"
#include "sp_files.bpf.h"
#include "sp_net.bpf.h"
#include "sp_sys.bpf.h"
