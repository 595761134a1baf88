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
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void wait_ok(pid_t pid)
{
	int status;
	CHECK_EQ(pid, waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		PFT_FAIL("child %d: status 0x%x", pid, status);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

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
 * where that can be set: as root). */
static void t_timeout(void)
{
	const char *lbt = "/proc/sys/fs/lease-break-time";
	char old[32] = "";
	FILE *f = fopen(lbt, "r+");
	if (!f || !fgets(old, sizeof(old), f)) {
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	f = fopen(lbt, "w");
	if (!f || fputs("1\n", f) < 0 || fclose(f) != 0)
		return;
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
	f = fopen(lbt, "w");
	if (f) {
		fputs(old, f);
		fclose(f);
	}
	CHECK_OK(unlink(p));
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
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
