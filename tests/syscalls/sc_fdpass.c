/*
 * sc_fdpass: a pool fd that reaches a process which has never held one:
 * over SCM_RIGHTS, inherited by an orphan whose parent was killed before it
 * made a call, and through an fd table shared by clone(CLONE_FILES). Under
 * pmemfile-run such a process gets its fd calls answered without a lookup
 * until something says it may hold a pool fd (proc.c); each case checks
 * that the data then lands in the file, not in the placeholder.
 *
 * The main process never touches DIR itself: every case runs in children
 * that start clean, and each child first makes a trapped call on a host
 * fd (a pipe read), so that it is known to the supervisor as a process
 * without pool fds before one arrives.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* exit status, or 128 + the signal that ended it */
static int child_status(pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One byte through a pipe: a trapped call on a host fd (and a sync). */
static void sync_read(int fd)
{
	char b;
	if (read(fd, &b, 1) != 1)
		_exit(90);
}

static void sync_write(int fd)
{
	if (write(fd, "s", 1) != 1)
		_exit(91);
}

/* In a fresh child: the file holds want. */
static void check_content(const char *p, const char *want)
{
	pid_t pid = CHECK_OK(fork());
	if (pid == 0) {
		char buf[64];
		long n = read_file(p, buf, sizeof(buf));
		_exit(n == (long)strlen(want) && memcmp(buf, want, n) == 0 ? 0 : 1);
	}
	CHECK_EQ(0, child_status(pid));
}

static void t_scm_rights_to_clean(void)
{
	int sv[2], go[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK_OK(pipe(go));
	pid_t receiver = CHECK_OK(fork());
	if (receiver == 0) {
		close(sv[0]);
		sync_read(go[0]);  /* known, without pool fds */
		int fd = pft_recv_fd(sv[1]);
		if (fd < 0)
			_exit(2);
		_exit(write(fd, "received", 8) == 8 && close(fd) == 0 ? 0 : 4);
	}
	close(sv[1]);
	pid_t sender = CHECK_OK(fork());
	if (sender == 0) {
		int fd = open(path("scm_clean"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(2);
		sync_write(go[1]);
		/* let the receiver's pipe read be served first */
		usleep(100000);
		_exit(pft_send_fd(sv[0], fd) == 0 ? 0 : 3);
	}
	close(sv[0]);
	close(go[0]);
	close(go[1]);
	CHECK_EQ(0, child_status(sender));
	CHECK_EQ(0, child_status(receiver));
	check_content(path("scm_clean"), "received");
}

static void t_orphan_inherits(void)
{
	int done[2];
	CHECK_OK(pipe(done));
	pid_t parent = CHECK_OK(fork());
	if (parent == 0) {
		int fd = open(path("orphan"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(2);
		pid_t me = getpid();
		pid_t child = fork();
		if (child < 0)
			_exit(3);
		if (child == 0) {
			/* no trapped call until the parent is gone (getppid
			 * and nanosleep are not trapped) */
			for (int i = 0; getppid() == me; i++) {
				if (i > 300)
					_exit(4);
				struct timespec ts = { 0, 10000000 };
				nanosleep(&ts, NULL);
			}
			int ok = write(fd, "orphaned", 8) == 8;
			close(fd);
			sync_write(done[1]);
			_exit(ok ? 0 : 5);
		}
		/* killed, so that it does not even pass exit_group (where
		 * the supervisor notes its children): the child is
		 * reparented, its parent unknown */
		raise(SIGKILL);
		_exit(6);
	}
	CHECK_EQ(128 + SIGKILL, child_status(parent));
	close(done[1]);
	char b;
	CHECK_EQ(1, read(done[0], &b, 1));
	close(done[0]);
	check_content(path("orphan"), "orphaned");
}

struct shared { int go[2], back[2]; };

static int sharer(void *arg)
{
	struct shared *s = arg;
	sync_read(s->go[0]);           /* known, without pool fds */
	sync_write(s->back[1]);
	sync_read(s->go[0]);           /* the other has opened fd 100 */
	int ok = write(100, "shared", 6) == 6;
	sync_write(s->back[1]);
	return ok ? 0 : 1;
}

static void t_clone_files(void)
{
	pid_t owner = CHECK_OK(fork());
	if (owner == 0) {
		struct shared s;
		if (pipe(s.go) || pipe(s.back))
			_exit(2);
		static char stack[64 * 1024];
		pid_t pid = clone(sharer, stack + sizeof(stack),
				  CLONE_FILES | SIGCHLD, &s);
		if (pid < 0)
			_exit(3);
		sync_write(s.go[1]);
		sync_read(s.back[0]);
		int fd = open(path("clonefiles"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 100) != 100)
			_exit(4);
		close(fd);
		sync_write(s.go[1]);
		sync_read(s.back[0]);
		_exit(child_status(pid) == 0 && close(100) == 0 ? 0 : 5);
	}
	CHECK_EQ(0, child_status(owner));
	check_content(path("clonefiles"), "shared");
}

int main(int argc, char **argv)
{
	static const struct pft_case cases[] = {
		{ "scm_rights_to_clean", t_scm_rights_to_clean },
		{ "orphan_inherits", t_orphan_inherits },
		{ "clone_files", t_clone_files },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
