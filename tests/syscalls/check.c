/* Shared runner and helpers of the syscall tests (see check.h). */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <stddef.h>
#include <grp.h>
#include <time.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static int keep_going;
static int failures;

void pft_failed(void)
{
	failures++;
	if (!keep_going)
		exit(1);
}

/* Failures of the helpers themselves always end the program. */
#define HELPER_FAIL(...) do { \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	exit(1); \
} while (0)

const char *g_dir;
const char *g_host;
int g_pool;

const char *path(const char *name)
{
	static char bufs[8][8192];
	static int next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", g_dir, name);
	return b;
}

const char *hpath(const char *name)
{
	static char bufs[8][8192];
	static int next;
	char *b = bufs[next++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", g_host, name);
	return b;
}

void write_file(const char *p, const char *data)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		HELPER_FAIL("write_file(%s): open: %s", p, strerror(errno));
	size_t len = strlen(data);
	if (write(fd, data, len) != (ssize_t)len)
		HELPER_FAIL("write_file(%s): write: %s", p, strerror(errno));
	close(fd);
}

long read_file(const char *p, char *buf, size_t size)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		HELPER_FAIL("read_file(%s): open: %s", p, strerror(errno));
	size_t total = 0;
	for (;;) {
		ssize_t n = read(fd, buf + total, size - 1 - total);
		if (n < 0)
			HELPER_FAIL("read_file(%s): read: %s", p, strerror(errno));
		if (n == 0)
			break;
		total += (size_t)n;
	}
	buf[total] = '\0';
	close(fd);
	return (long)total;
}

void pft_init(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DIR HOSTDIR [CASE...]\n", argv[0]);
		exit(2);
	}
	g_dir = argv[1];
	g_host = argv[2];
	const char *p = getenv("PFTEST_POOL");
	g_pool = p && strcmp(p, "1") == 0;
	const char *k = getenv("PFTEST_KEEP_GOING");
	keep_going = k && strcmp(k, "1") == 0;
}

/* Runs every case (or those named after DIR HOSTDIR), each in a fresh
 * subdirectory-free state: cases clean up after themselves. */
int pft_run(const struct pft_case *cases, int argc, char **argv)
{
	pft_init(argc, argv);
	for (const struct pft_case *c = cases; c->name; c++) {
		if (argc > 3) {
			int wanted = 0;
			for (int i = 3; i < argc; i++)
				if (strcmp(argv[i], c->name) == 0)
					wanted = 1;
			if (!wanted)
				continue;
		}
		printf("# %s\n", c->name);
		fflush(stdout);
		umask(022);
		int before = failures;
		c->fn();
		printf("%s %s\n", failures == before ? "ok" : "not ok", c->name);
		fflush(stdout);
	}
	return failures ? 1 : 0;
}

int pft_send_fd(int sock, int fd)
{
	char dummy = 'x';
	struct iovec iov = { &dummy, 1 };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

int pft_recv_fd(int sock)
{
	char dummy;
	struct iovec iov = { &dummy, 1 };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

int wait_child(pid_t pid)
{
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	if (!WIFEXITED(status))
		PFT_FAIL("child %d did not exit normally (status 0x%x)", pid,
			 status);
	return WEXITSTATUS(status);
}

void wait_ok(pid_t pid)
{
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		PFT_FAIL("child %d: status 0x%x", pid, status);
}

double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void nap(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

void become_nobody(void)
{
	CHECK_OK(setgroups(0, NULL));
	CHECK_OK(setgid(65534));
	CHECK_OK(setuid(65534));
}

socklen_t un_addr(struct sockaddr_un *sa, const char *p)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s", p);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p) +
			   1);
}
