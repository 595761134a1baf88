/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Starting the target: fork; the child dies with us (PDEATHSIG), sets
 * no_new_privs, installs the filter built from the table with
 * NEW_LISTENER|WAIT_KILLABLE_RECV, hands the listener to the parent over a
 * socketpair, and execs the command. From the handoff on, each trapped
 * syscall of the child waits for the supervisor.
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

#include "launcher.h"
#include "syscalls.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

static void send_fd(int sock, int fd)
{
	char data = 'L';
	struct iovec iov = { &data, 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		_exit(EXIT_OWN);
}

static int recv_fd(int sock)
{
	char data;
	struct iovec iov = { &data, 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
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
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair: %s", strerror(errno));
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
		if (fd < 0) {
			fprintf(stderr, "pmemfile-run: seccomp: %s (Linux 5.19 or later is needed)\n",
				strerror(errno));
			_exit(EXIT_OWN);
		}
		send_fd(sv[1], fd);
		/* trapped from here: served once the parent listens */
		close(fd);
		close(sv[1]);
		execvp(argv[0], argv);
		int err = errno;
		fprintf(stderr, "pmemfile-run: %s: %s\n", argv[0], strerror(err));
		_exit(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
	}
	close(sv[1]);
	free(prog);
	*listener = recv_fd(sv[0]);
	close(sv[0]);
	if (*listener < 0)
		return -pid;  /* the child failed before the handoff */
	return pid;
}
