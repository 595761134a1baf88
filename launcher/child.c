/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Starting the target: fork; the child dies with us (PDEATHSIG), sets
 * no_new_privs, installs the filter built from the table with
 * NEW_LISTENER|WAIT_KILLABLE_RECV, puts the listener at an fd number the
 * parent knows, and execs the command. The parent takes the listener
 * from there with pidfd_getfd: the child cannot send it, since every
 * way to send it (write, sendmsg) is trapped by then and would wait for a
 * supervisor that has no listener yet. The child's first trapped call
 * (its execve, at the latest) waits until the parent serves it; the
 * listener is close-on-exec, so the command does not inherit it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "launcher.h"
#include "syscalls.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/*
 * The child's listener, once it is at fd number `at` in process pid: a
 * copy (the same file), or -1 when the child died first.
 */
static int take_listener(pid_t pid, int at)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	for (int tries = 0; tries < 100000; tries++) {
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, at, 0);
		if (fd < 0 && errno != EBADF)
			break; /* gone (ESRCH), or we may not */
		char self[64], link[64];
		ssize_t n = -1;
		if (fd >= 0) {
			snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
			n = readlink(self, link, sizeof(link) - 1);
		}
		if (n > 0) {
			link[n] = 0;
			if (!strcmp(link, "anon_inode:seccomp notify")) {
				close(pidfd);
				fcntl(fd, F_SETFD, FD_CLOEXEC);
				return fd;
			}
		}
		if (fd >= 0)
			close(fd);
		/* not there yet: the child's end of the pipe, or nothing */
		if (waitpid(pid, NULL, WNOHANG | WNOWAIT) == pid)
			break;
		usleep(100);
	}
	close(pidfd);
	return -1;
}

extern struct rlimit pf_orig_nofile;
struct rlimit pf_orig_nofile;

pid_t child_start(char **argv, int *listener)
{
	void *prog;
	size_t len;
	int r = sc_filter_build(&prog, &len);
	if (r < 0)
		die("cannot build the seccomp filter: %s", strerror(-r));
	struct sock_fprog fprog = { .len = (unsigned short)len, .filter = prog };
	/* the listener goes to the number of the child's end of a pipe */
	int sv[2];
	if (pipe2(sv, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		close(sv[0]);
		/* the command must not outlive its supervisor */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
			fprintf(stderr, "pmemfile-run: PR_SET_PDEATHSIG: %s\n", strerror(errno));
			_exit(EXIT_OWN);
		}
		if (getppid() != parent)
			_exit(EXIT_OWN);
		/* what the parent changed for itself goes back to normal: the
		 * command sees the signal mask and fd limit it was given */
		sigset_t none;
		sigemptyset(&none);
		signal(SIGPIPE, SIG_DFL);
		if (sigprocmask(SIG_SETMASK, &none, NULL) < 0 ||
		    setrlimit(RLIMIT_NOFILE, &pf_orig_nofile) < 0) {
			fprintf(stderr, "pmemfile-run: restoring the signal mask or fd limit: %s\n", strerror(errno));
			_exit(EXIT_OWN);
		}
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
			fprintf(stderr, "pmemfile-run: no_new_privs: %s\n", strerror(errno));
			_exit(EXIT_OWN);
		}
		/* --sandbox: the tree's Landlock domain (launcher/sandbox.c) */
		int lr = sandbox_child_restrict();
		if (lr < 0) {
			fprintf(stderr,
				"pmemfile-run: landlock_restrict_self: %s\n",
				strerror(-lr));
			_exit(EXIT_OWN);
		}
		int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				      SECCOMP_FILTER_FLAG_NEW_LISTENER |
				      SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &fprog);
		if (fd < 0 && errno == EBUSY) {
			/* the kernel allows one listener in a filter chain */
			fprintf(stderr,
				"pmemfile-run: this process is already "
				"supervised through seccomp (a pmemfile-run "
				"inside pmemfile-run?): nesting is not "
				"supported\n");
			_exit(EXIT_OWN);
		}
		if (fd < 0) {
			fprintf(stderr, "pmemfile-run: seccomp: %s (Linux 5.19 or later is needed)\n",
				strerror(errno));
			_exit(EXIT_OWN);
		}
		/* trapped from here: served once the parent has it */
		if (dup3(fd, sv[1], O_CLOEXEC) < 0)
			_exit(EXIT_OWN);
		close(fd);
		execvp(argv[0], argv);
		int err = errno;
		fprintf(stderr, "pmemfile-run: %s: %s\n", argv[0], strerror(err));
		_exit(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
	}
	free(prog);
	*listener = take_listener(pid, sv[1]);
	close(sv[0]);
	close(sv[1]);
	if (*listener < 0)
		return -pid;  /* the child failed before the handoff */
	return pid;
}
