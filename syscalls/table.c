/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The single source of truth: which syscalls are trapped and who serves
 * them. The seccomp filter (sc_filter_build) and the dispatcher
 * (sc_dispatch) are both generated from this table, so the trapped set and
 * the handled set cannot drift apart.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <seccomp.h>

#include "syscalls.h"
#include "notify.h"

#define E(nr, fn, fl, a) [__NR_##nr] = { #nr, sys_##fn, fl, a }

const struct sc_entry sc_table[SC_TABLE_SIZE] = {
	/* open */
	E(open, open, 0, "som"),
	E(creat, creat, 0, "sm"),
	E(openat, openat, 0, "dsom"),
	E(openat2, openat2, 0, "dspu"),
	/* data */
	E(read, read, 0, "fBu"),
	E(pread64, pread64, 0, "fBui"),
	E(readv, readv, 0, "fpi"),
	E(preadv, preadv, 0, "fpii"),
	E(preadv2, preadv2, 0, "fpiiix"),
	E(write, write, 0, "fbu"),
	E(pwrite64, pwrite64, 0, "fbui"),
	E(writev, writev, 0, "fpi"),
	E(pwritev, pwritev, 0, "fpii"),
	E(pwritev2, pwritev2, 0, "fpiiix"),
	E(lseek, lseek, 0, "fii"),
	E(sendfile, sendfile, 0, "ffpu"),
	E(copy_file_range, copy_file_range, 0, "fpfpux"),
	E(splice, splice, 0, "fpfpux"),
	E(tee, tee, 0, "ffux"),
	/* close and close_range are not trapped: see lock_ofd_gone */
	/* attributes */
	E(stat, stat, 0, "sp"),
	E(lstat, lstat, 0, "sp"),
	E(fstat, fstat, 0, "fp"),
	E(newfstatat, newfstatat, 0, "dspa"),
	E(statx, statx, 0, "dsaxp"),
	E(access, access, 0, "sm"),
	E(faccessat, faccessat, 0, "dsm"),
	E(faccessat2, faccessat2, 0, "dsma"),
	E(chmod, chmod, 0, "sm"),
	E(fchmod, fchmod, 0, "fm"),
	E(fchmodat, fchmodat, 0, "dsm"),
	E(fchmodat2, fchmodat2, 0, "dsma"),
	E(chown, chown, 0, "sii"),
	E(lchown, lchown, 0, "sii"),
	E(fchown, fchown, 0, "fii"),
	E(fchownat, fchownat, 0, "dsiia"),
	E(utime, utime, 0, "sp"),
	E(utimes, utimes, 0, "sp"),
	E(futimesat, futimesat, 0, "dsp"),
	E(utimensat, utimensat, 0, "dspa"),
	E(truncate, truncate, 0, "si"),
	E(ftruncate, ftruncate, 0, "fi"),
	E(fallocate, fallocate, 0, "fiii"),
	E(fsync, fsync, 0, "f"),
	E(fdatasync, fdatasync, 0, "f"),
	E(syncfs, syncfs, 0, "f"),
	E(sync_file_range, sync_file_range, 0, "fiix"),
	E(fadvise64, fadvise64, 0, "fiii"),
	E(readahead, readahead, 0, "fiu"),
	E(statfs, statfs, 0, "sp"),
	E(fstatfs, fstatfs, 0, "fp"),
	/* directories and names */
	E(getdents, getdents, 0, "fpu"),
	E(getdents64, getdents64, 0, "fpu"),
	E(mkdir, mkdir, 0, "sm"),
	E(mkdirat, mkdirat, 0, "dsm"),
	E(mknod, mknod, 0, "smx"),
	E(mknodat, mknodat, 0, "dsmx"),
	E(rmdir, rmdir, 0, "s"),
	E(unlink, unlink, 0, "s"),
	E(unlinkat, unlinkat, 0, "dsa"),
	E(rename, rename, 0, "ss"),
	E(renameat, renameat, 0, "dsds"),
	E(renameat2, renameat2, 0, "dsdsr"),
	E(link, link, 0, "ss"),
	E(linkat, linkat, 0, "dsdsa"),
	E(symlink, symlink, 0, "ss"),
	E(symlinkat, symlinkat, 0, "sds"),
	E(readlink, readlink, 0, "spu"),
	E(readlinkat, readlinkat, 0, "dspu"),
	/* cwd */
	E(chdir, chdir, 0, "s"),
	E(fchdir, fchdir, 0, "f"),
	E(getcwd, getcwd, 0, "pu"),
	/* fd control and locks */
	E(fcntl, fcntl, 0, "fcx"),
	E(flock, flock, 0, "fi"),
	E(ioctl, ioctl, 0, "fxx"),
	E(mmap, mmap, 0, "puxxfi"),
	E(msync, msync, 0, "pux"),
	/* exec: pool files cannot be executed (like a noexec mount) */
	E(execve, execve, 0, "spp"),
	E(execveat, execveat, 0, "dsppa"),
	/* caches to forget */
	E(umask, umask, 0, "m"),
	E(setuid, creds_changed, 0, "i"),
	E(setgid, creds_changed, 0, "i"),
	E(setreuid, creds_changed, 0, "ii"),
	E(setregid, creds_changed, 0, "ii"),
	E(setresuid, creds_changed, 0, "iii"),
	E(setresgid, creds_changed, 0, "iii"),
	E(setfsuid, creds_changed, 0, "i"),
	E(setfsgid, creds_changed, 0, "i"),
	E(setgroups, creds_changed, 0, "ip"),
	E(capset, creds_changed, 0, "pp"),
	/* a new user namespace changes what the capabilities are worth */
	E(unshare, creds_changed, 0, "x"),
	E(setns, creds_changed, 0, "ix"),
	E(exit_group, exit_group, 0, "i"),
	/* fds arriving from elsewhere (fdpass.c) */
	/* UNIX sockets bound to pool paths (socket.c) */
	E(bind, bind, 0, "fpu"),
	E(connect, connect, 0, "fpu"),
	E(sendto, sendto, SC_ARG4_SET, "fpuxpu"),
	E(sendmsg, sendmsg, 0, "fpx"),
	E(getsockname, getsockname, 0, "fpp"),
	E(getpeername, getpeername, 0, "fpp"),
	E(clone, clone, SC_CLONE_FILES, "xppp"),
	E(clone3, clone3, 0, "pu"),
	E(recvmsg, recvmsg, 0, "fpx"),
	E(recvmmsg, recvmmsg, 0, "fpuxp"),
	E(pidfd_getfd, pidfd_getfd, 0, "iix"),
	E(prctl, prctl, 0, "ixxxx"),
	/* extended attributes (xattr.c) */
	E(setxattr, setxattr, 0, "ssbux"),
	E(lsetxattr, lsetxattr, 0, "ssbux"),
	E(fsetxattr, fsetxattr, 0, "fsbux"),
	E(setxattrat, setxattrat, 0, "dsaspu"),
	E(getxattr, getxattr, 0, "ssBu"),
	E(lgetxattr, lgetxattr, 0, "ssBu"),
	E(fgetxattr, fgetxattr, 0, "fsBu"),
	E(getxattrat, getxattrat, 0, "dsaspu"),
	E(listxattr, listxattr, 0, "spu"),
	E(llistxattr, llistxattr, 0, "spu"),
	E(flistxattr, flistxattr, 0, "fpu"),
	E(listxattrat, listxattrat, 0, "dsapu"),
	E(removexattr, removexattr, 0, "ss"),
	E(lremovexattr, lremovexattr, 0, "ss"),
	E(fremovexattr, fremovexattr, 0, "fs"),
	E(removexattrat, removexattrat, 0, "dsas"),
	/* a kernel watch on the pool inode's shadow (inotify.c) */
	E(inotify_add_watch, inotify_add_watch, 0, "fsx"),
	/* refused on purpose */
	E(io_uring_setup, io_uring_setup, 0, "up"),
	E(fanotify_mark, unsupported_path, 0, "fxxds"),
	E(name_to_handle_at, unsupported_path, 0, "dsppa"),
	E(chroot, unsupported_path, 0, "s"),
	E(mount, unsupported_path, 0, "ssspp"),
	E(umount2, unsupported_path, 0, "sa"),
	E(swapon, unsupported_path, 0, "sx"),
	E(acct, unsupported_path, 0, "s"),
	E(file_getattr, file_getattr, 0, "dspuu"),
	E(file_setattr, file_setattr, 0, "dspuu"),
	E(open_tree, unsupported_path, 0, "dsu"),
	E(open_tree_attr, unsupported_path, 0, "dsupu"),
	E(fspick, unsupported_path, 0, "dsu"),
	E(uselib, unsupported_path, 0, "s"),
	E(open_by_handle_at, unsupported_fd, 0, "fpu"),
	E(quotactl_fd, unsupported_fd, 0, "fuup"),
	E(cachestat, unsupported_fd, 0, "fppx"),
	E(vmsplice, unsupported_fd, 0, "fpux"),
};

int sc_filter_build(void **prog, size_t *len)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	int ret = 0;
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++) {
		if (!sc_table[nr].handler)
			continue;
		if (sc_table[nr].flags & SC_CLONE_FILES)
			ret = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
				SCMP_A0(SCMP_CMP_MASKED_EQ,
					CLONE_FILES | CLONE_THREAD, CLONE_FILES));
		else if (sc_table[nr].flags & SC_ARG4_SET)
			ret = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 1,
					       SCMP_A4(SCMP_CMP_NE, 0, 0));
		else
			ret = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
		if (ret < 0)
			goto out;
	}
	ret = sc_sandbox_filter(ctx);
	if (ret < 0)
		goto out;
	/* seccomp_export_bpf_mem is libseccomp 2.6; go through a memfd. */
	int fd = memfd_create("pmemfile-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = seccomp_export_bpf(ctx, fd);
	if (ret == 0) {
		off_t size = lseek(fd, 0, SEEK_END);
		void *buf = malloc(size > 0 ? (size_t)size : 1);
		if (!buf)
			ret = -ENOMEM;
		else if (pread(fd, buf, (size_t)size, 0) != size) {
			free(buf);
			ret = -EIO;
		} else {
			*prog = buf;
			*len = (size_t)size / 8;  /* sizeof(struct sock_filter) */
		}
	}
	close(fd);
out:
	seccomp_release(ctx);
	return ret;
}

long sc_dispatch(struct call *c)
{
	long r = CALL_CONTINUE;
	if (c->nr >= 0 && c->nr < SC_TABLE_SIZE && sc_table[c->nr].handler) {
		/* a redirected call restarted after a signal handler */
		r = redo_restarted(c);
		if (!r)
			r = sc_table[c->nr].handler(c);
		/* the one place directory notifications come from */
		if ((r >= 0 || r == CALL_INJECT) && dnotify_count())
			dnotify_after(c, r);
		/* and inotify's, on the shadows of watched pool inodes */
		if ((r >= 0 || r == CALL_INJECT) && inotify_count())
			inotify_after(c, r);
	}
	return sc_sandbox.active ? sc_sandbox_gate(c, r) : r;
}
