/*
 * Record lock semantics as Linux has them: what F_GETLK reports (the first
 * blocking lock in the kernel's order, merged and split ranges, l_whence
 * SEEK_SET, l_pid -1 for OFD locks), release of a process's record locks
 * at its first close of any fd of the file, EDEADLK, and blocking waits
 * (F_SETLKW, F_OFD_SETLKW, flock) interrupted by signals: EINTR, SA_RESTART,
 * blocked signals, stop/continue, a fatal signal.
 *
 * Children check with the CHECK macros (a failure exits 1 with a message)
 * and the parent wants exit status 0.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type,
			    .l_whence = SEEK_SET,
			    .l_start = start,
			    .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK of [start, start+len) for type: fills *fl. */
static struct flock getlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type,
			    .l_whence = SEEK_SET,
			    .l_start = start,
			    .l_len = len };
	CHECK_OK(fcntl(fd, cmd, &fl));
	return fl;
}

#define CHECK_LK(fl, type, start, len, pid)                                    \
	do {                                                                   \
		CHECK_EQ(type, (fl).l_type);                                   \
		CHECK_EQ(SEEK_SET, (fl).l_whence);                             \
		CHECK_EQ(start, (fl).l_start);                                 \
		CHECK_EQ(len, (fl).l_len);                                     \
		CHECK_EQ(pid, (fl).l_pid);                                     \
	} while (0)

/* A pipe to say "ready" from a child and wait for it. */
static int sync_fd[2];
static void ready(void)
{
	char c = 'r';
	CHECK_EQ(1, write(sync_fd[1], &c, 1));
}
static void await_ready(void)
{
	char c;
	CHECK_EQ(1, read(sync_fd[0], &c, 1));
}

/* F_GETLK names the lock that blocks, as the kernel orders and merges. */
static void t_getlk_report(void)
{
	const char *p = path("getlk");
	write_file(p, "0123456789");
	int fd = CHECK_OK(open(p, O_RDWR));
	pid_t me = getpid();
	/* adjacent write locks merge into one */
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 10));
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 10, 10));
	/* a read lock in the middle of a write lock splits it */
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 100, 100));
	CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 120, 10));
	/* to EOF and beyond */
	CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 1000, 0));
	/* overlapping read locks merge; an unlock in the middle splits */
	CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 300, 20));
	CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 310, 20));
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 312, 3));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		int c = CHECK_OK(open(p, O_RDWR));
		struct flock fl = getlk(c, F_GETLK, F_RDLCK, 15, 1);
		CHECK_LK(fl, F_WRLCK, 0, 20, me);
		fl = getlk(c, F_GETLK, F_WRLCK, 0, 0);
		CHECK_LK(fl, F_WRLCK, 0, 20, me);
		fl = getlk(c, F_GETLK, F_WRLCK, 110, 100);
		CHECK_LK(fl, F_WRLCK, 100, 20, me);
		fl = getlk(c, F_GETLK, F_WRLCK, 125, 1);
		CHECK_LK(fl, F_RDLCK, 120, 10, me);
		fl = getlk(c, F_GETLK, F_RDLCK, 125, 50);
		CHECK_LK(fl, F_WRLCK, 130, 70, me);
		fl = getlk(c, F_GETLK, F_WRLCK, 250, 60);
		CHECK_LK(fl, F_RDLCK, 300, 12, me);
		fl = getlk(c, F_GETLK, F_WRLCK, 312, 3);
		CHECK_EQ(F_UNLCK, fl.l_type);
		CHECK_EQ(312, fl.l_start); /* the rest is left as it was */
		fl = getlk(c, F_GETLK, F_WRLCK, 313, 30);
		CHECK_LK(fl, F_RDLCK, 315, 15, me);
		fl = getlk(c, F_GETLK, F_RDLCK, 300, 2000);
		CHECK_EQ(F_UNLCK, fl.l_type);
		fl = getlk(c, F_GETLK, F_WRLCK, 5000, 1);
		CHECK_LK(fl, F_RDLCK, 1000, 0, me);
		/* asked relative to the offset or the end: answered SEEK_SET */
		CHECK_EQ(100, lseek(c, 100, SEEK_SET));
		fl = (struct flock){ .l_type = F_WRLCK,
				     .l_whence = SEEK_CUR,
				     .l_start = 25,
				     .l_len = 1 };
		CHECK_OK(fcntl(c, F_GETLK, &fl));
		CHECK_LK(fl, F_RDLCK, 120, 10, me);
		fl = (struct flock){ .l_type = F_WRLCK,
				     .l_whence = SEEK_END,
				     .l_start = -5,
				     .l_len = 0 };
		CHECK_OK(fcntl(c, F_GETLK, &fl));
		CHECK_LK(fl, F_WRLCK, 0, 20, me);
		/* a negative length covers the bytes before l_start */
		fl = (struct flock){ .l_type = F_WRLCK,
				     .l_whence = SEEK_SET,
				     .l_start = 130,
				     .l_len = -20 };
		CHECK_OK(fcntl(c, F_GETLK, &fl));
		CHECK_LK(fl, F_WRLCK, 100, 20, me);
		fl = (struct flock){ .l_type = F_WRLCK,
				     .l_whence = SEEK_SET,
				     .l_start = 5,
				     .l_len = -10 };
		CHECK_ERR(EINVAL, fcntl(c, F_GETLK, &fl));
		fl = (struct flock){ .l_type = F_WRLCK,
				     .l_whence = SEEK_SET,
				     .l_start = 0x7fffffffffffff00,
				     .l_len = 0x1000 };
		CHECK_ERR(EOVERFLOW, fcntl(c, F_GETLK, &fl));
		/* OFD query: POSIX holders keep their pid */
		fl = getlk(c, F_OFD_GETLK, F_RDLCK, 0, 1);
		CHECK_LK(fl, F_WRLCK, 0, 20, me);
		_exit(0);
	}
	wait_ok(pid);
	close(fd);
	CHECK_OK(unlink(p));
}

/* The first owner to lock a file is reported first; OFD locks say -1. */
static void t_getlk_order(void)
{
	const char *p = path("order");
	write_file(p, "o");
	int fd = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(pipe(sync_fd));
	CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 50, 10));
	pid_t b = CHECK_OK(fork());
	if (b == 0) {
		int c = CHECK_OK(open(p, O_RDWR));
		CHECK_OK(lk(c, F_SETLK, F_RDLCK, 0, 10));
		CHECK_OK(lk(c, F_SETLK, F_RDLCK, 70, 10));
		ready();
		pause();
		_exit(0);
	}
	await_ready();
	/* an OFD lock, from a description of this process */
	int o = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(lk(o, F_OFD_SETLK, F_RDLCK, 20, 5));
	pid_t me = getpid();
	pid_t q = CHECK_OK(fork());
	if (q == 0) {
		int c = CHECK_OK(open(p, O_RDWR));
		struct flock fl = getlk(c, F_GETLK, F_WRLCK, 0, 0);
		CHECK_LK(fl, F_RDLCK, 50, 10, me);
		fl = getlk(c, F_GETLK, F_WRLCK, 0, 40);
		CHECK_LK(fl, F_RDLCK, 0, 10, b);
		fl = getlk(c, F_GETLK, F_WRLCK, 15, 10);
		CHECK_LK(fl, F_RDLCK, 20, 5, -1);
		fl = getlk(c, F_OFD_GETLK, F_WRLCK, 21, 1);
		CHECK_LK(fl, F_RDLCK, 20, 5, -1);
		_exit(0);
	}
	wait_ok(q);
	/* this process drops all its locks and takes one again: now last */
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 0));
	CHECK_OK(lk(fd, F_SETLK, F_RDLCK, 5, 1));
	q = CHECK_OK(fork());
	if (q == 0) {
		int c = CHECK_OK(open(p, O_RDWR));
		struct flock fl = getlk(c, F_GETLK, F_WRLCK, 0, 0);
		CHECK_LK(fl, F_RDLCK, 0, 10, b);
		_exit(0);
	}
	wait_ok(q);
	CHECK_OK(kill(b, SIGKILL));
	CHECK_EQ(b, waitpid(b, NULL, 0));
	close(o);
	close(fd);
	close(sync_fd[0]);
	close(sync_fd[1]);
	CHECK_OK(unlink(p));
}

/* Does another process see [start, start+len) free for a write lock? */
static int seen_free(const char *p, off_t start, off_t len)
{
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		int c = CHECK_OK(open(p, O_RDWR));
		struct flock fl = getlk(c, F_GETLK, F_WRLCK, start, len);
		int free_getlk = fl.l_type == F_UNLCK;
		int r = lk(c, F_SETLK, F_WRLCK, start, len);
		if (free_getlk != (r == 0))
			_exit(3);
		_exit(r == 0 ? 0 : 1);
	}
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	CHECK(WIFEXITED(status));
	if (WEXITSTATUS(status) > 1)
		PFT_FAIL("F_GETLK and F_SETLK disagree");
	return WEXITSTATUS(status) == 0;
}

/* POSIX: a process's record locks on a file go at its first close of any
 * fd of that file, even when the description lives on. */
static void t_close_releases(void)
{
	const char *p = path("closerel");
	write_file(p, "c");
	int fd = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 10));
	CHECK_EQ(0, seen_free(p, 0, 10));
	/* another open of the file, closed */
	int other = CHECK_OK(open(p, O_RDONLY));
	close(other);
	CHECK_EQ(1, seen_free(p, 0, 10));
	/* a dup, closed */
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 10));
	int d = CHECK_OK(dup(fd));
	CHECK_EQ(0, seen_free(p, 0, 10));
	close(d);
	CHECK_EQ(1, seen_free(p, 0, 10));
	/* locked through a second fd, the first one closed */
	int fd2 = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(lk(fd2, F_SETLK, F_WRLCK, 20, 10));
	CHECK_EQ(0, seen_free(p, 20, 10));
	close(fd);
	CHECK_EQ(1, seen_free(p, 20, 10));
	/* the description lives on in a child: the parent's close still
	 * releases the parent's locks */
	CHECK_OK(pipe(sync_fd));
	pid_t holder = CHECK_OK(fork());
	if (holder == 0) {
		ready();
		pause();
		_exit(0);
	}
	await_ready();
	CHECK_OK(lk(fd2, F_SETLK, F_WRLCK, 40, 10));
	CHECK_EQ(0, seen_free(p, 40, 10));
	close(fd2);
	CHECK_EQ(1, seen_free(p, 40, 10));
	CHECK_OK(kill(holder, SIGKILL));
	CHECK_EQ(holder, waitpid(holder, NULL, 0));
	/* a waiter is woken by such a close */
	fd = CHECK_OK(open(p, O_RDWR));
	int keep = CHECK_OK(dup(fd));
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 0));
	pid_t w = CHECK_OK(fork());
	if (w == 0) {
		close(fd);
		close(keep);
		int c = CHECK_OK(open(p, O_RDWR));
		CHECK_OK(lk(c, F_SETLKW, F_WRLCK, 0, 0));
		_exit(0);
	}
	usleep(100000);
	close(keep);
	wait_ok(w);
	close(fd);
	close(sync_fd[0]);
	close(sync_fd[1]);
	CHECK_OK(unlink(p));
}

/* F_SETLKW that would wait for a process waiting for us: EDEADLK. */
static void t_deadlock(void)
{
	const char *p = path("deadlk");
	write_file(p, "d");
	int fd = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 1));
	CHECK_OK(pipe(sync_fd));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		int c = CHECK_OK(open(p, O_RDWR));
		CHECK_OK(lk(c, F_SETLK, F_WRLCK, 1, 1));
		ready();
		CHECK_OK(lk(c, F_SETLKW, F_WRLCK, 0, 1)); /* waits for us */
		_exit(0);
	}
	await_ready();
	usleep(200000); /* the child is waiting now */
	CHECK_ERR(EDEADLK, lk(fd, F_SETLKW, F_WRLCK, 1, 1));
	/* without waiting there is nothing to detect */
	CHECK_ERR2(EAGAIN, EACCES, lk(fd, F_SETLK, F_WRLCK, 1, 1));
	/* OFD locks are not checked: a thread would wait (not tried) */
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 1));
	wait_ok(pid);
	/* a chain of three: C holds 2 and will wait for A's 0, B holds 1 and
	 * waits for C's 2, A asks for B's 1 */
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 1)); /* A = this process */
	pid_t cc = CHECK_OK(fork());
	if (cc == 0) {
		int c = CHECK_OK(open(p, O_RDWR));
		CHECK_OK(lk(c, F_SETLK, F_WRLCK, 2, 1));
		ready();
		usleep(200000);
		CHECK_OK(lk(c, F_SETLKW, F_WRLCK, 0, 1)); /* waits for A */
		_exit(0);
	}
	await_ready();
	pid_t b = CHECK_OK(fork());
	if (b == 0) {
		int c = CHECK_OK(open(p, O_RDWR));
		CHECK_OK(lk(c, F_SETLK, F_WRLCK, 1, 1));
		ready();
		CHECK_OK(lk(c, F_SETLKW, F_WRLCK, 2, 1)); /* waits for C */
		_exit(0);
	}
	await_ready();
	usleep(400000);
	/* A asks for B's byte: A -> B -> C -> A */
	CHECK_ERR(EDEADLK, lk(fd, F_SETLKW, F_WRLCK, 1, 1));
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 1));
	wait_ok(cc);
	wait_ok(b);
	close(fd);
	close(sync_fd[0]);
	close(sync_fd[1]);
	CHECK_OK(unlink(p));
}

static volatile sig_atomic_t caught;
static void on_usr1(int sig)
{
	(void)sig;
	caught++;
}

static void handler(int flags)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = flags };
	sigemptyset(&sa.sa_mask);
	CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
}

enum wait_kind { W_SETLKW, W_OFD, W_FLOCK };

static int wait_lock(const char *p, enum wait_kind k)
{
	int c = CHECK_OK(open(p, O_RDWR));
	ready();
	switch (k) {
	case W_SETLKW: return lk(c, F_SETLKW, F_WRLCK, 0, 0);
	case W_OFD: return lk(c, F_OFD_SETLKW, F_WRLCK, 0, 0);
	default: return flock(c, LOCK_EX);
	}
}

/* Holds the lock kind k waits for, on fd. */
static void hold(int fd, enum wait_kind k, int on)
{
	if (k == W_FLOCK)
		CHECK_OK(flock(fd, on ? LOCK_EX : LOCK_UN));
	else
		CHECK_OK(lk(fd, F_OFD_SETLK, on ? F_WRLCK : F_UNLCK, 0, 0));
}

/* A signal with a handler interrupts each kind of wait: EINTR without
 * SA_RESTART, a restarted wait with it. */
static void t_signal_interrupts(void)
{
	const char *p = path("sigwait");
	write_file(p, "s");
	int fd = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(pipe(sync_fd));
	for (int k = W_SETLKW; k <= W_FLOCK; k++) {
		hold(fd, k, 1);
		pid_t pid = CHECK_OK(fork());
		if (pid == 0) {
			handler(0);
			double t0 = now();
			CHECK_ERR(EINTR, wait_lock(p, k));
			CHECK_EQ(1, caught);
			if (now() - t0 > 5)
				PFT_FAIL("EINTR came late");
			_exit(0);
		}
		await_ready();
		usleep(150000);
		CHECK_OK(kill(pid, SIGUSR1));
		wait_ok(pid);
		/* SA_RESTART: the handler runs, the wait goes on */
		pid = CHECK_OK(fork());
		if (pid == 0) {
			handler(SA_RESTART);
			CHECK_OK(wait_lock(p, k));
			CHECK_EQ(2, caught);
			_exit(0);
		}
		await_ready();
		usleep(150000);
		CHECK_OK(kill(pid, SIGUSR1));
		usleep(150000);
		CHECK_OK(kill(pid, SIGUSR1));
		usleep(150000);
		CHECK_EQ(0, waitpid(pid, NULL, WNOHANG)); /* still waiting */
		hold(fd, k, 0);
		wait_ok(pid);
	}
	close(fd);
	close(sync_fd[0]);
	close(sync_fd[1]);
	CHECK_OK(unlink(p));
}

/* Waits up to 5 s for a child state change (WUNTRACED/WCONTINUED). */
static int wait_state(pid_t pid, int opts)
{
	int status;
	for (int i = 0; i < 500; i++) {
		pid_t r = CHECK_OK(waitpid(pid, &status, opts | WNOHANG));
		if (r == pid)
			return status;
		usleep(10000);
	}
	PFT_FAIL("child %d: no state change", pid);
	return 0;
}

/* A blocked signal does not interrupt; a stop signal stops the waiter,
 * which goes on waiting when continued; a fatal one kills it. */
static void t_signal_other(void)
{
	const char *p = path("sigother");
	write_file(p, "s");
	int fd = CHECK_OK(open(p, O_RDWR));
	CHECK_OK(pipe(sync_fd));
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 0));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		handler(0);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
		CHECK_OK(wait_lock(p, W_SETLKW));
		CHECK_EQ(0, caught);
		_exit(0);
	}
	await_ready();
	usleep(100000);
	CHECK_OK(kill(pid, SIGUSR1));
	usleep(200000);
	CHECK_EQ(0, waitpid(pid, NULL, WNOHANG));
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 0));
	wait_ok(pid);

	/* stop and continue */
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 0));
	pid = CHECK_OK(fork());
	if (pid == 0) {
		CHECK_OK(wait_lock(p, W_SETLKW));
		_exit(0);
	}
	await_ready();
	usleep(100000);
	CHECK_OK(kill(pid, SIGSTOP));
	int st = wait_state(pid, WUNTRACED);
	CHECK(WIFSTOPPED(st));
	CHECK_OK(kill(pid, SIGCONT));
	st = wait_state(pid, WCONTINUED);
	CHECK(WIFCONTINUED(st));
	usleep(100000);
	CHECK_EQ(0, waitpid(pid, NULL, WNOHANG)); /* waiting again */
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 0));
	wait_ok(pid);

	/* a fatal signal ends the wait; the lock is then free for others */
	CHECK_OK(lk(fd, F_SETLK, F_WRLCK, 0, 0));
	pid = CHECK_OK(fork());
	if (pid == 0) {
		wait_lock(p, W_SETLKW);
		_exit(9);
	}
	await_ready();
	usleep(100000);
	CHECK_OK(kill(pid, SIGTERM));
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK_OK(lk(fd, F_SETLK, F_UNLCK, 0, 0));
	CHECK_EQ(1, seen_free(p, 0, 0));
	close(fd);
	close(sync_fd[0]);
	close(sync_fd[1]);
	CHECK_OK(unlink(p));
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "getlk_report", t_getlk_report },
		{ "getlk_order", t_getlk_order },
		{ "close_releases", t_close_releases },
		{ "deadlock", t_deadlock },
		{ "signal_interrupts", t_signal_interrupts },
		{ "signal_other", t_signal_other },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
