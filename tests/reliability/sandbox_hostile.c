/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A target that tries to change the host in every way it can:
 *
 *   rel-sandbox attack MNT HOST POOL VICTIM [race]
 *   rel-sandbox serve HOST          (the sockets it attacks, outside)
 *   rel-sandbox snap DIR            (a bit-for-bit description of a tree)
 *   rel-sandbox prep HOST           (makes the host tree attacked)
 *   rel-sandbox nolandlock ERRNO CMD...  (CMD where landlock_create_ruleset
 *                                    fails with ERRNO: a kernel without it)
 *
 * attack: each attempt is one call on the host tree HOST (prepared by
 * sandbox_hostile.sh), the pool file POOL, the sockets `serve` listens
 * on, and the process VICTIM; MNT is the pool's mount point, inside HOST
 * (so `..` out of the pool lands in HOST). Prints one line per attempt,
 * "through NAME" when the call succeeded, "refused NAME ERRNO" when not,
 * and the number that got through last. Under --sandbox every attempt
 * must be refused; without it every one must get through (which shows
 * that each attempt really is one).
 * With "race", every path and address attempt is repeated while a
 * second thread rewrites its buffer, in a tight loop, between the host
 * value and a harmless one (a pool path, an unused abstract name): the
 * supervisor must never act on the host value. Results are not counted
 * then (the harmless value may succeed); the driver compares the host
 * tree, the server's counts and the victim.
 *
 * serve: a UNIX stream socket HOST/srv.sock, a UNIX datagram socket
 * HOST/dgram.sock, an abstract socket @pf-sbx-<HOST's inode>, TCP and
 * UDP on 127.0.0.1 (ports in HOST/../ports); counts every connection and
 * datagram; prints the count when it gets SIGTERM.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <stddef.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <arpa/inet.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static const char *mnt, *host, *pool;
static pid_t victim;
static int through, tried, racing;

/* ---- the shared buffers a racing thread rewrites ----------------------- */

static char pathbuf[4096];
static const char *race_a, *race_b; /* the two values of pathbuf */
static struct sockaddr_un unbuf;
static struct sockaddr_un un_a, un_b;
static volatile int race_on, race_stop;

static void *
rewriter(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&race_stop, __ATOMIC_RELAXED)) {
		if (!__atomic_load_n(&race_on, __ATOMIC_RELAXED))
			continue;
		if (race_a) {
			strcpy(pathbuf, race_a);
			strcpy(pathbuf, race_b);
		} else {
			memcpy(&unbuf, &un_a, sizeof(unbuf));
			memcpy(&unbuf, &un_b, sizeof(unbuf));
		}
	}
	return NULL;
}

static void
report(const char *name, long r)
{
	tried++;
	if (racing)
		return;
	if (r >= 0) {
		through++;
		printf("through %s\n", name);
	} else {
		printf("refused %s %s\n", name, strerrorname_np((int)-r));
	}
	fflush(stdout);
}

static long
sc(long r)
{
	return r < 0 ? -errno : r;
}

static long
closed(long fd)
{
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static char *
H(const char *name)
{
	static char b[8][4096];
	static int i;
	i = (i + 1) % 8;
	snprintf(b[i], sizeof(b[i]), "%s/%s", host, name);
	return b[i];
}

/* One path attempt: fn on pathbuf; in race mode repeated while pathbuf
 * flips between the host path and a pool path. */
typedef long (*path_fn)(const char *p);

static void
path_attempt(const char *name, const char *hostpath, path_fn fn)
{
	if (!racing) {
		strcpy(pathbuf, hostpath);
		report(name, fn(pathbuf));
		return;
	}
	char alt[4096];
	snprintf(alt, sizeof(alt), "%s/race-%s", mnt, name);
	race_a = alt;
	race_b = hostpath;
	strcpy(pathbuf, alt);
	__atomic_store_n(&race_on, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 300; i++)
		fn(pathbuf);
	__atomic_store_n(&race_on, 0, __ATOMIC_RELAXED);
	report(name, 0);
}

static long
a_open_w(const char *p)
{
	return closed(sc(open(p, O_WRONLY)));
}
static long
a_open_creat(const char *p)
{
	return closed(sc(open(p, O_WRONLY | O_CREAT, 0644)));
}
static long
a_open_trunc(const char *p)
{
	return closed(sc(open(p, O_WRONLY | O_TRUNC)));
}
static long
a_creat(const char *p)
{
	return closed(sc(creat(p, 0644)));
}
static long
a_truncate(const char *p)
{
	return sc(truncate(p, 1));
}
static long
a_unlink(const char *p)
{
	return sc(unlink(p));
}
static long
a_rmdir(const char *p)
{
	return sc(rmdir(p));
}
static long
a_rename_from(const char *p)
{
	return sc(rename(p, H("moved-out")));
}
static long
a_rename_to(const char *p)
{
	return sc(rename(H("d/g"), p));
}
static long
a_exchange(const char *p)
{
	return sc(syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, H("f8"),
			  RENAME_EXCHANGE));
}
static long
a_link(const char *p)
{
	return sc(link(H("f"), p));
}
static long
a_link_from(const char *p)
{
	return sc(link(p, H("hardlink2")));
}
static long
a_symlink(const char *p)
{
	return sc(symlink("f", p));
}
static long
a_mkdir(const char *p)
{
	return sc(mkdir(p, 0755));
}
static long
a_mknod(const char *p)
{
	return sc(mknod(p, S_IFIFO | 0644, 0));
}
static long
a_chmod(const char *p)
{
	return sc(chmod(p, 0600));
}
static long
a_chown(const char *p)
{
	return sc(chown(p, 1, 1));
}
static long
a_lchown(const char *p)
{
	return sc(lchown(p, 2, 2));
}
static long
a_utimens(const char *p)
{
	struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
	return sc(utimensat(AT_FDCWD, p, ts, 0));
}
static long
a_utimes(const char *p)
{
	struct timeval tv[2] = { { 1000, 0 }, { 3000, 0 } };
	return sc(utimes(p, tv));
}
static long
a_setxattr(const char *p)
{
	return sc(setxattr(p, "user.pf", "x", 1, 0));
}
static long
a_removexattr(const char *p)
{
	return sc(removexattr(p, "user.old"));
}
static long
a_bind(const char *p)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", p);
	long r = sc(bind(s, (struct sockaddr *)&a, sizeof(a)));
	close(s);
	return r;
}
static long
a_procfd(const char *p)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return -errno;
	char l[64];
	snprintf(l, sizeof(l), "/proc/self/fd/%d", fd);
	long r = closed(sc(open(l, O_WRONLY)));
	close(fd);
	return r;
}
static long
a_fchmod(const char *p)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return -errno;
	long r = sc(fchmod(fd, 0444));
	close(fd);
	return r;
}
static long
a_fsetxattr(const char *p)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return -errno;
	long r = sc(fsetxattr(fd, "user.fd", "y", 1, 0));
	close(fd);
	return r;
}
static long
a_setflags(const char *p)
{
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return -errno;
	int fl = 0;
	long r = sc(ioctl(fd, FS_IOC_GETFLAGS, &fl));
	fl ^= FS_NODUMP_FL;
	if (r == 0)
		r = sc(ioctl(fd, FS_IOC_SETFLAGS, &fl));
	close(fd);
	return r;
}

static long
a_by_handle(const char *p)
{
	struct {
		struct file_handle h;
		unsigned char b[128];
	} fh;
	fh.h.handle_bytes = sizeof(fh.b);
	int mnt_id;
	if (name_to_handle_at(AT_FDCWD, p, &fh.h, &mnt_id, 0) < 0)
		return -errno;
	int mfd = open(host, O_RDONLY | O_DIRECTORY);
	if (mfd < 0)
		return -errno;
	long r = closed(sc(open_by_handle_at(mfd, &fh.h, O_WRONLY)));
	close(mfd);
	return r;
}

static long
a_relative_up(const char *p)
{
	(void)p;
	/* from a pool cwd, ../f2 is HOST/f2 */
	char here[4096];
	if (!getcwd(here, sizeof(here)) || chdir(mnt) < 0)
		return -errno;
	long r = closed(sc(open("../f2", O_WRONLY)));
	if (chdir(here) < 0)
		return -errno;
	return r;
}

/* ---- sockets ------------------------------------------------------------ */

static int ports[2]; /* tcp, udp */

static long
net_tcp(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0)
		return -errno;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)ports[0]),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long r = sc(connect(s, (struct sockaddr *)&a, sizeof(a)));
	close(s);
	return r;
}

static long
net_udp(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return -errno;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)ports[1]),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	long r = sc(sendto(s, "u", 1, 0, (struct sockaddr *)&a, sizeof(a)));
	close(s);
	return r;
}

static long
net_tcp6(void)
{
	int s = socket(AF_INET6, SOCK_STREAM, 0);
	if (s < 0)
		return -errno;
	close(s);
	return 0;
}

static socklen_t
un_len(const struct sockaddr_un *a)
{
	if (a->sun_path[0])
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
				   strlen(a->sun_path) + 1);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(a->sun_path + 1));
}

static long
un_connect(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0)
		return -errno;
	/* the longer of the two lengths: the kernel reads the buffer again */
	socklen_t l =
		un_len(&un_a) > un_len(&un_b) ? un_len(&un_a) : un_len(&un_b);
	if (!racing)
		l = un_len(&unbuf);
	long r = sc(connect(s, (struct sockaddr *)&unbuf, l));
	close(s);
	return r;
}

static void
addr_attempt(const char *name, const struct sockaddr_un *target)
{
	if (!racing) {
		unbuf = *target;
		report(name, un_connect());
		return;
	}
	memset(&un_a, 0, sizeof(un_a));
	un_a.sun_family = AF_UNIX;
	snprintf(un_a.sun_path + 1, sizeof(un_a.sun_path) - 1,
		 "pf-sbx-unused-%d", getpid());
	un_b = *target;
	race_a = NULL;
	unbuf = un_a;
	__atomic_store_n(&race_on, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < 300; i++)
		un_connect();
	__atomic_store_n(&race_on, 0, __ATOMIC_RELAXED);
	report(name, 0);
}

static long
un_dgram(void)
{
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (s < 0)
		return -errno;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", H("dgram.sock"));
	long r = sc(sendto(s, "d", 1, 0, (struct sockaddr *)&a, un_len(&a)));
	close(s);
	return r;
}

static long
un_dgram_pair(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return -errno;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", H("dgram.sock"));
	long r =
		sc(sendto(sv[0], "p", 1, 0, (struct sockaddr *)&a, un_len(&a)));
	close(sv[0]);
	close(sv[1]);
	return r;
}

static void
abstract_name(struct sockaddr_un *a)
{
	struct stat st;
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	stat(host, &st);
	snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "pf-sbx-%llu",
		 (unsigned long long)st.st_ino);
}

static void
read_ports(void)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s.ports", host);
	FILE *f = fopen(p, "r");
	if (!f || fscanf(f, "%d %d", &ports[0], &ports[1]) != 2) {
		fprintf(stderr, "no ports file %s\n", p);
		exit(2);
	}
	fclose(f);
}

static void
attack_all(void)
{
	path_attempt("open-write", H("f"), a_open_w);
	path_attempt("open-create", H("new1"), a_open_creat);
	path_attempt("open-truncate", H("f2"), a_open_trunc);
	path_attempt("creat", H("new2"), a_creat);
	path_attempt("truncate", H("f3"), a_truncate);
	path_attempt("unlink", H("f4"), a_unlink);
	path_attempt("rmdir", H("emptydir"), a_rmdir);
	path_attempt("rename-from", H("f5"), a_rename_from);
	path_attempt("rename-to", H("renamed-in"), a_rename_to);
	path_attempt("rename-exchange", H("f7"), a_exchange);
	path_attempt("link", H("hardlink"), a_link);
	path_attempt("link-from", H("f"), a_link_from);
	path_attempt("symlink", H("sym"), a_symlink);
	path_attempt("mkdir", H("newdir"), a_mkdir);
	path_attempt("mknod", H("fifo"), a_mknod);
	path_attempt("chmod", H("f"), a_chmod);
	path_attempt("chown", H("f"), a_chown);
	path_attempt("lchown", H("link-to-f"), a_lchown);
	path_attempt("utimensat", H("f"), a_utimens);
	path_attempt("utimes", H("f2"), a_utimes);
	path_attempt("setxattr", H("f"), a_setxattr);
	path_attempt("removexattr", H("f"), a_removexattr);
	path_attempt("bind", H("bound.sock"), a_bind);
	path_attempt("proc-fd-reopen", H("f"), a_procfd);
	path_attempt("fchmod", H("f2"), a_fchmod);
	path_attempt("fsetxattr", H("f2"), a_fsetxattr);
	path_attempt("ioctl-setflags", H("f3"), a_setflags);
	path_attempt("open-by-handle", H("f"), a_by_handle);
	/* through the pool: a pool symlink to the host, `..` out of it */
	char p[4096];
	snprintf(p, sizeof(p), "%s/tohost/f", mnt);
	path_attempt("pool-symlink-open", p, a_open_w);
	snprintf(p, sizeof(p), "%s/tohost/viasym", mnt);
	path_attempt("pool-symlink-mkdir", p, a_mkdir);
	snprintf(p, sizeof(p), "%s/tohost/f3", mnt);
	path_attempt("pool-symlink-chmod", p, a_chmod);
	snprintf(p, sizeof(p), "%s/tohost/f3", mnt);
	path_attempt("pool-symlink-truncate", p, a_truncate);
	snprintf(p, sizeof(p), "%s/../f", mnt);
	path_attempt("dotdot-open", p, a_open_w);
	snprintf(p, sizeof(p), "%s/../viadotdot", mnt);
	path_attempt("dotdot-create", p, a_open_creat);
	snprintf(p, sizeof(p), "%s/../f", mnt);
	path_attempt("dotdot-utimensat", p, a_utimens);
	if (!racing)
		report("dotdot-relative", a_relative_up(NULL));
	path_attempt("pool-file-open", pool, a_open_w);

	/* the network */
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", H("srv.sock"));
	addr_attempt("unix-connect-path", &a);
	abstract_name(&a);
	addr_attempt("unix-connect-abstract", &a);
	if (!racing) {
		report("tcp-connect", net_tcp());
		report("udp-sendto", net_udp());
		report("tcp6-socket", net_tcp6());
		report("packet-socket",
		       closed(sc(socket(AF_PACKET, SOCK_RAW, 0))));
		report("unix-dgram-sendto", un_dgram());
		report("unix-dgram-pair-sendto", un_dgram_pair());
		report("kill", sc(kill(victim, SIGTERM)));
		/* the supervisor: signal 0 is checked like any other */
		report("kill-supervisor", sc(kill(getppid(), 0)));
		long r = sc(ptrace(PTRACE_SEIZE, getppid(), 0, 0));
		if (r == 0)
			ptrace(PTRACE_DETACH, getppid(), 0, 0);
		report("ptrace-supervisor", r);
	}
}

static int
attack(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	mnt = argv[2];
	host = argv[3];
	pool = argv[4];
	victim = (pid_t)atoi(argv[5]);
	racing = argc > 6 && strcmp(argv[6], "race") == 0;
	read_ports();
	char p[4096];
	snprintf(p, sizeof(p), "%s/tohost", mnt);
	if (symlink(host, p) < 0 && errno != EEXIST) {
		perror("symlink in the pool");
		return 2;
	}
	pthread_t t;
	if (racing)
		pthread_create(&t, NULL, rewriter, NULL);
	attack_all();
	if (racing) {
		__atomic_store_n(&race_stop, 1, __ATOMIC_RELAXED);
		pthread_join(t, NULL);
		printf("raced %d attempts\n", tried);
	} else {
		printf("attempts %d through %d\n", tried, through);
	}
	return 0;
}

/* ---- the server ----------------------------------------------------------- */

static volatile sig_atomic_t stop;
static void
on_term(int s)
{
	(void)s;
	stop = 1;
}

static int
serve(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	host = argv[2];
	int fds[5];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	fds[0] = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", H("srv.sock"));
	if (bind(fds[0], (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fds[0], 512) < 0)
		return perror("srv.sock"), 2;
	fds[1] = socket(AF_UNIX, SOCK_DGRAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", H("dgram.sock"));
	if (bind(fds[1], (struct sockaddr *)&a, sizeof(a)) < 0)
		return perror("dgram.sock"), 2;
	fds[2] = socket(AF_UNIX, SOCK_STREAM, 0);
	abstract_name(&a);
	if (bind(fds[2], (struct sockaddr *)&a, un_len(&a)) < 0 ||
	    listen(fds[2], 512) < 0)
		return perror("abstract"), 2;
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(in);
	fds[3] = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(fds[3], (struct sockaddr *)&in, sizeof(in)) < 0 ||
	    listen(fds[3], 512) < 0)
		return perror("tcp"), 2;
	getsockname(fds[3], (struct sockaddr *)&in, &l);
	int tcp = ntohs(in.sin_port);
	in.sin_port = 0;
	fds[4] = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(fds[4], (struct sockaddr *)&in, sizeof(in)) < 0)
		return perror("udp"), 2;
	l = sizeof(in);
	getsockname(fds[4], (struct sockaddr *)&in, &l);
	char p[4096];
	snprintf(p, sizeof(p), "%s.ports.tmp", host);
	FILE *f = fopen(p, "w");
	fprintf(f, "%d %d\n", tcp, ntohs(in.sin_port));
	fclose(f);
	char q[4096];
	snprintf(q, sizeof(q), "%s.ports", host);
	rename(p, q);
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	long events = 0;
	struct pollfd pf[5];
	for (int i = 0; i < 5; i++)
		pf[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	while (!stop) {
		if (poll(pf, 5, 200) <= 0)
			continue;
		for (int i = 0; i < 5; i++) {
			if (!(pf[i].revents & POLLIN))
				continue;
			char b[64];
			if (i == 1 || i == 4) {
				if (recv(fds[i], b, sizeof(b), 0) >= 0)
					events++;
			} else {
				int c = accept(fds[i], NULL, NULL);
				if (c >= 0) {
					events++;
					close(c);
				}
			}
		}
	}
	printf("%ld\n", events);
	return 0;
}

/* ---- the snapshot --------------------------------------------------------- */

static uint64_t
fnv(const void *p, size_t n, uint64_t h)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

static void
snap_one(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	uint64_t h = 14695981039346656037ULL;
	if (S_ISREG(st.st_mode)) {
		int fd = open(path, O_RDONLY | O_NOATIME);
		if (fd < 0)
			fd = open(path, O_RDONLY);
		char b[65536];
		ssize_t n;
		while (fd >= 0 && (n = read(fd, b, sizeof(b))) > 0)
			h = fnv(b, (size_t)n, h);
		if (fd >= 0)
			close(fd);
	} else if (S_ISLNK(st.st_mode)) {
		char b[4096];
		ssize_t n = readlink(path, b, sizeof(b));
		if (n > 0)
			h = fnv(b, (size_t)n, h);
	}
	char names[4096];
	ssize_t nl = llistxattr(path, names, sizeof(names));
	for (ssize_t i = 0; i < nl; i += (ssize_t)strlen(names + i) + 1) {
		char v[4096];
		ssize_t vl = lgetxattr(path, names + i, v, sizeof(v));
		h = fnv(names + i, strlen(names + i), h);
		if (vl > 0)
			h = fnv(v, (size_t)vl, h);
	}
	printf("%s %o %u %u %u %lld %lld.%09ld %lld.%09ld %016llx\n", path,
	       st.st_mode, st.st_uid, st.st_gid, (unsigned)st.st_nlink,
	       (long long)st.st_size, (long long)st.st_mtim.tv_sec,
	       st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
	       st.st_ctim.tv_nsec, (unsigned long long)h);
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		char *names2[1024];
		int n = 0;
		while (d && (e = readdir(d)) && n < 1024)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				names2[n++] = strdup(e->d_name);
		if (d)
			closedir(d);
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++)
				if (strcmp(names2[i], names2[j]) > 0) {
					char *t = names2[i];
					names2[i] = names2[j];
					names2[j] = t;
				}
		for (int i = 0; i < n; i++) {
			char c[4096];
			snprintf(c, sizeof(c), "%s/%s", path, names2[i]);
			snap_one(c);
			free(names2[i]);
		}
	}
}

static int
prep(const char *h)
{
	host = h;
	if (mkdir(h, 0755) < 0 || mkdir(H("d"), 0755) < 0 ||
	    mkdir(H("emptydir"), 0755) < 0 || mkdir(H("mnt"), 0755) < 0)
		return perror("mkdir"), 2;
	const char *files[] = {
		"f", "f2", "f3", "f4", "f5", "f7", "f8", "d/g"
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		FILE *f = fopen(H(files[i]), "w");
		if (!f)
			return perror(files[i]), 2;
		fprintf(f, "the host's %s\n", files[i]);
		fclose(f);
	}
	if (symlink("f", H("link-to-f")) < 0 ||
	    setxattr(H("f"), "user.old", "old", 3, 0) < 0)
		return perror("prep"), 2;
	return 0;
}

/* CMD with landlock_create_ruleset failing (a seccomp filter of our own) */
static int
nolandlock(int err, char **cmd)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			 __NR_landlock_create_ruleset, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return perror("seccomp"), 2;
	execvp(cmd[0], cmd);
	perror(cmd[0]);
	return 2;
}

int
main(int argc, char **argv)
{
	if (argc > 3 && strcmp(argv[1], "nolandlock") == 0)
		return nolandlock(atoi(argv[2]), argv + 3);
	if (argc > 2 && strcmp(argv[1], "prep") == 0)
		return prep(argv[2]);
	if (argc > 1 && strcmp(argv[1], "attack") == 0)
		return attack(argc, argv);
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	if (argc > 2 && strcmp(argv[1], "snap") == 0) {
		snap_one(argv[2]);
		return 0;
	}
	fprintf(stderr,
		"usage: rel-sandbox attack MNT HOST POOL VICTIM [race] | serve HOST | snap DIR\n");
	return 2;
}
