/*
 * inotify on the directory under test as Linux has it: the exact event
 * sequence (wd, mask, name, len padding, cookies pairing MOVED_FROM with
 * MOVED_TO) for creates, writes, reads, attribute changes, opens and
 * closes, renames and removals of files and directories, the watched
 * inode's own events (IN_MOVE_SELF, IN_DELETE_SELF, IN_IGNORED),
 * IN_ONESHOT, IN_MASK_ADD, IN_MASK_CREATE, one wd for two names of one
 * inode, two instances, host and pool watches in one instance, events
 * from another process, inotify_rm_watch, and the errnos.
 *
 * Case "random" (not run by default: PFTEST_SEEDS seeds) makes random
 * namespace and data operations in a watched tree and prints the event
 * stream as "T ..." lines; inotify_random.sh compares a native run with
 * a pool run.
 */
#define _GNU_SOURCE
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif

/* a path kept (path() rotates eight buffers) */
#define P(var, name)                                                           \
	char var[512];                                                         \
	snprintf(var, sizeof(var), "%s/%s", g_dir, name)
#define HP(var, name)                                                          \
	char var[512];                                                         \
	snprintf(var, sizeof(var), "%s/%s", g_host, name)

static const struct {
	uint32_t bit;
	const char *name;
} bits[] = {
	{ IN_ACCESS, "ACCESS" },
	{ IN_MODIFY, "MODIFY" },
	{ IN_ATTRIB, "ATTRIB" },
	{ IN_CLOSE_WRITE, "CLOSE_WRITE" },
	{ IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" },
	{ IN_OPEN, "OPEN" },
	{ IN_MOVED_FROM, "MOVED_FROM" },
	{ IN_MOVED_TO, "MOVED_TO" },
	{ IN_CREATE, "CREATE" },
	{ IN_DELETE, "DELETE" },
	{ IN_DELETE_SELF, "DELETE_SELF" },
	{ IN_MOVE_SELF, "MOVE_SELF" },
	{ IN_UNMOUNT, "UNMOUNT" },
	{ IN_Q_OVERFLOW, "Q_OVERFLOW" },
	{ IN_IGNORED, "IGNORED" },
	{ IN_ISDIR, "ISDIR" },
};

static char got[65536];
static uint32_t cookies[256];
static int ncookies;

/* Appends the events read from in until it stays quiet for quiet_ms:
 * "wd MASK|MASK name" (cookies as c1, c2... by first appearance),
 * separated by ", ". Checks each len (0, or the name and its NUL rounded
 * up to the event size). */
static const char *events_q(int in, int quiet_ms)
{
	char buf[16384] __attribute__((aligned(8)));
	size_t off = 0;
	got[0] = 0;
	ncookies = 0;
	struct pollfd p = { in, POLLIN, 0 };
	while (poll(&p, 1, quiet_ms) == 1) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (char *q = buf; q < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)q;
			q += sizeof(*e) + e->len;
			size_t nl = e->len ? strlen(e->name) : 0;
			size_t want = e->len ? (nl + 1 + sizeof(*e) - 1) /
					sizeof(*e) * sizeof(*e) :
					       0;
			CHECK_EQ(want, e->len);
			off += (size_t)snprintf(got + off, sizeof(got) - off,
						"%s%d ", off ? ", " : "",
						e->wd);
			int first = 1;
			for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]);
			     i++)
				if (e->mask & bits[i].bit) {
					off += (size_t)snprintf(
						got + off, sizeof(got) - off,
						"%s%s", first ? "" : "|",
						bits[i].name);
					first = 0;
				}
			if (e->cookie) {
				int k;
				for (k = 0; k < ncookies; k++)
					if (cookies[k] == e->cookie)
						break;
				if (k == ncookies && ncookies < 256)
					cookies[ncookies++] = e->cookie;
				off += (size_t)snprintf(got + off,
							sizeof(got) - off,
							" c%d", k + 1);
			}
			if (e->len)
				off += (size_t)snprintf(got + off,
							sizeof(got) - off,
							" %s", e->name);
			if (off >= sizeof(got) - 1)
				return got;
		}
	}
	return got;
}

static const char *events(int in)
{
	return events_q(in, 150);
}

static int new_in(void)
{
	return CHECK_OK(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
}

static void touch(const char *p)
{
	int fd = CHECK_OK(open(p, O_CREAT | O_WRONLY | O_EXCL, 0644));
	close(fd);
}

static void t_errnos(void)
{
	P(d, "ie");
	CHECK_OK(mkdir(d, 0755));
	P(f, "ie/f");
	write_file(f, "x");
	int in = new_in();
	int fd = CHECK_OK(open(f, O_RDONLY));
	CHECK_ERR(EINVAL, inotify_add_watch(in, f, 0));
	CHECK_ERR(EINVAL,
		  inotify_add_watch(in, f,
				    IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE));
	CHECK_ERR(EBADF, inotify_add_watch(9999, f, IN_MODIFY));
	CHECK_ERR(EINVAL, inotify_add_watch(fd, f, IN_MODIFY));
	CHECK_ERR(ENOENT, inotify_add_watch(in, path("ie/none"), IN_MODIFY));
	CHECK_ERR(ENOENT, inotify_add_watch(in, "", IN_MODIFY));
	CHECK_ERR(ENOTDIR, inotify_add_watch(in, f, IN_MODIFY | IN_ONLYDIR));
	CHECK_ERR(ENOTDIR, inotify_add_watch(in, path("ie/f/x"), IN_MODIFY));
	int wd = CHECK_OK(inotify_add_watch(in, f, IN_MODIFY | IN_MASK_CREATE));
	CHECK_ERR(EEXIST, inotify_add_watch(in, f, IN_ATTRIB | IN_MASK_CREATE));
	CHECK_EQ(wd, inotify_add_watch(in, f, IN_ATTRIB));
	CHECK_OK(inotify_add_watch(in, d, IN_ONLYDIR | IN_CREATE));
	/* a symlink: followed, or itself with IN_DONT_FOLLOW */
	CHECK_OK(symlink("f", path("ie/l")));
	CHECK_EQ(wd, inotify_add_watch(in, path("ie/l"), IN_MODIFY));
	int lwd = CHECK_OK(inotify_add_watch(in, path("ie/l"),
					     IN_ALL_EVENTS | IN_DONT_FOLLOW));
	CHECK(lwd != wd);
	CHECK_ERR(ENOENT,
		  inotify_add_watch(in, path("ie/l2"),
				    IN_MODIFY | IN_DONT_FOLLOW));
	CHECK_OK(symlink("none", path("ie/dl")));
	CHECK_ERR(ENOENT, inotify_add_watch(in, path("ie/dl"), IN_MODIFY));
	/* needs read permission */
	CHECK_OK(chmod(f, 0600));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		int i2 = inotify_init1(0);
		int r = inotify_add_watch(i2, f, IN_MODIFY);
		_exit(r < 0 && errno == EACCES ? 0 : 1);
	}
	int st;
	CHECK_OK(waitpid(pid, &st, 0));
	CHECK_EQ(0, WEXITSTATUS(st));
	CHECK_OK(inotify_rm_watch(in, wd));
	CHECK_ERR(EINVAL, inotify_rm_watch(in, wd));
	close(fd);
	close(in);
	CHECK_OK(unlink(path("ie/l")));
	CHECK_OK(unlink(path("ie/dl")));
	CHECK_OK(unlink(f));
	CHECK_OK(rmdir(d));
}

/* Events on names of a watched directory. */
static void t_dir(void)
{
	P(d, "id");
	CHECK_OK(mkdir(d, 0755));
	int in = new_in();
	int wd = CHECK_OK(inotify_add_watch(in, d, IN_ALL_EVENTS));
	CHECK_EQ(1, wd);
	P(f, "id/f");
	int fd = CHECK_OK(open(f, O_CREAT | O_WRONLY, 0644));
	CHECK_STR("1 CREATE f, 1 OPEN f", events(in));
	CHECK_EQ(3, write(fd, "abc", 3));
	CHECK_EQ(1, pwrite(fd, "z", 1, 10));
	CHECK_STR("1 MODIFY f", events(in)); /* merged */
	close(fd);
	CHECK_STR("1 CLOSE_WRITE f", events(in));
	CHECK_OK(chmod(f, 0600));
	CHECK_OK(chown(f, getuid(), getgid()));
	CHECK_STR("1 ATTRIB f", events(in));
	fd = CHECK_OK(open(f, O_RDONLY));
	char b[4];
	CHECK_EQ(4, read(fd, b, 4));
	CHECK_EQ(0, pread(fd, b, 4, 100));
	close(fd);
	CHECK_STR("1 OPEN f, 1 ACCESS f, 1 CLOSE_NOWRITE f", events(in));
	CHECK_OK(truncate(f, 2));
	fd = CHECK_OK(open(f, O_RDWR | O_TRUNC));
	CHECK_OK(ftruncate(fd, 5));
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	CHECK_OK(futimens(fd, ts));
	close(fd);
	CHECK_STR("1 MODIFY f, 1 OPEN f, 1 MODIFY f, 1 ACCESS f, "
		  "1 CLOSE_WRITE f",
		  events(in));
	CHECK_OK(mkdir(path("id/sub"), 0755));
	CHECK_OK(rename(f, path("id/g")));
	CHECK_OK(rename(path("id/sub"), path("id/sub2")));
	CHECK_OK(link(path("id/g"), path("id/h")));
	CHECK_OK(symlink("g", path("id/s")));
	CHECK_OK(mknod(path("id/n"), S_IFREG | 0644, 0));
	CHECK_STR("1 CREATE|ISDIR sub, 1 MOVED_FROM c1 f, 1 MOVED_TO c1 g, "
		  "1 MOVED_FROM|ISDIR c2 sub, 1 MOVED_TO|ISDIR c2 sub2, "
		  "1 CREATE h, 1 CREATE s, 1 CREATE n",
		  events(in));
	/* a rename over an existing name */
	CHECK_OK(rename(path("id/n"), path("id/h")));
	CHECK_OK(unlink(path("id/g")));
	CHECK_OK(unlink(path("id/h")));
	CHECK_OK(unlink(path("id/s")));
	CHECK_OK(rmdir(path("id/sub2")));
	CHECK_STR("1 MOVED_FROM c1 n, 1 MOVED_TO c1 h, 1 DELETE g, "
		  "1 DELETE h, 1 DELETE s, 1 DELETE|ISDIR sub2",
		  events(in));
	/* listing it: its own events */
	DIR *dp = opendir(d);
	CHECK(dp != NULL);
	while (readdir(dp))
		;
	closedir(dp);
	CHECK_STR("1 OPEN|ISDIR, 1 ACCESS|ISDIR, 1 CLOSE_NOWRITE|ISDIR",
		  events(in));
	/* a name that exists before the watch */
	close(in);
	touch(path("id/old"));
	CHECK_OK(mkdir(path("id/olddir"), 0755));
	in = new_in();
	CHECK_EQ(1, inotify_add_watch(in, d, IN_ALL_EVENTS));
	CHECK_OK(unlink(path("id/old")));
	CHECK_OK(rmdir(path("id/olddir")));
	CHECK_STR("1 DELETE old, 1 DELETE|ISDIR olddir", events(in));
	CHECK_OK(rmdir(d));
	CHECK_STR("1 DELETE_SELF, 1 IGNORED", events(in));
	close(in);
}

/* A watched file's own events, with its directory's. */
static void t_self(void)
{
	P(d, "is");
	CHECK_OK(mkdir(d, 0755));
	P(f, "is/f");
	touch(f);
	int in = new_in();
	CHECK_EQ(1, inotify_add_watch(in, d, IN_ALL_EVENTS));
	CHECK_EQ(2, inotify_add_watch(in, f, IN_ALL_EVENTS));
	CHECK_OK(chmod(f, 0600));
	int fd = CHECK_OK(open(f, O_RDWR));
	CHECK_EQ(1, write(fd, "x", 1));
	close(fd);
	CHECK_STR("1 ATTRIB f, 2 ATTRIB, 1 OPEN f, 2 OPEN, 1 MODIFY f, "
		  "2 MODIFY, 1 CLOSE_WRITE f, 2 CLOSE_WRITE",
		  events(in));
	CHECK_OK(rename(f, path("is/g")));
	CHECK_STR("1 MOVED_FROM c1 f, 1 MOVED_TO c1 g, 2 MOVE_SELF",
		  events(in));
	CHECK_OK(link(path("is/g"), path("is/h")));
	CHECK_OK(unlink(path("is/g")));
	CHECK_STR("2 ATTRIB, 1 CREATE h, 2 ATTRIB, 1 DELETE g", events(in));
	CHECK_OK(unlink(path("is/h")));
	CHECK_STR("2 ATTRIB, 2 DELETE_SELF, 2 IGNORED, 1 DELETE h", events(in));
	/* unlinked while open: DELETE_SELF at the last close */
	touch(f);
	CHECK_EQ(3, inotify_add_watch(in, f, IN_ALL_EVENTS));
	fd = CHECK_OK(open(f, O_RDONLY));
	CHECK_OK(unlink(f));
	CHECK_STR("1 CREATE f, 1 OPEN f, 1 CLOSE_WRITE f, 1 OPEN f, 3 OPEN, "
		  "3 ATTRIB, 1 DELETE f",
		  events(in));
	close(fd);
	/* the parent still hears of it (no IN_EXCL_UNLINK) */
	CHECK_STR("1 CLOSE_NOWRITE f, 3 CLOSE_NOWRITE, 3 DELETE_SELF, "
		  "3 IGNORED",
		  events(in));
	/* a rename over a watched file */
	touch(f);
	touch(path("is/v"));
	CHECK_EQ(4, inotify_add_watch(in, path("is/v"), IN_ALL_EVENTS));
	CHECK_EQ(5, inotify_add_watch(in, f, IN_ALL_EVENTS));
	CHECK_OK(rename(f, path("is/v")));
	CHECK_STR("1 CREATE f, 1 OPEN f, 1 CLOSE_WRITE f, 1 CREATE v, "
		  "1 OPEN v, 1 CLOSE_WRITE v, 1 MOVED_FROM c1 f, "
		  "1 MOVED_TO c1 v, 4 ATTRIB, 5 MOVE_SELF, 4 DELETE_SELF, "
		  "4 IGNORED",
		  events(in));
	CHECK_OK(unlink(path("is/v")));
	CHECK_STR("5 ATTRIB, 5 DELETE_SELF, 5 IGNORED, 1 DELETE v", events(in));
	/* a watched subdirectory */
	CHECK_OK(mkdir(path("is/sub"), 0755));
	CHECK_EQ(6, inotify_add_watch(in, path("is/sub"), IN_ALL_EVENTS));
	CHECK_OK(chmod(path("is/sub"), 0700));
	touch(path("is/sub/x"));
	CHECK_OK(unlink(path("is/sub/x")));
	CHECK_OK(rename(path("is/sub"), path("is/sub2")));
	CHECK_OK(rmdir(path("is/sub2")));
	CHECK_STR("1 CREATE|ISDIR sub, 1 ATTRIB|ISDIR sub, 6 ATTRIB|ISDIR, "
		  "6 CREATE x, 6 OPEN x, 6 CLOSE_WRITE x, 6 DELETE x, "
		  "1 MOVED_FROM|ISDIR c1 sub, 1 MOVED_TO|ISDIR c1 sub2, "
		  "6 MOVE_SELF, 6 DELETE_SELF, 6 IGNORED, 1 DELETE|ISDIR sub2",
		  events(in));
	close(in);
	CHECK_OK(rmdir(d));
}

static void t_flags(void)
{
	P(d, "if");
	CHECK_OK(mkdir(d, 0755));
	P(f, "if/f");
	touch(f);
	int in = new_in();
	/* IN_ONESHOT */
	CHECK_EQ(1, inotify_add_watch(in, f, IN_ATTRIB | IN_ONESHOT));
	CHECK_OK(chmod(f, 0600));
	CHECK_OK(chmod(f, 0644));
	CHECK_STR("1 ATTRIB, 1 IGNORED", events(in));
	/* IN_MASK_ADD adds; without it the mask is replaced */
	CHECK_EQ(2, inotify_add_watch(in, f, IN_ATTRIB));
	CHECK_EQ(2, inotify_add_watch(in, f, IN_MODIFY | IN_MASK_ADD));
	CHECK_OK(chmod(f, 0600));
	CHECK_OK(truncate(f, 3));
	CHECK_STR("2 ATTRIB, 2 MODIFY", events(in));
	CHECK_EQ(2, inotify_add_watch(in, f, IN_MODIFY));
	CHECK_OK(chmod(f, 0644));
	CHECK_OK(truncate(f, 4));
	CHECK_STR("2 MODIFY", events(in));
	/* one wd for two names of one inode; a second instance */
	CHECK_OK(link(f, path("if/g")));
	CHECK_EQ(2, inotify_add_watch(in, path("if/g"), IN_ATTRIB));
	int in2 = new_in();
	CHECK_EQ(1, inotify_add_watch(in2, path("if/g"), IN_ATTRIB));
	CHECK_OK(chmod(f, 0600));
	CHECK_STR("2 ATTRIB", events(in));
	CHECK_STR("1 ATTRIB", events(in2));
	/* FIONREAD, then inotify_rm_watch: IN_IGNORED, nothing after */
	CHECK_OK(chmod(f, 0644));
	usleep(50000);
	int n = 0;
	CHECK_OK(ioctl(in, FIONREAD, &n));
	CHECK_EQ(16, n);
	CHECK_OK(inotify_rm_watch(in, 2));
	CHECK_STR("2 ATTRIB, 2 IGNORED", events(in));
	CHECK_OK(chmod(f, 0600));
	CHECK_STR("", events(in));
	/* two identical events in a row are one */
	CHECK_STR("1 ATTRIB", events(in2));
	close(in2);
	/* IN_EXCL_UNLINK: nothing from a child once unlinked */
	CHECK_EQ(3, inotify_add_watch(in, d, IN_MODIFY | IN_EXCL_UNLINK));
	int fd = CHECK_OK(open(f, O_WRONLY));
	CHECK_EQ(1, write(fd, "x", 1));
	CHECK_OK(unlink(f));
	CHECK_EQ(1, write(fd, "x", 1));
	close(fd);
	CHECK_STR("3 MODIFY f", events(in));
	close(in);
	CHECK_OK(unlink(path("if/g")));
	CHECK_OK(rmdir(d));
}

/* Another process's changes; a host and a pool watch in one instance. */
static void t_others(void)
{
	P(d, "io");
	CHECK_OK(mkdir(d, 0755));
	HP(h, "io-host");
	CHECK_OK(mkdir(h, 0755));
	int in = new_in();
	CHECK_EQ(1, inotify_add_watch(in, d, IN_CREATE | IN_DELETE));
	CHECK_EQ(2, inotify_add_watch(in, h, IN_CREATE | IN_DELETE));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		close(open(path("io/a"), O_CREAT | O_WRONLY, 0644));
		close(open(hpath("io-host/b"), O_CREAT | O_WRONLY, 0644));
		unlink(path("io/a"));
		unlink(hpath("io-host/b"));
		_exit(0);
	}
	int st;
	CHECK_OK(waitpid(pid, &st, 0));
	CHECK_STR("1 CREATE a, 2 CREATE b, 1 DELETE a, 2 DELETE b", events(in));
	close(in);
	CHECK_OK(rmdir(d));
	CHECK_OK(rmdir(h));
}

/* ---- random ---------------------------------------------------------- */

static uint64_t rs;
static unsigned rnd(unsigned n)
{
	rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rs >> 33) % n;
}

static void t_random(void)
{
	const char *e = getenv("PFTEST_SEEDS");
	int seeds = e ? atoi(e) : 10;
	const char *o = getenv("PFTEST_OPS");
	int nops = o ? atoi(o) : 120;
	const char *f = getenv("PFTEST_SEED0");
	int first = f ? atoi(f) : 1;
	for (int seed = first; seed < first + seeds; seed++) {
		rs = (uint64_t)seed;
		char root[256];
		snprintf(root, sizeof(root), "%s/r%d", g_dir, seed);
		CHECK_OK(mkdir(root, 0755));
		static const char *dirs[] = { "", "/a", "/b", "/a/c" };
		static const char *names[] = { "x", "y", "z", "d1", "d2" };
		char p[512], q[512];
		for (int i = 1; i < 4; i++) {
			snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
			CHECK_OK(mkdir(p, 0755));
		}
		int in = new_in();
		for (int i = 0; i < 4; i++) {
			snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
			CHECK_OK(inotify_add_watch(in, p, IN_ALL_EVENTS));
		}
		int fds[4] = { -1, -1, -1, -1 };
		for (int op = 0; op < nops; op++) {
			snprintf(p, sizeof(p), "%s%s/%s", root, dirs[rnd(4)],
				 names[rnd(5)]);
			snprintf(q, sizeof(q), "%s%s/%s", root, dirs[rnd(4)],
				 names[rnd(5)]);
			int k = (int)rnd(4);
			char buf[64];
			unsigned what = rnd(14);
			if (getenv("PFTEST_VERBOSE"))
				fprintf(stderr, "op %d: %u k=%d %s %s\n", op,
					what, k, p + strlen(root),
					q + strlen(root));
			switch (what) {
			case 0:
				if (fds[k] < 0)
					fds[k] =
						open(p, O_CREAT | O_RDWR, 0644);
				break;
			case 1:
				if (fds[k] >= 0 &&
				    write(fds[k], "data", 1 + rnd(4)) < 0)
					break;
				break;
			case 2:
				if (fds[k] >= 0 && pread(fds[k], buf, 8, 0) < 0)
					break;
				break;
			case 3:
				if (fds[k] >= 0)
					close(fds[k]);
				fds[k] = -1;
				break;
			case 4: (void)!mkdir(p, 0755); break;
			case 5: (void)!rmdir(p); break;
			case 6: (void)!unlink(p); break;
			case 7: (void)!rename(p, q); break;
			case 8: (void)!link(p, q); break;
			case 9: (void)!chmod(p, 0600 + rnd(2) * 044); break;
			case 10: (void)!truncate(p, rnd(8)); break;
			case 11: {
				int fd = open(p, O_RDONLY);
				if (fd >= 0) {
					if (read(fd, buf, 8) < 0)
						buf[0] = 0;
					close(fd);
				}
				break;
			}
			case 12: {
				snprintf(p, sizeof(p), "%s%s", root,
					 dirs[rnd(4)]);
				/* a watch on a file, now and then */
				snprintf(q, sizeof(q), "%s%s/%s", root,
					 dirs[rnd(4)], names[rnd(3)]);
				(void)!inotify_add_watch(in, q, IN_ALL_EVENTS);
				break;
			}
			case 13: {
				int fd = open(p, O_WRONLY | O_APPEND);
				if (fd >= 0) {
					if (write(fd, "q", 1) < 0)
						buf[0] = 0;
					close(fd);
				}
				break;
			}
			}
		}
		for (int i = 0; i < 4; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		/* any pool call hears the closes before it (else the
		 * 10 ms tick, and a reader may come in between) */
		struct stat sb;
		CHECK_OK(stat(root, &sb));
		const char *ev = events_q(in, 300);
		printf("T seed %d: %s\n", seed, ev);
		close(in);
		/* clean up */
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		CHECK_EQ(0, system(cmd));
	}
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "errnos", t_errnos }, { "dir", t_dir },
		{ "self", t_self },	{ "flags", t_flags },
		{ "others", t_others }, { NULL, NULL },
	};
	static const struct pft_case rcases[] = { { "random", t_random },
						  { NULL, NULL } };
	if (argc > 3 && !strcmp(argv[3], "random"))
		return pft_run(rcases, argc, argv);
	return pft_run(cases, argc, argv);
}
