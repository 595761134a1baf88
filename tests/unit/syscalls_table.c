/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table is the single source of truth: every trapped number has a
 * handler, a name and trace arguments, and the filter built from the table
 * notifies exactly for those numbers (checked by running the BPF program
 * over every syscall number).
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/sched.h>
#include <signal.h>
#include <linux/seccomp.h>
#include <linux/audit.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "check.h" /* PFT_FAIL */
#include "syscalls.h"

/* A tiny classic-BPF interpreter for the instructions libseccomp emits. */
static uint32_t run(const struct sock_filter *f, size_t n,
		    const struct seccomp_data *d)
{
	uint32_t A = 0, X = 0, mem[16] = { 0 };
	for (size_t pc = 0; pc < n; pc++) {
		const struct sock_filter *i = &f[pc];
		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			memcpy(&A, (const char *)d + i->k, 4);
			break;
		case BPF_LD | BPF_MEM: A = mem[i->k & 15]; break;
		case BPF_LDX | BPF_MEM: X = mem[i->k & 15]; break;
		case BPF_ST: mem[i->k & 15] = A; break;
		case BPF_STX: mem[i->k & 15] = X; break;
		case BPF_ALU | BPF_AND | BPF_K: A &= i->k; break;
		case BPF_ALU | BPF_OR | BPF_K: A |= i->k; break;
		case BPF_MISC | BPF_TAX: X = A; break;
		case BPF_MISC | BPF_TXA: A = X; break;
		case BPF_JMP | BPF_JA: pc += i->k; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += A == i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGT | BPF_K: pc += A > i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JGE | BPF_K: pc += A >= i->k ? i->jt : i->jf; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += A & i->k ? i->jt : i->jf; break;
		case BPF_RET | BPF_K: return i->k;
		case BPF_RET | BPF_A: return A;
		default:
			fprintf(stderr, "unknown BPF op %#x\n", i->code);
			return 0xdead;
		}
	}
	return 0xdead;
}

int main(void)
{
	int trapped = 0;
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++) {
		const struct sc_entry *e = &sc_table[nr];
		if (!e->handler && !e->name)
			continue;
		trapped++;
		if (!(e->handler))
			PFT_FAIL("nr %d has a name but no handler", nr);
		if (!(e->name && e->name[0]))
			PFT_FAIL("nr %d has no name", nr);
		if (!(e->args && strlen(e->args) <= 6))
			PFT_FAIL("nr %d (%s): bad args", nr, e->name);
		/* every argument kind is one --trace knows (trace.c) */
		if (e->args && e->args[strspn(e->args, "dfsomarcbBiuxp")])
			PFT_FAIL("nr %d (%s): unknown argument kind in \"%s\"",
				 nr, e->name, e->args);
	}
	/* the calls a supervisor must serve: a spec of its own, not the table */
	/* clang-format off */
	static const int must[] = {
		SYS_open, SYS_openat, SYS_openat2, SYS_creat, SYS_read, SYS_write,
		SYS_pread64, SYS_pwrite64, SYS_readv, SYS_writev, SYS_preadv,
		SYS_pwritev, SYS_preadv2, SYS_pwritev2, SYS_lseek, SYS_stat,
		SYS_lstat, SYS_fstat, SYS_newfstatat, SYS_statx, SYS_access,
		SYS_faccessat, SYS_faccessat2, SYS_mkdir, SYS_mkdirat, SYS_rmdir,
		SYS_unlink, SYS_unlinkat, SYS_rename, SYS_renameat, SYS_renameat2,
		SYS_link, SYS_linkat, SYS_symlink, SYS_symlinkat, SYS_readlink,
		SYS_readlinkat, SYS_chmod, SYS_fchmod, SYS_fchmodat, SYS_chown,
		SYS_fchown, SYS_lchown, SYS_fchownat, SYS_utime, SYS_utimes,
		SYS_setxattr, SYS_lsetxattr, SYS_fsetxattr, SYS_getxattr,
		SYS_lgetxattr, SYS_fgetxattr, SYS_listxattr, SYS_llistxattr,
		SYS_flistxattr, SYS_removexattr, SYS_lremovexattr,
		SYS_fremovexattr, __NR_setxattrat, __NR_getxattrat,
		__NR_listxattrat, __NR_removexattrat,
		SYS_utimensat, SYS_futimesat, SYS_truncate, SYS_ftruncate,
		SYS_fallocate, SYS_fsync, SYS_fdatasync, SYS_syncfs,
		SYS_sync_file_range, SYS_fadvise64, SYS_readahead, SYS_getdents,
		SYS_getdents64, SYS_fcntl, SYS_chdir,
		SYS_fchdir, SYS_getcwd, SYS_statfs, SYS_fstatfs, SYS_umask,
		SYS_mknod, SYS_mknodat, SYS_sendfile, SYS_copy_file_range,
		SYS_splice, SYS_io_uring_setup, SYS_flock, SYS_mmap, SYS_msync,
		SYS_ioctl, __NR_fchmodat2,
		/* sockets with pool paths */
		SYS_bind, SYS_connect, SYS_sendto, SYS_sendmsg, SYS_getsockname,
		SYS_getpeername,
		/* the ways a pool fd can arrive (the pool-fd mark) */
		SYS_recvmsg, SYS_recvmmsg, SYS_pidfd_getfd, SYS_clone, SYS_clone3,
		/* who the caller is: every change of ids must be seen */
		SYS_setuid, SYS_setgid, SYS_setreuid, SYS_setregid,
		SYS_setresuid, SYS_setresgid, SYS_setfsuid, SYS_setfsgid,
		SYS_setgroups, SYS_capset, SYS_unshare, SYS_setns, SYS_execve,
		SYS_execveat, SYS_exit_group, SYS_prctl,
	};
	/* clang-format on */
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!(sc_table[must[i]].handler))
			PFT_FAIL("syscall %d is not served", must[i]);
	/* served, not refused, in a pool */
	if (sc_table[SYS_inotify_add_watch].handler == sys_unsupported_path)
		PFT_FAIL("inotify_add_watch is refused on pool paths");

	void *prog;
	size_t len;
	int r = sc_filter_build(&prog, &len);
	if (!(r == 0))
		PFT_FAIL("sc_filter_build: %d", r);
	if (r == 0) {
		for (int nr = 0; nr < SC_TABLE_SIZE; nr++) {
			struct seccomp_data d = { .nr = nr, .arch = AUDIT_ARCH_X86_64 };
			uint32_t want = sc_table[nr].handler ? SECCOMP_RET_USER_NOTIF
							     : SECCOMP_RET_ALLOW;
			if (sc_table[nr].flags & SC_CLONE_FILES) {
				/* only a clone that shares the fd table */
				d.args[0] = CLONE_VM | CLONE_FILES | CLONE_THREAD;
				uint32_t act = run(prog, len, &d) & SECCOMP_RET_ACTION_FULL;
				if (!(act == SECCOMP_RET_ALLOW))
					PFT_FAIL(
						"nr %d: a thread's clone is trapped",
						nr);
				d.args[0] = SIGCHLD;
				act = run(prog, len, &d) & SECCOMP_RET_ACTION_FULL;
				if (!(act == SECCOMP_RET_ALLOW))
					PFT_FAIL(
						"nr %d: fork's clone is trapped",
						nr);
				d.args[0] = CLONE_FILES | SIGCHLD;
			}
			if (sc_table[nr].flags & SC_ARG4_SET) {
				/* a send without an address goes by */
				uint32_t act = run(prog, len, &d) &
					SECCOMP_RET_ACTION_FULL;
				if (!(act == SECCOMP_RET_ALLOW))
					PFT_FAIL(
						"nr %d: trapped without an address",
						nr);
				d.args[4] = 0x1000;
			}
			uint32_t act = run(prog, len, &d) & SECCOMP_RET_ACTION_FULL;
			if (!(act == want))
				PFT_FAIL(
					"nr %d: filter says %#x, table says %#x",
					nr, act, want);
		}
		/* a 32-bit syscall must not slip past the filter */
		struct seccomp_data d = { .nr = 5, .arch = AUDIT_ARCH_I386 };
		uint32_t act = run(prog, len, &d) & SECCOMP_RET_ACTION_FULL;
		if (!(act != SECCOMP_RET_ALLOW))
			PFT_FAIL("i386 calls are allowed");
		free(prog);
	}
	printf("%d syscalls trapped, the filter and the table agree\n",
	       trapped);
	return 0;
}
