/*
 * File descriptor family: fcntl (F_GETFL/F_SETFL/F_GETFD/F_SETFD/F_DUPFD/
 * F_DUPFD_CLOEXEC), dup/dup2/dup3 with shared offsets, lowest free number,
 * offsets shared across fork, O_CLOEXEC/FD_CLOEXEC across exec (re-execs
 * itself), close_range, fds over a unix socket, unlinked open files,
 * /proc/self/fd links, EMFILE, cwd inherited across fork and vfork+exec.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char *g_self; /* this program, for re-exec */

static void t_fcntl(void)
{
	write_file(path("fc"), "0123456789");
	int fd = CHECK_OK(open(path("fc"), O_RDWR | O_APPEND));
	CHECK_EQ(O_RDWR | O_APPEND,
		 fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	CHECK_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
	CHECK_EQ(O_RDWR | O_NONBLOCK,
		 fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	/* F_SETFL cannot change the access mode */
	CHECK_OK(fcntl(fd, F_SETFL, O_WRONLY | O_APPEND));
	CHECK_EQ(O_RDWR | O_APPEND,
		 fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND));
	/* without O_APPEND now: a write goes at the offset */
	CHECK_OK(fcntl(fd, F_SETFL, 0));
	CHECK_EQ(0, lseek(fd, 0, SEEK_SET));
	CHECK_EQ(2, write(fd, "AB", 2));
	char buf[16];
	CHECK_EQ(10, pread(fd, buf, 10, 0));
	CHECK_MEM("AB23456789", buf, 10);
	CHECK_EQ(0, fcntl(fd, F_GETFD));
	CHECK_OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
	CHECK_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	int d = CHECK_OK(fcntl(fd, F_DUPFD, 40));
	CHECK(d >= 40);
	CHECK_EQ(0, fcntl(d, F_GETFD)); /* F_DUPFD clears FD_CLOEXEC */
	int e = CHECK_OK(fcntl(fd, F_DUPFD_CLOEXEC, 50));
	CHECK(e >= 50);
	CHECK_EQ(FD_CLOEXEC, fcntl(e, F_GETFD));
	/* status flags are shared by the duplicates (one description) */
	CHECK_OK(fcntl(d, F_SETFL, O_APPEND));
	CHECK(fcntl(e, F_GETFL) & O_APPEND);
	CHECK_ERR(EBADF, fcntl(9999, F_GETFL));
	CHECK_ERR(EINVAL, fcntl(fd, F_DUPFD, -1));
	close(d);
	close(e);
	close(fd);
	CHECK_OK(unlink(path("fc")));
}

static void t_dup_offsets(void)
{
	write_file(path("dup"), "abcdefghijklmnopqrstuvwxyz");
	int fd = CHECK_OK(open(path("dup"), O_RDONLY));
	int d1 = CHECK_OK(dup(fd));
	char c[4];
	CHECK_EQ(3, read(fd, c, 3));
	CHECK_EQ(3, lseek(d1, 0, SEEK_CUR));
	CHECK_EQ(2, read(d1, c, 2));
	CHECK_MEM("de", c, 2);
	CHECK_EQ(5, lseek(fd, 0, SEEK_CUR));
	int d2 = CHECK_OK(dup2(fd, 77));
	CHECK_EQ(77, d2);
	CHECK_EQ(10, lseek(77, 10, SEEK_SET));
	CHECK_EQ(10, lseek(fd, 0, SEEK_CUR));
	CHECK_EQ(fd, dup2(fd, fd));
	CHECK_ERR(EINVAL, dup3(fd, fd, 0));
	CHECK_EQ(78, dup3(fd, 78, O_CLOEXEC));
	CHECK_EQ(FD_CLOEXEC, fcntl(78, F_GETFD));
	CHECK_ERR(EINVAL, dup3(fd, 79, O_APPEND));
	CHECK_ERR(EBADF, dup(9999));
	CHECK_ERR(EBADF, dup2(9999, 80));
	/* dup2 over an open pool fd closes it first */
	int other = CHECK_OK(open(path("dup"), O_RDONLY));
	CHECK_EQ(other, dup2(fd, other));
	CHECK_EQ(10, lseek(other, 0, SEEK_CUR));
	/* dup2 onto stdin: reads come from the pool file */
	int saved = CHECK_OK(dup(0));
	CHECK_EQ(0, dup2(fd, 0));
	CHECK_EQ(3, read(0, c, 3));
	CHECK_MEM("klm", c, 3);
	CHECK_EQ(0, dup2(saved, 0));
	close(saved);
	/* separate opens have separate offsets */
	int sep = CHECK_OK(open(path("dup"), O_RDONLY));
	CHECK_EQ(0, lseek(sep, 0, SEEK_CUR));
	close(sep);
	close(other);
	close(77);
	close(78);
	close(d1);
	close(fd);
	CHECK_OK(unlink(path("dup")));
}

static void t_lowest_fd(void)
{
	int a = CHECK_OK(open(path("low"), O_RDWR | O_CREAT, 0644));
	int b = CHECK_OK(open(path("low"), O_RDONLY));
	CHECK(b > a);
	CHECK_OK(close(a));
	int c = CHECK_OK(open(path("low"), O_RDONLY));
	CHECK_EQ(a, c);
	/* a host open after it takes the next lowest too */
	CHECK_OK(close(c));
	int h = CHECK_OK(open("/dev/null", O_RDONLY));
	CHECK_EQ(a, h);
	close(h);
	close(b);
	CHECK_ERR(EBADF, close(b));
	CHECK_OK(unlink(path("low")));
}

static void t_fork_offsets(void)
{
	write_file(path("fk"), "0123456789abcdef");
	int fd = CHECK_OK(open(path("fk"), O_RDWR));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		char c[5];
		if (read(fd, c, 5) != 5)
			_exit(2);
		if (write(fd, "XY", 2) != 2)
			_exit(3);
		_exit(0);
	}
	CHECK_EQ(0, wait_child(pid));
	CHECK_EQ(7, lseek(fd, 0, SEEK_CUR));
	char buf[17];
	CHECK_EQ(16, pread(fd, buf, 16, 0));
	CHECK_MEM("01234XY789abcdef", buf, 16);
	/* the child sees the parent's later moves too */
	CHECK_EQ(12, lseek(fd, 12, SEEK_SET));
	pid = CHECK_OK(fork());
	if (pid == 0)
		_exit(lseek(fd, 0, SEEK_CUR) == 12 ? 0 : 4);
	CHECK_EQ(0, wait_child(pid));
	close(fd);
	CHECK_OK(unlink(path("fk")));
}

/* --exec-check CLOEXEC_FD KEPT_FD: runs after execve */
static int exec_check(int cfd, int kfd)
{
	if (fcntl(cfd, F_GETFD) != -1 || errno != EBADF) {
		fprintf(stderr, "O_CLOEXEC fd %d survived exec\n", cfd);
		return 10;
	}
	if (fcntl(kfd, F_GETFD) != 0) {
		fprintf(stderr, "kept fd %d: F_GETFD %d errno %d\n", kfd,
			fcntl(kfd, F_GETFD), errno);
		return 11;
	}
	if (lseek(kfd, 0, SEEK_CUR) != 4) {
		fprintf(stderr, "kept fd offset %lld, want 4\n",
			(long long)lseek(kfd, 0, SEEK_CUR));
		return 12;
	}
	char buf[8] = { 0 };
	if (read(kfd, buf, 4) != 4 || memcmp(buf, "4567", 4) != 0) {
		fprintf(stderr, "kept fd read '%s'\n", buf);
		return 13;
	}
	if (write(kfd, "W", 1) != -1 || errno != EBADF) {
		fprintf(stderr, "write on O_RDONLY kept fd did not fail EBADF\n");
		return 14;
	}
	return 0;
}

static void t_cloexec_exec(void)
{
	write_file(path("ce"), "0123456789");
	int cfd = CHECK_OK(open(path("ce"), O_RDONLY | O_CLOEXEC));
	int kfd = CHECK_OK(open(path("ce"), O_RDONLY));
	int sfd = CHECK_OK(open(path("ce"), O_RDONLY));
	CHECK_OK(fcntl(sfd, F_SETFD, FD_CLOEXEC)); /* set later, same effect */
	CHECK_EQ(4, lseek(kfd, 4, SEEK_SET));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%d", cfd);
		snprintf(b, sizeof(b), "%d", kfd);
		execl(g_self, g_self, "--exec-check", a, b, (char *)NULL);
		_exit(127);
	}
	CHECK_EQ(0, wait_child(pid));
	pid = CHECK_OK(fork());
	if (pid == 0) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%d", sfd);
		snprintf(b, sizeof(b), "%d", kfd);
		CHECK_EQ(4, lseek(kfd, 4, SEEK_SET));
		execl(g_self, g_self, "--exec-check", a, b, (char *)NULL);
		_exit(127);
	}
	CHECK_EQ(0, wait_child(pid));
	/* the exec'd child moved the shared offset */
	CHECK_EQ(8, lseek(kfd, 0, SEEK_CUR));
	close(cfd);
	close(kfd);
	close(sfd);
	CHECK_OK(unlink(path("ce")));
}

static void t_close_range(void)
{
	write_file(path("cr"), "x");
	int base = CHECK_OK(open(path("cr"), O_RDONLY));
	CHECK_EQ(100, dup2(base, 100));
	CHECK_EQ(101, dup2(base, 101));
	CHECK_EQ(102, dup2(base, 102));
	CHECK_OK(syscall(SYS_close_range, 100, 101, CLOSE_RANGE_CLOEXEC));
	CHECK_EQ(FD_CLOEXEC, fcntl(100, F_GETFD));
	CHECK_EQ(FD_CLOEXEC, fcntl(101, F_GETFD));
	CHECK_EQ(0, fcntl(102, F_GETFD));
	CHECK_OK(syscall(SYS_close_range, 100, ~0U, 0));
	CHECK_ERR(EBADF, fcntl(100, F_GETFD));
	CHECK_ERR(EBADF, fcntl(102, F_GETFD));
	CHECK_EQ(0, fcntl(base, F_GETFD));
	CHECK_ERR(EINVAL, syscall(SYS_close_range, 10, 5, 0));
	/* the description is still usable through base */
	char c;
	CHECK_EQ(1, read(base, &c, 1));
	close(base);
	CHECK_OK(unlink(path("cr")));
}

static void t_scm_rights(void)
{
	write_file(path("scm"), "passed over a socket");
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		close(sv[0]);
		int fd = open(path("scm"), O_RDONLY);
		if (fd < 0 || lseek(fd, 7, SEEK_SET) != 7)
			_exit(2);
		_exit(pft_send_fd(sv[1], fd) == 0 ? 0 : 3);
	}
	close(sv[1]);
	int fd = pft_recv_fd(sv[0]);
	CHECK(fd >= 0);
	CHECK_EQ(0, wait_child(pid));
	/* the sender has exited; the description and its offset live on */
	CHECK_EQ(7, lseek(fd, 0, SEEK_CUR));
	char buf[8] = { 0 };
	CHECK_EQ(4, read(fd, buf, 4));
	CHECK_MEM("over", buf, 4);
	close(fd);
	close(sv[0]);
	CHECK_OK(unlink(path("scm")));
}

static void t_unlinked_open(void)
{
	int fd = CHECK_OK(open(path("ul"), O_RDWR | O_CREAT, 0644));
	CHECK_EQ(10, write(fd, "still here", 10));
	int fd2 = CHECK_OK(dup(fd));
	CHECK_OK(unlink(path("ul")));
	struct stat st;
	CHECK_ERR(ENOENT, stat(path("ul"), &st));
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(0, st.st_nlink);
	CHECK_EQ(10, st.st_size);
	close(fd);
	char buf[16];
	CHECK_EQ(10, pread(fd2, buf, 10, 0));
	CHECK_MEM("still here", buf, 10);
	CHECK_EQ(1, pwrite(fd2, "!", 1, 10));
	CHECK_OK(fstat(fd2, &st));
	CHECK_EQ(11, st.st_size);
	/* a new file of the same name is a different file */
	int fd3 = CHECK_OK(open(path("ul"), O_RDWR | O_CREAT | O_EXCL, 0644));
	struct stat st3;
	CHECK_OK(fstat(fd3, &st3));
	CHECK(st3.st_ino != st.st_ino);
	CHECK_EQ(0, st3.st_size);
	close(fd3);
	close(fd2);
	CHECK_OK(unlink(path("ul")));
}

static void t_proc_fd_links(void)
{
	write_file(path("pl"), "proc link");
	int fd = CHECK_OK(open(path("pl"), O_RDONLY));
	char link[64], buf[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = CHECK_OK(readlink(link, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	CHECK_STR(path("pl"), buf);
	/* opening /proc/self/fd/N opens the same file (a new description) */
	int again = CHECK_OK(open(link, O_RDONLY));
	char data[16] = { 0 };
	CHECK_EQ(9, read(again, data, 9));
	CHECK_STR("proc link", data);
	CHECK_EQ(0, lseek(fd, 0, SEEK_CUR));
	close(again);
	snprintf(link, sizeof(link), "/dev/fd/%d", fd);
	n = CHECK_OK(readlink(link, buf, sizeof(buf) - 1));
	struct stat a, b;
	CHECK_OK(fstat(fd, &a));
	CHECK_OK(stat(link, &b));
	CHECK_EQ(b.st_ino, a.st_ino);
	CHECK_EQ(9, b.st_size);
	close(fd);
	CHECK_OK(unlink(path("pl")));
	/* the link names the open file, not a path: it still opens the
	 * file after its directory was renamed */
	CHECK_OK(mkdir(path("pld"), 0755));
	write_file(path("pld/f"), "moved");
	fd = CHECK_OK(open(path("pld/f"), O_RDONLY));
	CHECK_OK(rename(path("pld"), path("pld2")));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	again = CHECK_OK(open(link, O_RDONLY));
	memset(data, 0, sizeof(data));
	CHECK_EQ(5, read(again, data, sizeof(data)));
	CHECK_STR("moved", data);
	CHECK_OK(stat(link, &b));
	CHECK_OK(fstat(fd, &a));
	CHECK_EQ(b.st_ino, a.st_ino);
	/* truncate(2) through it */
	close(again);
	again = CHECK_OK(open(path("pld2/f"), O_WRONLY));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", again);
	CHECK_OK(truncate(link, 2));
	CHECK_OK(fstat(fd, &a));
	CHECK_EQ(2, a.st_size);
	/* /proc/self/fdinfo/N: the pool file's position and flags, the fd's
	 * O_CLOEXEC, the inode, the mount id statx reports */
	int afd = CHECK_OK(open(path("pld2/f"), O_WRONLY | O_APPEND | O_CLOEXEC));
	CHECK_EQ(3, lseek(afd, 3, SEEK_SET));
	char info[64], text[512];
	snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", afd);
	CHECK(read_file(info, text, sizeof(text)) > 0);
	long long pos = -1;
	unsigned long fl = 0, ino = 0;
	int mnt = -1;
	char *l = strstr(text, "pos:");
	CHECK(l && sscanf(l, "pos: %lld", &pos) == 1);
	CHECK_EQ(3, pos);
	l = strstr(text, "flags:");
	CHECK(l && sscanf(l, "flags: %lo", &fl) == 1);
	CHECK_EQ(O_WRONLY | O_APPEND | O_CLOEXEC | 0100000, fl);
	l = strstr(text, "mnt_id:");
	CHECK(l && sscanf(l, "mnt_id: %d", &mnt) == 1);
	l = strstr(text, "ino:");
	CHECK(l && sscanf(l, "ino: %lu", &ino) == 1);
	struct statx sx;
	CHECK_OK(statx(afd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
	CHECK_EQ(sx.stx_ino, ino);
	CHECK(sx.stx_mask & STATX_MNT_ID);
	CHECK_EQ(sx.stx_mnt_id, mnt);
	close(afd);
	/* an O_PATH|O_NOFOLLOW fd of a symlink names the symlink itself:
	 * stat through the link shows it, opening it for reading is ELOOP */
	CHECK_OK(symlink("f", path("pld2/sl")));
	int sfd = CHECK_OK(open(path("pld2/sl"), O_PATH | O_NOFOLLOW));
	snprintf(link, sizeof(link), "/proc/self/fd/%d", sfd);
	CHECK_OK(stat(link, &b));
	CHECK(S_ISLNK(b.st_mode));
	CHECK_ERR(ELOOP, open(link, O_RDONLY));
	close(sfd);
	CHECK_OK(unlink(path("pld2/sl")));
	/* "fd/N/" of a file: ENOTDIR */
	snprintf(link, sizeof(link), "/proc/self/fd/%d/", fd);
	CHECK_ERR(ENOTDIR, stat(link, &b));
	close(again);
	close(fd);
	CHECK_OK(unlink(path("pld2/f")));
	CHECK_OK(rmdir(path("pld2")));
}

/*
 * A shell's command substitution: pipe, fork, close the write end, read
 * to EOF, while SIGCHLD (with a handler and no SA_RESTART, as dash and
 * busybox sh install it) arrives from the child. A close must never fail
 * with EINTR (Linux's close does not): an fd left open keeps the reader
 * from EOF for ever, which is how dash hung under pmemfile-run.
 */
static volatile sig_atomic_t chld_seen;
static void on_chld(int sig)
{
	chld_seen++;
}

static atomic_int hammer_stop;

/* Trapped calls without a pause, so that the others queue behind them. */
static void *hammer(void *arg)
{
	struct stat st;
	while (!hammer_stop)
		stat((const char *)arg, &st);
	return NULL;
}

/* fd's /proc/self/fd text, below g_dir */
static const char *fd_name(int fd)
{
	static char buf[PATH_MAX];
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = CHECK_OK(readlink(link, buf, sizeof(buf) - 1));
	buf[n] = '\0';
	size_t l = strlen(g_dir);
	return strncmp(buf, g_dir, l) == 0 ? buf + l : buf;
}

/* The name /proc/self/fd shows is where symlinks led, follows renames of
 * the file and of its directories, and is "(deleted)" once that name is
 * unlinked or renamed over, though another link of the file remains. */
static void t_proc_fd_names(void)
{
	CHECK_OK(mkdir(path("fn"), 0755));
	CHECK_OK(mkdir(path("fn/x"), 0755));
	write_file(path("fn/x/f"), "f");
	CHECK_OK(symlink("x/f", path("fn/lf")));
	CHECK_OK(symlink("x", path("fn/lx")));
	int a = CHECK_OK(open(path("fn/lf"), O_RDONLY));
	CHECK_STR("/fn/x/f", fd_name(a));
	int b = CHECK_OK(open(path("fn/lx/../lx/./f"), O_RDONLY));
	CHECK_STR("/fn/x/f", fd_name(b));
	int c = CHECK_OK(open(path("fn/lx/new"), O_CREAT | O_WRONLY, 0644));
	CHECK_STR("/fn/x/new", fd_name(c));
	int l = CHECK_OK(open(path("fn/lx"), O_PATH | O_NOFOLLOW));
	CHECK_STR("/fn/lx", fd_name(l));
	CHECK_OK(rename(path("fn/x/f"), path("fn/x/g")));
	CHECK_STR("/fn/x/g", fd_name(a));
	CHECK_OK(rename(path("fn/x"), path("fn/y")));
	CHECK_STR("/fn/y/g", fd_name(b));
	CHECK_STR("/fn/y/new", fd_name(c));
	/* renaming a link of the same file moves nothing */
	CHECK_OK(link(path("fn/y/g"), path("fn/y/h")));
	CHECK_OK(rename(path("fn/y/h"), path("fn/y/g")));
	CHECK_STR("/fn/y/g", fd_name(a));
	/* the name goes, the file stays (another link) */
	CHECK_OK(unlink(path("fn/y/g")));
	CHECK_STR("/fn/y/g (deleted)", fd_name(a));
	/* renamed over */
	write_file(path("fn/y/o"), "o");
	CHECK_OK(link(path("fn/y/new"), path("fn/y/keep")));
	CHECK_OK(rename(path("fn/y/o"), path("fn/y/new")));
	CHECK_STR("/fn/y/new (deleted)", fd_name(c));
	close(a);
	close(b);
	close(c);
	close(l);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path("fn"));
	CHECK_EQ(0, system(cmd));
}

static void t_close_not_interrupted(void)
{
	struct sigaction sa = { .sa_handler = on_chld }, old;
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGCHLD, &sa, &old));
	/* SIGCHLD to this thread only: the hammers block it */
	sigset_t chld, prev;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	pthread_sigmask(SIG_BLOCK, &chld, &prev);
	write_file(path("hammered"), "h");
	pthread_t h[2];
	hammer_stop = 0;
	for (int i = 0; i < 2; i++)
		CHECK(pthread_create(&h[i], NULL, hammer,
				     (void *)path("hammered")) == 0);
	pthread_sigmask(SIG_SETMASK, &prev, NULL);
	for (int i = 0; i < 600; i++) {
		int p[2];
		CHECK_OK(pipe(p));
		pid_t pid = CHECK_OK(fork());
		if (pid == 0) {
			close(p[0]);
			_exit(write(p[1], "x", 1) == 1 ? 0 : 1);
		}
		/* let the child write and exit first, as a busy shell does */
		for (volatile int spin = 0; spin < 20000 * (i % 8); spin++)
			;
		int r = close(p[1]);
		if (r != 0)
			PFT_FAIL("round %d: close of a pipe's write end: %s", i,
				 strerror(errno));
		char b[4];
		ssize_t n, got = 0;
		while ((n = read(p[0], b, sizeof(b))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			CHECK(n > 0);
			got += n;
		}
		CHECK_EQ(1, got);
		close(p[0]);
		int st;
		while (waitpid(pid, &st, 0) < 0)
			CHECK(errno == EINTR);
	}
	hammer_stop = 1;
	for (int i = 0; i < 2; i++)
		pthread_join(h[i], NULL);
	CHECK_OK(sigaction(SIGCHLD, &old, NULL));
	CHECK_OK(unlink(path("hammered")));
}

static void t_emfile(void)
{
	struct rlimit old, lim;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &old));
	lim = old;
	lim.rlim_cur = 64;
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &lim));
	write_file(path("many"), "m");
	int fds[80], n = 0;
	for (;;) {
		int fd = open(path("many"), O_RDONLY);
		if (fd < 0) {
			CHECK_EQ(EMFILE, errno);
			break;
		}
		CHECK(fd < 64);
		fds[n++] = fd;
		CHECK(n < 80);
	}
	CHECK(n > 40);
	close(fds[--n]);
	int fd = CHECK_OK(open(path("many"), O_RDONLY));
	close(fd);
	while (n > 0)
		close(fds[--n]);
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &old));
	CHECK_OK(unlink(path("many")));
}

/* A child (and a grandchild) forked right after the parent changed into a
 * pool directory resolve relative paths there, including the first call
 * after fork being a creat, and after vfork+exec of another program. */
static void t_cwd_inheritance(void)
{
	char saved[4096];
	CHECK(getcwd(saved, sizeof(saved)) != NULL);
	CHECK_OK(mkdir(path("inh"), 0755));
	CHECK_OK(chdir(path("inh")));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		int fd = (int)syscall(SYS_creat, "child-creat", 0644);
		if (fd < 0)
			_exit(2);
		close(fd);
		pid_t g = fork();
		if (g == 0) {
			int f2 = (int)syscall(SYS_creat, "grandchild-creat", 0644);
			_exit(f2 < 0 ? 3 : 0);
		}
		int st;
		waitpid(g, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
	}
	/* the parent keeps making host calls meanwhile */
	for (int i = 0; i < 200; i++) {
		struct stat st;
		stat("/", &st);
	}
	CHECK_EQ(0, wait_child(pid));
	struct stat st;
	CHECK_OK(stat(path("inh/child-creat"), &st));
	CHECK_OK(stat(path("inh/grandchild-creat"), &st));
	/* a child that forks before making any call of its own */
	pid = CHECK_OK(fork());
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(syscall(SYS_creat, "quiet-grandchild", 0644) < 0 ? 5 : 0);
		int s;
		waitpid(g, &s, 0);
		_exit(WIFEXITED(s) ? WEXITSTATUS(s) : 6);
	}
	CHECK_EQ(0, wait_child(pid));
	CHECK_OK(stat(path("inh/quiet-grandchild"), &st));
	/* vfork + exec: /bin/sh writes a relative file */
	pid = vfork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "pwd >vfork-pwd && echo ok >vfork-ok",
			(char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	CHECK_EQ(0, wait_child(pid));
	char buf[4096];
	CHECK_OK(read_file(path("inh/vfork-ok"), buf, sizeof(buf)));
	CHECK_STR("ok\n", buf);
	read_file(path("inh/vfork-pwd"), buf, sizeof(buf));
	char want[4096];
	snprintf(want, sizeof(want), "%s\n", path("inh"));
	CHECK_STR(want, buf);
	/* a vfork'd sh that forks again (a pipeline) */
	pid = vfork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "(echo piped | cat >vfork-sub) && true",
			(char *)NULL);
		_exit(127);
	}
	CHECK(pid > 0);
	CHECK_EQ(0, wait_child(pid));
	read_file(path("inh/vfork-sub"), buf, sizeof(buf));
	CHECK_STR("piped\n", buf);
	CHECK_OK(chdir(saved));
	const char *names[] = { "child-creat", "grandchild-creat",
		"quiet-grandchild", "vfork-pwd", "vfork-ok", "vfork-sub" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char p[64];
		snprintf(p, sizeof(p), "inh/%s", names[i]);
		CHECK_OK(unlink(path(p)));
	}
	CHECK_OK(rmdir(path("inh")));
}

static void *thread_rel_open(void *arg)
{
	(void)arg;
	int fd = open("thread-rel", O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return (void *)(long)errno;
	close(fd);
	return NULL;
}

/* Threads share the cwd: one thread changes into the pool, another
 * resolves a relative path there. O_PATH directory fds work with fchdir. */
static void t_thread_cwd(void)
{
	char saved[4096];
	CHECK(getcwd(saved, sizeof(saved)) != NULL);
	CHECK_OK(mkdir(path("tc"), 0755));
	CHECK_OK(chdir(path("tc")));
	pthread_t t;
	CHECK_EQ(0, pthread_create(&t, NULL, thread_rel_open, NULL));
	void *ret;
	CHECK_EQ(0, pthread_join(t, &ret));
	if (ret != NULL)
		PFT_FAIL("thread's relative open failed: %s", strerror((int)(long)ret));
	struct stat st;
	CHECK_OK(stat(path("tc/thread-rel"), &st));
	CHECK_OK(chdir("/"));
	int pfd = CHECK_OK(open(path("tc"), O_PATH | O_DIRECTORY));
	CHECK_OK(fchdir(pfd));
	close(pfd);
	CHECK_OK(access("thread-rel", F_OK));
	CHECK_OK(unlink("thread-rel"));
	CHECK_OK(chdir(saved));
	CHECK_OK(rmdir(path("tc")));
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--exec-check") == 0)
		return exec_check(atoi(argv[2]), atoi(argv[3]));
	g_self = realpath("/proc/self/exe", NULL);
	if (!g_self) {
		perror("realpath /proc/self/exe");
		return 1;
	}
	static const struct pft_case cases[] = {
		{ "fcntl", t_fcntl },
		{ "dup_offsets", t_dup_offsets },
		{ "lowest_fd", t_lowest_fd },
		{ "fork_offsets", t_fork_offsets },
		{ "cloexec_exec", t_cloexec_exec },
		{ "close_range", t_close_range },
		{ "scm_rights", t_scm_rights },
		{ "unlinked_open", t_unlinked_open },
		{ "proc_fd_links", t_proc_fd_links },
		{ "proc_fd_names", t_proc_fd_names },
		{ "emfile", t_emfile },
		{ "close_not_interrupted", t_close_not_interrupted },
		{ "cwd_inheritance", t_cwd_inheritance },
		{ "thread_cwd", t_thread_cwd },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
