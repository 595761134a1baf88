/*
 * Several processes on one pool: O_APPEND appends from many processes and
 * threads (no lost or interleaved records), fcntl record locks (F_SETLK,
 * F_SETLKW, F_GETLK with the owner's pid, release on close of any fd and on
 * exit), open file description locks, flock.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { WRITERS = 4, RECORDS = 400, RECLEN = 64 };

static void append_records(const char *p, int writer)
{
	int fd = open(p, O_WRONLY | O_APPEND);
	if (fd < 0)
		_exit(20);
	char rec[RECLEN + 1];
	for (int i = 0; i < RECORDS; i++) {
		int n = snprintf(rec, sizeof(rec), "w%02d r%05d ", writer, i);
		memset(rec + n, 'a' + writer, RECLEN - 1 - n);
		rec[RECLEN - 1] = '\n';
		if (write(fd, rec, RECLEN) != RECLEN)
			_exit(21);
	}
	close(fd);
}

static void check_records(const char *p, int writers)
{
	struct stat st;
	CHECK_OK(stat(p, &st));
	CHECK_EQ((long long)writers * RECORDS * RECLEN, st.st_size);
	size_t size = (size_t)st.st_size;
	char *buf = malloc(size + 1);
	CHECK(buf);
	CHECK_EQ((long long)size, read_file(p, buf, size + 1));
	int next[64] = { 0 };
	for (size_t off = 0; off < size; off += RECLEN) {
		int w = -1, r = -1;
		char *rec = buf + off;
		if (rec[RECLEN - 1] != '\n' || sscanf(rec, "w%d r%d ", &w, &r) != 2
			|| w < 0 || w >= writers)
			PFT_FAIL("torn record at offset %zu: '%.*s'", off, RECLEN, rec);
		if (r != next[w])
			PFT_FAIL("writer %d: record %d where %d was due (lost or "
				"reordered)", w, r, next[w]);
		next[w]++;
		for (int k = 12; k < RECLEN - 1; k++)
			if (rec[k] != 'a' + w)
				PFT_FAIL("record at %zu interleaved: '%.*s'", off, RECLEN,
					rec);
	}
	for (int w = 0; w < writers; w++)
		CHECK_EQ(RECORDS, next[w]);
	free(buf);
}

static void t_append_processes(void)
{
	const char *p = path("appendlog");
	int fd = CHECK_OK(open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	close(fd);
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = CHECK_OK(fork());
		if (pids[w] == 0) {
			append_records(p, w);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++)
		CHECK_EQ(0, wait_child(pids[w]));
	check_records(p, WRITERS);
	CHECK_OK(unlink(p));
}

struct thr_arg {
	int fd;
	int writer;
};

static void *append_thread(void *argp)
{
	struct thr_arg *a = argp;
	char rec[RECLEN + 1];
	for (int i = 0; i < RECORDS; i++) {
		int n = snprintf(rec, sizeof(rec), "w%02d r%05d ", a->writer, i);
		memset(rec + n, 'a' + a->writer, RECLEN - 1 - n);
		rec[RECLEN - 1] = '\n';
		if (write(a->fd, rec, RECLEN) != RECLEN)
			return (void *)1;
	}
	return NULL;
}

static void t_append_threads(void)
{
	const char *p = path("threadlog");
	/* one shared description, O_APPEND, several threads */
	int fd = CHECK_OK(open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644));
	pthread_t t[WRITERS];
	struct thr_arg args[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		args[w] = (struct thr_arg){ fd, w };
		CHECK_EQ(0,
			 pthread_create(&t[w], NULL, append_thread, &args[w]));
	}
	for (int w = 0; w < WRITERS; w++) {
		void *ret;
		CHECK_EQ(0, pthread_join(t[w], &ret));
		CHECK(ret == NULL);
	}
	close(fd);
	check_records(p, WRITERS);
	CHECK_OK(unlink(p));
}

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET,
		.l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* Child helpers report through their exit status. */
static int child_try(const char *p, short type, off_t start, off_t len)
{
	int fd = open(p, O_RDWR);
	if (fd < 0)
		return 90;
	int r = setlk(fd, F_SETLK, type, start, len);
	if (r == 0)
		return 0;
	return (errno == EAGAIN || errno == EACCES) ? 1 : 91;
}

static void t_posix_locks(void)
{
	const char *p = path("locks");
	write_file(p, "0123456789");
	int fd = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 100));
	/* another process: conflict, and F_GETLK names the owner */
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		if (child_try(p, F_WRLCK, 50, 10) != 1)
			_exit(2);
		if (child_try(p, F_RDLCK, 0, 1) != 1)
			_exit(3);
		if (child_try(p, F_WRLCK, 100, 100) != 0)
			_exit(4);
		int cfd = open(p, O_RDWR);
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			.l_start = 10, .l_len = 5 };
		if (fcntl(cfd, F_GETLK, &fl) != 0)
			_exit(5);
		if (fl.l_type != F_WRLCK || fl.l_pid != getppid() ||
			fl.l_start != 0 || fl.l_len != 100)
			_exit(6);
		struct flock free_range = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			.l_start = 200, .l_len = 5 };
		if (fcntl(cfd, F_GETLK, &free_range) != 0 ||
			free_range.l_type != F_UNLCK)
			_exit(7);
		_exit(0);
	}
	CHECK_EQ(0, wait_child(pid));
	/* the same process re-locks freely (locks merge/split) */
	CHECK_OK(setlk(fd, F_SETLK, F_RDLCK, 20, 10));
	/* closing ANY fd of the file drops this process's locks (POSIX) */
	int other = CHECK_OK(open(p, O_RDONLY));
	close(other);
	pid = CHECK_OK(fork());
	if (pid == 0)
		_exit(child_try(p, F_WRLCK, 0, 100));
	CHECK_EQ(0, wait_child(pid));
	close(fd);
	pid = CHECK_OK(fork());
	if (pid == 0)
		_exit(child_try(p, F_WRLCK, 0, 100));
	CHECK_EQ(0, wait_child(pid));

	/* a lock held by a process is released when it exits */
	int sync[2];
	CHECK_OK(pipe(sync));
	pid = CHECK_OK(fork());
	if (pid == 0) {
		int cfd = open(p, O_RDWR);
		if (cfd < 0 || setlk(cfd, F_SETLK, F_WRLCK, 0, 0) != 0)
			_exit(2);
		char c = 'L';
		if (write(sync[1], &c, 1) != 1)
			_exit(3);
		pause(); /* killed by the parent */
		_exit(0);
	}
	char c;
	CHECK_EQ(1, read(sync[0], &c, 1));
	fd = CHECK_OK(open(p, O_RDWR));
	CHECK_ERR2(EAGAIN, EACCES, setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	CHECK_OK(fcntl(fd, F_GETLK, &fl));
	CHECK_EQ(F_WRLCK, fl.l_type);
	CHECK_EQ(pid, fl.l_pid);
	CHECK_OK(kill(pid, SIGKILL));
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	close(fd);
	close(sync[0]);
	close(sync[1]);
	CHECK_OK(unlink(p));
}

/* F_SETLKW waits for the holder, without tying up the supervisor: the
 * parent keeps making pool calls while the child waits. */
static void t_setlkw(void)
{
	const char *p = path("lockw");
	write_file(p, "w");
	int fd = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	int got[2];
	CHECK_OK(pipe(got));
	pid_t pids[3];
	for (int k = 0; k < 3; k++) {
		pids[k] = CHECK_OK(fork());
		if (pids[k] == 0) {
			int cfd = open(p, O_RDWR);
			if (cfd < 0 || setlk(cfd, F_SETLKW, F_WRLCK, 0, 0) != 0)
				_exit(2);
			char c = 'A';
			if (write(got[1], &c, 1) != 1)
				_exit(3);
			usleep(20000);
			setlk(cfd, F_SETLK, F_UNLCK, 0, 0);
			_exit(0);
		}
	}
	/* while they wait, the pool keeps serving this process */
	for (int i = 0; i < 200; i++) {
		struct stat st;
		CHECK_OK(stat(p, &st));
	}
	struct pollfd pfd = { .fd = got[0], .events = POLLIN };
	CHECK_EQ(0, poll(&pfd, 1, 300)); /* nobody got the lock yet */
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 0));
	for (int k = 0; k < 3; k++) {
		char c;
		CHECK_EQ(1, poll(&pfd, 1, 20000));
		CHECK_EQ(1, read(got[0], &c, 1));
	}
	for (int k = 0; k < 3; k++)
		CHECK_EQ(0, wait_child(pids[k]));
	close(got[0]);
	close(got[1]);
	close(fd);
	CHECK_OK(unlink(p));
}

static void t_ofd_locks(void)
{
	const char *p = path("ofd");
	write_file(p, "ofd");
	int a = CHECK_OK(open(p, O_RDWR));
	int b = CHECK_OK(open(p, O_RDWR));
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
		.l_start = 0, .l_len = 10 };
	CHECK_OK(fcntl(a, F_OFD_SETLK, &fl));
	/* another description of the same process conflicts */
	struct flock fl2 = fl;
	CHECK_ERR2(EAGAIN, EACCES, fcntl(b, F_OFD_SETLK, &fl2));
	struct flock q = { .l_type = F_RDLCK, .l_whence = SEEK_SET,
		.l_start = 5, .l_len = 1 };
	CHECK_OK(fcntl(b, F_OFD_GETLK, &q));
	CHECK_EQ(F_WRLCK, q.l_type);
	CHECK_EQ(-1, q.l_pid);
	/* l_pid must be 0 when setting */
	struct flock badpid = fl;
	badpid.l_pid = 1;
	CHECK_ERR(EINVAL, fcntl(b, F_OFD_SETLK, &badpid));
	/* a dup shares the description, and so the lock */
	int a2 = CHECK_OK(dup(a));
	close(a);
	CHECK_ERR2(EAGAIN, EACCES, fcntl(b, F_OFD_SETLK, &fl2));
	/* a forked child holds the same description too */
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		struct flock c = fl;
		_exit(fcntl(a2, F_OFD_SETLK, &c) == 0 ? 0 : 2);
	}
	CHECK_EQ(0, wait_child(pid));
	close(a2); /* last reference: released */
	CHECK_OK(fcntl(b, F_OFD_SETLK, &fl2));
	/* OFD and POSIX locks conflict with each other */
	pid = CHECK_OK(fork());
	if (pid == 0)
		_exit(child_try(p, F_WRLCK, 0, 1));
	CHECK_EQ(1, wait_child(pid));
	close(b);
	CHECK_OK(unlink(p));
}

static void t_flock(void)
{
	const char *p = path("flk");
	write_file(p, "f");
	int a = CHECK_OK(open(p, O_RDONLY));
	int b = CHECK_OK(open(p, O_RDONLY));
	CHECK_OK(flock(a, LOCK_EX));
	CHECK_ERR(EWOULDBLOCK, flock(b, LOCK_EX | LOCK_NB));
	CHECK_ERR(EWOULDBLOCK, flock(b, LOCK_SH | LOCK_NB));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		int c = open(p, O_RDONLY);
		if (flock(c, LOCK_EX | LOCK_NB) != -1 || errno != EWOULDBLOCK)
			_exit(2);
		/* the inherited fd shares the lock: converting it works */
		if (flock(a, LOCK_EX | LOCK_NB) != 0)
			_exit(3);
		_exit(0);
	}
	CHECK_EQ(0, wait_child(pid));
	CHECK_OK(flock(a, LOCK_UN));
	CHECK_OK(flock(b, LOCK_SH | LOCK_NB));
	CHECK_OK(flock(a, LOCK_SH | LOCK_NB));
	CHECK_ERR(EWOULDBLOCK, flock(a, LOCK_EX | LOCK_NB));
	close(b);
	CHECK_OK(flock(a, LOCK_EX | LOCK_NB));
	/* a blocking flock in a child wakes up when the holder closes */
	pid = CHECK_OK(fork());
	if (pid == 0) {
		close(a); /* else this child's copy would keep the lock alive */
		int c = open(p, O_RDONLY);
		_exit(flock(c, LOCK_EX) == 0 ? 0 : 2);
	}
	usleep(100000);
	close(a);
	CHECK_EQ(0, wait_child(pid));
	CHECK_ERR(EBADF, flock(9999, LOCK_EX));
	CHECK_OK(unlink(p));
}

enum { THREADS = 200 };

static void *thread_files(void *argp)
{
	long k = (long)argp;
	char name[4200], buf[64];
	/* not path(): its static buffers are not for threads */
	snprintf(name, sizeof(name), "%s/thr/t%03ld", g_dir, k);
	int fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return (void *)(long)(1000 + errno); /* step 1000+errno: open */
	int n = snprintf(buf, sizeof(buf), "thread %ld", k);
	for (int i = 0; i < 20; i++)
		if (pwrite(fd, buf, (size_t)n, i * 64) != n)
			return (void *)2;
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size != 19 * 64 + n)
		return (void *)3;
	close(fd);
	return NULL;
}

/* Hundreds of threads with calls in flight at once. */
static void t_many_threads(void)
{
	CHECK_OK(mkdir(path("thr"), 0755));
	static pthread_t t[THREADS];
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (long k = 0; k < THREADS; k++)
		CHECK_EQ(0,
			 pthread_create(&t[k], &attr, thread_files, (void *)k));
	for (long k = 0; k < THREADS; k++) {
		void *ret;
		CHECK_EQ(0, pthread_join(t[k], &ret));
		if (ret != NULL)
			PFT_FAIL("thread %ld failed at step %ld (steps 1000+: open, "
				"errno = step - 1000)", k, (long)ret);
	}
	pthread_attr_destroy(&attr);
	for (long k = 0; k < THREADS; k++) {
		char name[64];
		snprintf(name, sizeof(name), "thr/t%03ld", k);
		CHECK_OK(unlink(path(name)));
	}
	CHECK_OK(rmdir(path("thr")));
}

/* A process killed while it waits in F_SETLKW and flock: the supervisor
 * survives, the lock stays with its holder, and the tree keeps working. */
static void t_killed_while_waiting(void)
{
	const char *p = path("killwait");
	write_file(p, "k");
	int fd = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	CHECK_OK(flock(fd, LOCK_EX));
	pid_t a = CHECK_OK(fork());
	if (a == 0) {
		int c = open(p, O_RDWR);
		setlk(c, F_SETLKW, F_WRLCK, 0, 0);
		_exit(9);
	}
	pid_t b = CHECK_OK(fork());
	if (b == 0) {
		int c = open(p, O_RDWR);
		flock(c, LOCK_EX);
		_exit(9);
	}
	usleep(200000);
	CHECK_OK(kill(a, SIGKILL));
	CHECK_OK(kill(b, SIGKILL));
	int status;
	CHECK_EQ(a, waitpid(a, &status, 0));
	CHECK(WIFSIGNALED(status));
	CHECK_EQ(b, waitpid(b, &status, 0));
	CHECK(WIFSIGNALED(status));
	/* still ours: another process cannot take them */
	pid_t c = CHECK_OK(fork());
	if (c == 0)
		_exit(child_try(p, F_WRLCK, 0, 1));
	CHECK_EQ(1, wait_child(c));
	/* released, the next waiter gets them */
	CHECK_OK(flock(fd, LOCK_UN));
	CHECK_OK(setlk(fd, F_SETLK, F_UNLCK, 0, 0));
	c = CHECK_OK(fork());
	if (c == 0) {
		int cfd = open(p, O_RDWR);
		if (setlk(cfd, F_SETLKW, F_WRLCK, 0, 0) != 0)
			_exit(2);
		_exit(flock(cfd, LOCK_EX) == 0 ? 0 : 3);
	}
	CHECK_EQ(0, wait_child(c));
	close(fd);
	CHECK_OK(unlink(p));
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "append_processes", t_append_processes },
		{ "append_threads", t_append_threads },
		{ "posix_locks", t_posix_locks },
		{ "setlkw", t_setlkw },
		{ "ofd_locks", t_ofd_locks },
		{ "flock", t_flock },
		{ "many_threads", t_many_threads },
		{ "killed_while_waiting", t_killed_while_waiting },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
