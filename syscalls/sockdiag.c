/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether a UNIX socket still exists, asked of the kernel's sock_diag
 * (NETLINK_SOCK_DIAG, unix_diag: what ss -x reads) by its sockfs inode
 * number. twin.c keeps a socket twin's address for getpeername while a
 * socket that connected to it may still report it; only the kernel knows
 * when such a socket is gone.
 *
 * One netlink socket, used under a mutex: the queries are rare (they are
 * amortized over the connects and releases that make them necessary).
 * Checked once that it answers (our own socket must be found): without
 * unix_diag every answer would be "gone".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "syscalls.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int nl = -1;
static int usable = -1; /* unknown yet, 0 no, 1 yes */

/* 1 if socket ino exists, 0 if not, -errno. Caller holds the lock. */
static int query(uint32_t ino)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req r;
	} q = {
		.h = { .nlmsg_len = sizeof(q),
		       .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		       .nlmsg_flags = NLM_F_REQUEST },
		.r = { .sdiag_family = AF_UNIX,
		       .udiag_states = ~0u,
		       .udiag_ino = ino,
		       .udiag_cookie = { INET_DIAG_NOCOOKIE,
					 INET_DIAG_NOCOOKIE } },
	};
	char buf[1024] __attribute__((aligned(8)));
	if (send(nl, &q, sizeof(q), 0) < 0)
		return -errno;
	ssize_t n = recv(nl, buf, sizeof(buf), MSG_TRUNC);
	if (n < (ssize_t)sizeof(struct nlmsghdr))
		return n < 0 ? -errno : -EIO;
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	if (h->nlmsg_type == NLMSG_ERROR) {
		int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		return err == -ENOENT ? 0 : err < 0 ? err : -EIO;
	}
	return h->nlmsg_type == SOCK_DIAG_BY_FAMILY ? 1 : -EIO;
}

/* Opens the netlink socket and checks that it finds a socket of ours. */
static int setup(void)
{
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct stat st;
	int ok = nl >= 0 && probe >= 0 && fstat(probe, &st) == 0 &&
		query((uint32_t)st.st_ino) == 1;
	if (probe >= 0)
		close(probe);
	if (!ok && nl >= 0) {
		close(nl);
		nl = -1;
	}
	return ok;
}

int unix_socket_alive(uint64_t ino)
{
	pthread_mutex_lock(&lock);
	if (usable < 0)
		usable = setup();
	int r = usable ? query((uint32_t)ino) : -ENOSYS;
	pthread_mutex_unlock(&lock);
	return r;
}
