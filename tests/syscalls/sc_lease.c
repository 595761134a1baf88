/*
 * File leases (fcntl F_SETLEASE, F_GETLEASE) as Linux has them: who may
 * take which lease (EAGAIN, EACCES, EINVAL), the owner a lease sets, the
 * break a conflicting open or truncate starts (the SIGIO or F_SETSIG
 * signal with si_fd, F_GETLEASE answering the type to go to), the
 * breaker's wait (EWOULDBLOCK with O_NONBLOCK, until the holder unlocks
 * or downgrades, EINTR or a restart when a signal comes, the forced
 * removal after /proc/sys/fs/lease-break-time), and the lease going with
 * its description's last close.
 *
 * Children check with the CHECK macros (a failure exits 1) and the parent
 * wants exit status 0.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Is child pid still running (blocked)? */
static int running(pid_t pid)
{
	int status;
	return waitpid(pid, &status, WNOHANG) == 0;
}

/* The signal sig, already queued or within 2 s (sig blocked). */
static siginfo_t take(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	struct timespec ts = { 2, 0 };
	CHECK_EQ(sig, sigtimedwait(&s, &si, &ts));
	return si;
}

/* Nothing of sig queued. */
static void none(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	struct timespec ts = { 0, 0 };
	CHECK_EQ(-1, sigtimedwait(&s, NULL, &ts));
}

static void block(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	CHECK_OK(sigprocmask(SIG_BLOCK, &s, NULL));
}

/* A child that opens p with flags and wants result want (errno err). */
static pid_t opener(const char *p, int flags, int want_ok, int err)
{
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		int fd = open(p, flags);
		if (want_ok) {
			CHECK(fd >= 0);
		} else {
			CHECK_EQ(-1, fd);
			CHECK_EQ(err, errno);
		}
		_exit(0);
	}
	return pid;
}

/* Who may take which lease. */
static void t_errnos(void)
{
	const char *p = path("errnos");
	write_file(p, "data");
	block(SIGIO);
	int ro = CHECK_OK(open(p, O_RDONLY));
	CHECK_EQ(F_UNLCK, fcntl(ro, F_GETLEASE));
	CHECK_ERR(EINVAL, fcntl(ro, F_SETLEASE, 5));
	/* no lease to remove */
	CHECK_ERR(EAGAIN, fcntl(ro, F_SETLEASE, F_UNLCK));
	/* a read lease wants a read-only fd and no writer */
	int rw = CHECK_OK(open(p, O_RDWR));
	CHECK_ERR(EAGAIN, fcntl(rw, F_SETLEASE, F_RDLCK));
	CHECK_ERR(EAGAIN, fcntl(ro, F_SETLEASE, F_RDLCK));
	/* a write lease wants no other open */
	CHECK_ERR(EAGAIN, fcntl(rw, F_SETLEASE, F_WRLCK));
	close(rw);
	CHECK_EQ(0, fcntl(ro, F_GETOWN));
	CHECK_OK(fcntl(ro, F_SETLEASE, F_RDLCK));
	CHECK_EQ(F_RDLCK, fcntl(ro, F_GETLEASE));
	/* taking a lease makes the caller the owner */
	CHECK_EQ(getpid(), fcntl(ro, F_GETOWN));
	/* a second read lease on another description */
	int ro2 = CHECK_OK(open(p, O_RDONLY));
	CHECK_EQ(F_UNLCK, fcntl(ro2, F_GETLEASE));
	CHECK_OK(fcntl(ro2, F_SETLEASE, F_RDLCK));
	CHECK_ERR(EAGAIN, fcntl(ro, F_SETLEASE, F_WRLCK));
	/* it goes with its description */
	close(ro2);
	CHECK_OK(fcntl(ro, F_SETLEASE, F_WRLCK));
	CHECK_EQ(F_WRLCK, fcntl(ro, F_GETLEASE));
	/* an open for reading of a write-leased file: not now */
	int o3 = open(p, O_RDONLY | O_NONBLOCK);
	CHECK_EQ(-1, o3);
	CHECK_EQ(EWOULDBLOCK, errno);
	take(SIGIO);
	CHECK_EQ(F_RDLCK, fcntl(ro, F_GETLEASE));
	CHECK_OK(fcntl(ro, F_SETLEASE, F_UNLCK));
	CHECK_EQ(F_UNLCK, fcntl(ro, F_GETLEASE));
	/* an owner set before stays */
	CHECK_OK(fcntl(ro, F_SETOWN, 1));
	CHECK_OK(fcntl(ro, F_SETLEASE, F_RDLCK));
	CHECK_EQ(1, fcntl(ro, F_GETOWN));
	CHECK_OK(fcntl(ro, F_SETLEASE, F_UNLCK));
	close(ro);
	/* not a regular file */
	const char *d = path("errnos.d");
	CHECK_OK(mkdir(d, 0755));
	int dfd = CHECK_OK(open(d, O_RDONLY | O_DIRECTORY));
	CHECK_ERR(EINVAL, fcntl(dfd, F_SETLEASE, F_RDLCK));
	CHECK_EQ(F_UNLCK, fcntl(dfd, F_GETLEASE));
	close(dfd);
	CHECK_OK(rmdir(d));
	/* only the owner, or CAP_LEASE */
	if (geteuid() == 0) {
		pid_t pid = CHECK_OK(fork());
		if (pid == 0) {
			int fd = CHECK_OK(open(p, O_RDONLY));
			CHECK_OK(setresuid(1234, 1234, 1234));
			CHECK_ERR(EACCES, fcntl(fd, F_SETLEASE, F_RDLCK));
			CHECK_ERR(EACCES, fcntl(fd, F_SETLEASE, F_UNLCK));
			_exit(0);
		}
		wait_ok(pid);
		CHECK_OK(chown(p, 1234, 1234));
		ro = CHECK_OK(open(p, O_RDONLY));
		/* root has CAP_LEASE */
		CHECK_OK(fcntl(ro, F_SETLEASE, F_RDLCK));
		CHECK_OK(fcntl(ro, F_SETLEASE, F_UNLCK));
		close(ro);
	}
	CHECK_OK(unlink(p));
}

/* A read lease breaks on an open for writing: F_SETSIG's signal with
 * si_fd, EWOULDBLOCK for O_NONBLOCK, a blocked opener until the unlock. */
static void t_break_read(void)
{
	const char *p = path("bread");
	write_file(p, "data");
	int sig = SIGRTMIN + 1;
	block(sig);
	int spare = CHECK_OK(open("/dev/null", O_RDONLY));
	int fd = CHECK_OK(open(p, O_RDONLY));
	CHECK_OK(fcntl(fd, F_SETSIG, sig));
	CHECK_OK(fcntl(fd, F_SETLEASE, F_RDLCK));
	/* readers do not break it */
	wait_ok(opener(p, O_RDONLY | O_NONBLOCK, 1, 0));
	none(sig);
	wait_ok(opener(p, O_WRONLY | O_NONBLOCK, 0, EWOULDBLOCK));
	siginfo_t si = take(sig);
	CHECK_EQ(sig, si.si_signo);
	CHECK_EQ(POLL_MSG, si.si_code);
	CHECK_EQ(fd, si.si_fd);
	CHECK_EQ(POLLIN | POLLRDNORM | POLLMSG, si.si_band);
	/* the type to go to */
	CHECK_EQ(F_UNLCK, fcntl(fd, F_GETLEASE));
	/* a second breaker does not signal again */
	wait_ok(opener(p, O_RDWR | O_NONBLOCK, 0, EWOULDBLOCK));
	none(sig);
	/* nor does a new open of the holder's that reads */
	int fd2 = CHECK_OK(open(p, O_RDONLY));
	close(fd2);
	/* a blocking opener waits for the unlock */
	double t0 = now();
	pid_t w = opener(p, O_WRONLY, 1, 0);
	nap(200);
	CHECK(running(w));
	CHECK_OK(fcntl(fd, F_SETLEASE, F_UNLCK));
	wait_ok(w);
	double dt = now() - t0;
	CHECK(dt >= 0.19 && dt < 5);
	CHECK_EQ(F_UNLCK, fcntl(fd, F_GETLEASE));
	none(sig);
	close(fd);
	close(spare);
	CHECK_OK(unlink(p));
}

/* A write lease is downgraded for a reader: plain SIGIO without F_SETSIG,
 * the reader waits for the downgrade; a truncate waits for the unlock. */
static void t_break_write(void)
{
	const char *p = path("bwrite");
	write_file(p, "0123456789");
	block(SIGIO);
	int fd = CHECK_OK(open(p, O_RDONLY));
	CHECK_OK(fcntl(fd, F_SETLEASE, F_WRLCK));
	pid_t r = opener(p, O_RDONLY, 1, 0);
	siginfo_t si = take(SIGIO);
	CHECK_EQ(SIGIO, si.si_signo);
	CHECK_EQ(SI_KERNEL, si.si_code);
	CHECK_EQ(F_RDLCK, fcntl(fd, F_GETLEASE));
	nap(100);
	CHECK(running(r));
	CHECK_OK(fcntl(fd, F_SETLEASE, F_RDLCK));
	wait_ok(r);
	CHECK_EQ(F_RDLCK, fcntl(fd, F_GETLEASE));
	/* truncate by path breaks the read lease; the data is there until
	 * the holder lets go */
	pid_t t = CHECK_OK(fork());
	if (t == 0) {
		CHECK_OK(truncate(p, 3));
		_exit(0);
	}
	si = take(SIGIO);
	CHECK_EQ(F_UNLCK, fcntl(fd, F_GETLEASE));
	nap(100);
	CHECK(running(t));
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(10, st.st_size);
	CHECK_OK(fcntl(fd, F_SETLEASE, F_UNLCK));
	wait_ok(t);
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(3, st.st_size);
	close(fd);
	CHECK_OK(unlink(p));
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int s)
{
	got_usr1 = 1;
}

/* A blocked breaker and a caught signal: EINTR, or with SA_RESTART the
 * open goes on waiting. */
static void t_signal(void)
{
	const char *p = path("sig");
	write_file(p, "data");
	block(SIGIO);
	int fd = CHECK_OK(open(p, O_RDONLY));
	CHECK_OK(fcntl(fd, F_SETLEASE, F_WRLCK));
	for (int restart = 0; restart < 2; restart++) {
		int pipefd[2];
		CHECK_OK(pipe(pipefd));
		pid_t pid = CHECK_OK(fork());
		if (pid == 0) {
			close(pipefd[0]);
			struct sigaction sa = { .sa_handler = on_usr1 };
			sa.sa_flags = restart ? SA_RESTART : 0;
			CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
			CHECK_EQ(1, write(pipefd[1], "r", 1));
			int o = open(p, O_RDWR);
			if (restart) {
				CHECK(o >= 0);
			} else {
				CHECK_EQ(-1, o);
				CHECK_EQ(EINTR, errno);
			}
			CHECK_EQ(1, got_usr1);
			_exit(0);
		}
		close(pipefd[1]);
		char ch;
		CHECK_EQ(1, read(pipefd[0], &ch, 1));
		close(pipefd[0]);
		if (!restart) {
			take(SIGIO);
			CHECK_EQ(F_UNLCK, fcntl(fd, F_GETLEASE));
		}
		nap(150);
		CHECK(running(pid));
		CHECK_OK(kill(pid, SIGUSR1));
		nap(150);
		if (restart) {
			CHECK(running(pid));
			CHECK_OK(fcntl(fd, F_SETLEASE, F_UNLCK));
		}
		wait_ok(pid);
	}
	close(fd);
	CHECK_OK(unlink(p));
}

/* The lease goes with the last close of its description, not before. */
static void t_last_close(void)
{
	const char *p = path("lastclose");
	write_file(p, "data");
	block(SIGIO);
	int fd = CHECK_OK(open(p, O_RDONLY));
	CHECK_OK(fcntl(fd, F_SETLEASE, F_RDLCK));
	int dup = CHECK_OK(fcntl(fd, F_DUPFD_CLOEXEC, 10));
	close(fd);
	CHECK_EQ(F_RDLCK, fcntl(dup, F_GETLEASE));
	wait_ok(opener(p, O_WRONLY | O_NONBLOCK, 0, EWOULDBLOCK));
	take(SIGIO);
	close(dup);
	wait_ok(opener(p, O_WRONLY | O_NONBLOCK, 1, 0));
	none(SIGIO);
	CHECK_OK(unlink(p));
}

/* Past /proc/sys/fs/lease-break-time the lease is removed by force (only
 * where that can be set: as root). The setting is the host's: runs that
 * may overlap (native and pool at once) take turns by a lock file, so
 * neither saves the other's 1 as the value to restore. */
static const char *lbt = "/proc/sys/fs/lease-break-time";
static char lbt_old[32];

/* Puts the host's value back, also when a failed check exits. */
static void lbt_restore(void)
{
	FILE *f = lbt_old[0] ? fopen(lbt, "w") : NULL;
	if (f) {
		fputs(lbt_old, f);
		fclose(f);
	}
	lbt_old[0] = 0;
}

static void t_timeout(void)
{
	int lock = open("/dev/shm/pftest-lease-break-time.lock",
			O_CREAT | O_RDWR | O_CLOEXEC, 0666);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		if (lock >= 0)
			close(lock);
		return;
	}
	char old[32] = "";
	FILE *f = fopen(lbt, "r+");
	if (!f || !fgets(old, sizeof(old), f)) {
		if (f)
			fclose(f);
		close(lock);
		return;
	}
	fclose(f);
	memcpy(lbt_old, old, sizeof(old));
	atexit(lbt_restore);
	f = fopen(lbt, "w");
	if (!f || fputs("1\n", f) < 0 || fclose(f) != 0) {
		lbt_restore();
		close(lock);
		return;
	}
	const char *p = path("timeout");
	write_file(p, "data");
	block(SIGIO);
	int fd = CHECK_OK(open(p, O_RDONLY));
	CHECK_OK(fcntl(fd, F_SETLEASE, F_WRLCK));
	double t0 = now();
	pid_t w = opener(p, O_WRONLY, 1, 0);
	take(SIGIO);
	wait_ok(w);
	double dt = now() - t0;
	CHECK(dt >= 0.9 && dt < 3);
	CHECK_EQ(F_UNLCK, fcntl(fd, F_GETLEASE));
	CHECK_ERR(EAGAIN, fcntl(fd, F_SETLEASE, F_UNLCK));
	close(fd);
	lbt_restore();
	close(lock);
	CHECK_OK(unlink(p));
}

/* ---- random sequences: the pool against the host's tmpfs ---- */

struct cmd {
	int op, slot, arg;
};

/* One step of a process holding fds[4] of p: its result (errno or 0,
 * F_GETLEASE's value). Nothing here blocks. */
static int do_cmd(const char *p, int *fds, struct cmd c)
{
	static const int modes[3] = { O_RDONLY, O_WRONLY, O_RDWR };
	static const int types[3] = { F_RDLCK, F_WRLCK, F_UNLCK };
	int *fd = &fds[c.slot];
	switch (c.op) {
	case 0:
		if (*fd >= 0)
			close(*fd);
		*fd = open(p, modes[c.arg] | O_NONBLOCK);
		return *fd >= 0 ? 0 : errno;
	case 1:
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return 0;
	case 2:
		if (*fd < 0)
			return -1;
		return fcntl(*fd, F_SETLEASE, types[c.arg]) < 0 ? errno : 0;
	default: return *fd < 0 ? -1 : 100 + fcntl(*fd, F_GETLEASE);
	}
}

static int sigio_count(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGIO);
	struct timespec ts = { 0, 0 };
	int n = 0;
	while (sigtimedwait(&s, NULL, &ts) == SIGIO)
		n++;
	return n;
}

/* n random steps of two processes on p; out[4 * i...]: the step's
 * result, the SIGIOs each process got, and what the step was. */
static void rand_run(const char *p, unsigned seed, int *out, int n)
{
	write_file(p, "data");
	block(SIGIO);
	int to[2], from[2];
	CHECK_OK(pipe(to));
	CHECK_OK(pipe(from));
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		int fds[4] = { -1, -1, -1, -1 };
		struct cmd c;
		while (read(to[0], &c, sizeof(c)) == sizeof(c)) {
			int r[2] = { c.op < 0 ? 0 : do_cmd(p, fds, c), 0 };
			r[1] = sigio_count();
			CHECK_EQ(sizeof(r), write(from[1], r, sizeof(r)));
		}
		_exit(0);
	}
	int fds[4] = { -1, -1, -1, -1 };
	for (int i = 0; i < n; i++) {
		/* xorshift32; opens 20%, closes 35%, lease requests 30%,
		 * F_GETLEASE 15%; two fds each; read-only opens 3 in 5 */
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		unsigned x = seed, w = x % 100;
		struct cmd c = { w < 20		? 0 :
					 w < 55 ? 1 :
					 w < 85 ? 2 :
						  3,
				 (int)(x / 100 % 2), (int)(x / 200 % 5) };
		if (c.arg >= 3)
			c.arg = c.op == 0 ? 0 : c.arg - 3;
		int r[2];
		if (x / 800 % 2) {
			CHECK_EQ(sizeof(c), write(to[1], &c, sizeof(c)));
			CHECK_EQ(sizeof(r), read(from[0], r, sizeof(r)));
			out[4 * i] = r[0];
		} else {
			out[4 * i] = do_cmd(p, fds, c);
		}
		out[4 * i + 3] = c.op * 10 + c.arg;
		struct cmd q = { -1, 0, 0 };
		CHECK_EQ(sizeof(q), write(to[1], &q, sizeof(q)));
		CHECK_EQ(sizeof(r), read(from[0], r, sizeof(r)));
		out[4 * i + 1] = sigio_count();
		out[4 * i + 2] = r[1];
	}
	close(to[1]);
	wait_ok(pid);
	close(to[0]);
	close(from[0]);
	close(from[1]);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	CHECK_OK(unlink(p));
}

/* Eight random sequences of opens, closes and lease requests from two
 * processes give the same results and signals in DIR as in HOST (the
 * kernel's tmpfs). */
static void t_random(void)
{
	enum { N = 400 };
	static int a[4 * N], b[4 * N];
	int signals = 0, blocked = 0, granted = 0;
	for (unsigned seed = 1; seed <= 8; seed++) {
		rand_run(path("rand"), seed, a, N);
		rand_run(hpath("rand"), seed, b, N);
		for (int i = 0; i < N; i++) {
			signals += a[4 * i + 1] + a[4 * i + 2];
			blocked += a[4 * i] == EWOULDBLOCK &&
				a[4 * i + 3] / 10 == 0;
			granted += a[4 * i] == 0 && a[4 * i + 3] / 10 == 2 &&
				a[4 * i + 3] % 10 != 2;
		}
		for (int i = 0; i < 4 * N; i++)
			if (a[i] != b[i]) {
				PFT_FAIL("seed %u step %d (%s): %d here, %d on "
					 "the host",
					 seed, i / 4,
					 i % 4 ? "signals" : "result", a[i],
					 b[i]);
				break;
			}
	}
	/* the sequences do meet leases */
	fprintf(stderr, "# %d leases granted, %d opens EWOULDBLOCK, %d SIGIO\n",
		granted, blocked, signals);
	CHECK(signals > 0 && blocked > 0 && granted > 0);
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "errnos", t_errnos },
		{ "break_read", t_break_read },
		{ "break_write", t_break_write },
		{ "signal", t_signal },
		{ "last_close", t_last_close },
		{ "timeout", t_timeout },
		{ "random", t_random },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
