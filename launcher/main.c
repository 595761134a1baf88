/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmemfile-run: open the pools, start the command under the filter, serve
 * its syscalls, forward signals, and exit with its status.
 *
 * When the command exits, processes it left behind are killed: without
 * the supervisor their next file syscall could not be served. Then the
 * workers stop, every open description is released and the pools close.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "launcher.h"
#include "syscalls.h"

extern struct rlimit pf_orig_nofile;

/*
 * Is pid a zombie (exited, not reaped yet)? Else its command name goes to
 * comm, for the log.
 */
static int is_zombie(long pid, char *comm, size_t commlen)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 1;       /* gone already */
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* "pid (comm) S ...": comm may hold anything, the state follows the
	 * last ')' */
	char *lp = strchr(buf, '('), *rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp || rp[1] != ' ' || rp[2] == 'Z' || rp[2] == 'X')
		return 1;
	snprintf(comm, commlen, "%.*s", (int)(rp - lp - 1), lp + 1);
	return 0;
}

#define KILLED_MAX 4096

/* kill_leftovers' state across its rounds */
struct leftovers {
	int found, announced, nkilled;
	/* a process signalled in one round may still be listed (not yet a
	 * zombie) in the next: it is named once, and signalled again */
	long killed[KILLED_MAX];
};

static int kill_one(pid_t pid, void *arg)
{
	struct leftovers *l = arg;
	char comm[64];
	l->found = 1;
	if (is_zombie(pid, comm, sizeof(comm)))
		return 0;
	kill(pid, SIGKILL);
	for (int k = 0; k < l->nkilled; k++)
		if (l->killed[k] == pid)
			return 0;
	if (l->nkilled < KILLED_MAX)
		l->killed[l->nkilled++] = pid;
	if (!l->announced) {
		log_msg(2, "the command exited; killing the processes it left running (they cannot reach the pools without pmemfile-run)");
		l->announced = 1;
	}
	log_msg(2, "killing %ld (%s)", (long)pid, comm);
	report_leftover((long)pid, comm);
	return 0;
}

/*
 * Kills and reaps every remaining descendant (we are their subreaper).
 * Children that already exited (a pipeline's last orphans, typically) are
 * only reaped: they were not left running, and saying so would be wrong.
 */
/*
 * Every wait here is between sc_reap_begin/end: a worker that redirects
 * a call (syscalls/redo.c) is the tracer of that thread for a moment and
 * waits for its stop itself; a wait here could take that stop (a tracer
 * in the parent's thread group counts as the parent, whatever the flags),
 * and the worker would wait for ever. No __WNOTHREAD: under --sandbox the
 * command is a child of another thread of ours.
 */
static void kill_leftovers(void)
{
	static struct leftovers l;
	for (int round = 0; round < 1000; round++) {
		l.found = 0;
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			l.found = 1;
		sc_children_each(getpid(), kill_one, &l);
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			l.found = 1;
		if (!l.found)
			return;
		usleep(1000);
	}
}

int main(int argc, char **argv)
{
	struct options o;
	options_parse(&o, argc, argv);
	log_open(o.log_file, o.log_level, o.trace);
	sc_log = log_msg;

	/* the supervisor holds a memfd per open in flight: allow many */
	if (getrlimit(RLIMIT_NOFILE, &pf_orig_nofile) < 0)
		die("getrlimit: %s", strerror(errno));
	struct rlimit more = pf_orig_nofile;
	more.rlim_cur = more.rlim_max;
	/* fewer fds is slower to fail, not wrong: EMFILE reaches targets */
	if (setrlimit(RLIMIT_NOFILE, &more) < 0)
		log_msg(2, "cannot raise the fd limit to %llu: %s",
			(unsigned long long)more.rlim_cur, strerror(errno));

	ephemeral_setup(&o);
	report_setup(&o);
	pools_open(&o);
	report_pools_before(&o);
	sandbox_setup(&o);
	int r = sc_init();
	if (r < 0)
		die("cannot initialise: %s", strerror(-r));

	/* orphans of the tree come to us, so none outlives the supervisor */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("cannot become the tree's subreaper: %s", strerror(errno));
	sigset_t sigs;
	sigemptyset(&sigs);
	int fwd[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < 4; i++)
		sigaddset(&sigs, fwd[i]);
	sigaddset(&sigs, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) < 0)
		die("sigprocmask: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die("signalfd: %s", strerror(errno));

	int listener;
	pid_t child = sandbox_child_start(&o, &listener);
	int status = 0;
	if (child < 0) {
		waitpid(-child, &status, 0);
		sandbox_stop();
		sc_shutdown();
		report_write(&o, status);
		pools_close(&o);
		return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_OWN;
	}
	/* host files the supervisor creates for a target already carry the
	 * target's umask in their mode */
	umask(0);
	sc_set_root(child);
	workers_start(listener, o.workers);

	/*
	 * Last closes of pool files (inotify events) are read on each tick,
	 * not as they come: a wake-up per close cost open+close 10% on two
	 * CPUs. Whoever needs them at once (unlink, rename, statfs: freed
	 * space) reads them first itself.
	 */
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	int done = 0;
	while (!done) {
		if (poll(&pfd, 1, 10) < 0 && errno != EINTR)
			break;
		workers_tick();
		sc_ofd_events();
		sc_tasks_reap();  /* state of exited processes and threads */
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGCHLD) {
				/* a terminal's signal reached the command too */
				if (si.ssi_code != SI_KERNEL)
					kill(child, (int)si.ssi_signo);
				continue;
			}
			pid_t p;
			int st;
			sc_reap_begin();
			while ((p = waitpid(-1, &st, WNOHANG | __WALL)) > 0)
				if (p == child) {
					status = st;
					done = 1;
				}
			sc_reap_end();
		}
	}
	kill_leftovers();
	workers_stop();
	sandbox_stop();
	close(listener);
	sc_shutdown();
	report_write(&o, status);
	pools_close(&o);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
