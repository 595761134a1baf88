/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --sandbox: the host file system read-only, the network off, for the
 * whole tree, enforced by the kernel (Landlock).
 *
 * One ruleset is built at start-up. A helper thread of the supervisor
 * restricts itself with it (Landlock domain X) and forks the command
 * from there; the child restricts itself again before exec (domain D,
 * nested in X), so:
 *   - the tree (D) cannot ptrace or signal any thread of the supervisor
 *     (none is in D or beneath it);
 *   - threads the helper starts (runners, in X) have exactly the tree's
 *     file-system rights: the supervisor's host operations on a target's
 *     behalf (with_target_creds, syscalls/sandbox.c) run there and obey
 *     the same rules, and their abstract-socket connects reach only
 *     sockets of the tree (D is beneath X) and nothing outside;
 *   - the workers and the main thread stay unrestricted: pools, the
 *     report, the runtime directory are theirs.
 * PR_SET_PDEATHSIG follows the thread that forked: the helper lives until
 * the supervisor exits.
 *
 * Landlock grants only. Reading everything but a --hide path means
 * granting read on every sibling along the way from / down to it
 * (enumerated here, at set-up): the hidden path's ancestors themselves
 * cannot be listed, and entries created beside them later are not
 * readable. The pool files are carved out the same way from every write
 * grant (--rw of a directory that holds one), so the tree can never
 * write them (with the same consequence: new entries beside the pool's
 * ancestors below the --rw path cannot be made; said at start-up).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "launcher.h"
#include "syscalls.h"
#include "rundir.h"

/* newer than Debian 12's headers (Linux 6.1: ABI 2) */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

/* the ABI 6 layout of struct landlock_ruleset_attr */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

#define FS_READ                                                                \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |           \
	 LANDLOCK_ACCESS_FS_READ_DIR)
/* the rights a rule on a non-directory may carry */
#define FS_FILE                                                                \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |          \
	 LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |          \
	 LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define FS_DEV                                                                 \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |        \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
#define FS_ALL ((LANDLOCK_ACCESS_FS_IOCTL_DEV << 1) - 1)

/* Landlock ABI 6: signal and abstract-socket scoping (Linux 6.12) */
#define ABI_NEEDED 6

static int ruleset = -1;
static uint64_t handled_fs;

#define MAX_CARVE (2 * MAX_POOLS + 70)
static char *hidden[MAX_CARVE]; /* --hide: out of every grant */
static int nhidden;
static char *protected[MAX_CARVE]; /* out of every write grant */
static int nprotected;
static char *rw_roots[SC_SANDBOX_MAX_RW];

/* a strictly under b ("/" is above everything) */
static int strictly_under(const char *a, const char *b)
{
	size_t n = strlen(b);
	if (strcmp(b, "/") == 0)
		return strcmp(a, "/") != 0;
	return strncmp(a, b, n) == 0 && a[n] == '/';
}

static int same_or_under(const char *a, const char *b)
{
	return strcmp(a, b) == 0 || strictly_under(a, b);
}

static char *canon(const char *opt, const char *path)
{
	char *r = realpath(path, NULL);
	if (!r)
		die("%s %s: %s", opt, path, strerror(errno));
	return r;
}

static int ll_abi(void)
{
	return (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			    LANDLOCK_CREATE_RULESET_VERSION);
}

void sandbox_check_options(struct options *o)
{
	if (!o->sandbox) {
		if (o->nrw || o->nhide || o->net)
			die("%s needs --sandbox",
			    o->nrw	     ? "--rw" :
				    o->nhide ? "--hide" :
					       "--net");
		return;
	}
	/* fail closed, before anything is made (a pool, a report) */
	int abi = ll_abi();
	if (abi < 0)
		die("--sandbox needs Landlock, which this kernel does not offer (%s): Linux 6.12 or later with landlock in the lsm= list",
		    errno == EOPNOTSUPP	    ? "disabled at boot" :
			    errno == ENOSYS ? "not built in" :
					      strerror(errno));
	if (abi < ABI_NEEDED)
		die("--sandbox needs Landlock ABI %d (signal and abstract UNIX socket scoping, Linux 6.12); this kernel has ABI %d",
		    ABI_NEEDED, abi);
	for (int i = 0; i < o->nhide; i++) {
		hidden[nhidden] = canon("--hide", o->hide[i]);
		if (strcmp(hidden[nhidden], "/") == 0)
			die("--hide %s: cannot hide /; nothing could run",
			    o->hide[i]);
		nhidden++;
	}
	for (int i = 0; i < o->nrw; i++) {
		rw_roots[i] = canon("--rw", o->rw[i]);
		for (int j = 0; j < nhidden; j++)
			if (same_or_under(rw_roots[i], hidden[j]))
				die("--rw %s is inside --hide %s", o->rw[i],
				    hidden[j]);
		sc_sandbox.rw[i] = rw_roots[i];
	}
	sc_sandbox.nrw = o->nrw;
}

static void add_rule(const char *path, uint64_t rights)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		/* a name that went away while we listed: nothing to grant */
		if (errno == ENOENT)
			return;
		die("--sandbox: %s: %s", path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
		rights &= FS_FILE;
	struct landlock_path_beneath_attr pb = {
		.allowed_access = rights & handled_fs,
		.parent_fd = fd,
	};
	if (pb.allowed_access &&
	    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		    &pb, 0) < 0)
		die("--sandbox: landlock_add_rule %s: %s", path,
		    strerror(errno));
	close(fd);
}

/*
 * Grants rights on path and beneath, except on the carved-out paths and
 * beneath them: the directories on the way down to one are enumerated
 * and each other entry granted (symlinks need nothing: what they lead to
 * is checked where it is).
 */
static void grant_carved(const char *path, uint64_t rights, char **carve,
			 int ncarve, char **carve2, int ncarve2)
{
	int inside = 0;
	for (int i = 0; i < ncarve; i++) {
		if (strcmp(carve[i], path) == 0)
			return;
		inside |= strictly_under(carve[i], path);
	}
	for (int i = 0; i < ncarve2; i++) {
		if (strcmp(carve2[i], path) == 0)
			return;
		inside |= strictly_under(carve2[i], path);
	}
	if (!inside) {
		add_rule(path, rights);
		return;
	}
	DIR *d = opendir(path);
	if (!d)
		die("--sandbox: cannot list %s: %s", path, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char child[PATH_MAX];
		if (snprintf(child, sizeof(child), "%s/%s",
			     strcmp(path, "/") ? path : "",
			     e->d_name) >= (int)sizeof(child))
			continue;
		struct stat st;
		if (lstat(child, &st) < 0 || S_ISLNK(st.st_mode))
			continue;
		grant_carved(child, rights, carve, ncarve, carve2, ncarve2);
	}
	closedir(d);
}

static void grant(const char *path, uint64_t rights)
{
	int writes = (rights & ~FS_READ) != 0;
	for (int i = 0; writes && i < nprotected; i++)
		if (strictly_under(protected[i], path))
			log_msg(2,
				"--rw %s holds %s (a pool, or the runtime directory of --ephemeral), which the tree must not write: it stays read-only, and so do the directories on the way to it (no new entries there)",
				path, protected[i]);
	grant_carved(path, rights, hidden, nhidden, protected,
		     writes ? nprotected : 0);
}

void sandbox_protect(const char *path)
{
	if (!path || nprotected == MAX_CARVE)
		return;
	char *r = realpath(path, NULL);
	if (r)
	protected[nprotected++] = r;
}

void sandbox_setup(struct options *o)
{
	if (!o->sandbox)
		return;
	int abi = ll_abi();
	for (int i = 0; i < o->npools; i++)
		sandbox_protect(o->pool[i]);
	handled_fs = FS_ALL;
	struct ll_ruleset_attr attr = {
		.handled_access_fs = handled_fs,
		.scoped = LANDLOCK_SCOPE_SIGNAL,
	};
	if (o->net != 'h') {
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
			LANDLOCK_ACCESS_NET_CONNECT_TCP;
		attr.scoped |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	}
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr),
			       0);
	if (ruleset < 0)
		die("--sandbox: landlock_create_ruleset: %s", strerror(errno));

	grant("/", FS_READ);
	static const char *devs[] = { "/dev/null", "/dev/zero", "/dev/full",
				      "/dev/tty", "/dev/ptmx" };
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (access(devs[i], F_OK) == 0)
			grant(devs[i], FS_DEV);
	/* pool FIFOs: the tree opens their host twins itself (fifo.c) */
	char twins[PATH_MAX];
	if (rundir_sub("f", twins, sizeof(twins)) == 0)
		grant(twins,
		      LANDLOCK_ACCESS_FS_READ_FILE |
			      LANDLOCK_ACCESS_FS_WRITE_FILE);
	if (access("/dev/pts", F_OK) == 0)
		grant("/dev/pts", FS_DEV | LANDLOCK_ACCESS_FS_READ_DIR);
	/* the caller's terminal */
	for (int fd = 0; fd < 3; fd++) {
		char *t = ttyname(fd);
		if (t && t[0] == '/')
			grant(t, FS_DEV);
	}
	/* no device nodes, even under --rw: a root tree could make one for
	 * the host's disk there and write it */
	for (int i = 0; i < sc_sandbox.nrw; i++)
		grant(rw_roots[i],
		      FS_ALL &
			      ~(LANDLOCK_ACCESS_FS_MAKE_CHAR |
				LANDLOCK_ACCESS_FS_MAKE_BLOCK));

	sc_sandbox.net_none = o->net != 'h';
	sc_sandbox.run = sandbox_run;
	sc_sandbox.active = 1;
	log_msg(3, "sandbox: Landlock ABI %d, %d --rw, %d hidden, network %s",
		abi, sc_sandbox.nrw, nhidden,
		sc_sandbox.net_none ? "none" : "host");
}

/* ---- the helper thread and its runners ---------------------------------- */

/*
 * Runners are threads the helper starts (so they are in its domain); they
 * stay, idle, for the next job: starting a thread per operation cost
 * about three times the operation. A job waits for an idle runner or gets
 * a new one, never for a busy one (which may block: a host FIFO).
 */
struct job {
	long (*fn)(void *arg);
	void *arg;
	long res;
	int done;
	struct job *next;
};

static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t helper_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t run_cond = PTHREAD_COND_INITIALIZER; /* runners */
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER; /* waiters */
static struct job *helper_job; /* the fork, run by the helper itself */
static struct job *runq, **runq_tail = &runq;
static int nqueued, idle, spawn;
/* runners, for sandbox_kick (a runner never exits before sandbox_stop) */
#define MAX_RUNNERS 1024
static pthread_t runners[MAX_RUNNERS];
static int nrunners;
static int helper_stop, helper_up;
static long helper_err;
static pthread_t helper;

static void job_finish(struct job *j, long res)
{
	pthread_mutex_lock(&jobs_lock);
	j->res = res;
	j->done = 1;
	pthread_cond_broadcast(&done_cond);
	pthread_mutex_unlock(&jobs_lock);
}

/* caller holds jobs_lock */
static struct job *runq_pop(void)
{
	struct job *j = runq;
	if (j) {
		runq = j->next;
		if (!runq)
			runq_tail = &runq;
		nqueued--;
	}
	return j;
}

static void *runner(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&jobs_lock);
	if (nrunners < MAX_RUNNERS)
		runners[nrunners++] = pthread_self();
	for (;;) {
		while (!runq && !helper_stop) {
			idle++;
			pthread_cond_wait(&run_cond, &jobs_lock);
			idle--;
		}
		struct job *j = runq_pop();
		if (!j)
			break; /* helper_stop: sandbox_kick signals no more */
		pthread_mutex_unlock(&jobs_lock);
		job_finish(j, j->fn(j->arg));
		pthread_mutex_lock(&jobs_lock);
	}
	pthread_mutex_unlock(&jobs_lock);
	return NULL;
}

static void *helper_main(void *arg)
{
	(void)arg;
	long err = 0;
	/* no_new_privs and the restriction are this thread's only (and
	 * what it starts later inherits them) */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		err = -errno;
	pthread_mutex_lock(&jobs_lock);
	helper_err = err;
	helper_up = 1;
	pthread_cond_broadcast(&done_cond);
	pthread_mutex_unlock(&jobs_lock);
	if (err)
		return NULL;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 256 << 10);
	pthread_mutex_lock(&jobs_lock);
	for (;;) {
		while (!helper_job && !spawn && !helper_stop)
			pthread_cond_wait(&helper_cond, &jobs_lock);
		if (helper_stop)
			break;
		struct job *j = helper_job;
		helper_job = NULL;
		int n = spawn;
		spawn = 0;
		pthread_mutex_unlock(&jobs_lock);
		if (j)
			job_finish(j, j->fn(j->arg));
		for (int i = 0; i < n; i++) {
			pthread_t t;
			if (pthread_create(&t, &at, runner, NULL) == 0)
				continue;
			/* no thread: fail a job rather than leave it waiting */
			pthread_mutex_lock(&jobs_lock);
			struct job *f = runq_pop();
			pthread_mutex_unlock(&jobs_lock);
			if (f)
				job_finish(f, -ENOMEM);
		}
		pthread_mutex_lock(&jobs_lock);
	}
	pthread_mutex_unlock(&jobs_lock);
	pthread_attr_destroy(&at);
	return NULL;
}

/* caller holds jobs_lock; drops it */
static long wait_done(struct job *j)
{
	while (!j->done)
		pthread_cond_wait(&done_cond, &jobs_lock);
	pthread_mutex_unlock(&jobs_lock);
	return j->res;
}

/*
 * At exit, the workers wait for their runners: a runner blocked in a host
 * call (opening a host FIFO through a pool symlink for a target that was
 * killed meanwhile) is interrupted with SIGUSR2 as workers are, and its
 * call fails with EINTR.
 */
void sandbox_kick(void)
{
	pthread_mutex_lock(&jobs_lock);
	if (!helper_stop) {
		for (int i = 0; i < nrunners; i++)
			pthread_kill(runners[i], SIGUSR2);
	}
	pthread_mutex_unlock(&jobs_lock);
}

long sandbox_run(long (*fn)(void *arg), void *arg)
{
	struct job j = { fn, arg, 0, 0, NULL };
	pthread_mutex_lock(&jobs_lock);
	*runq_tail = &j;
	runq_tail = &j.next;
	nqueued++;
	if (nqueued > idle + spawn) {
		spawn++;
		pthread_cond_signal(&helper_cond);
	} else {
		pthread_cond_signal(&run_cond);
	}
	return wait_done(&j);
}

struct start {
	char **argv;
	int listener;
};

static long start_fn(void *arg)
{
	struct start *s = arg;
	return child_start(s->argv, &s->listener);
}

pid_t sandbox_child_start(struct options *o, int *listener)
{
	if (!o->sandbox)
		return child_start(o->argv, listener);
	if (pthread_create(&helper, NULL, helper_main, NULL) != 0)
		die("--sandbox: cannot start the helper thread");
	pthread_mutex_lock(&jobs_lock);
	while (!helper_up)
		pthread_cond_wait(&done_cond, &jobs_lock);
	pthread_mutex_unlock(&jobs_lock);
	if (helper_err)
		die("--sandbox: landlock_restrict_self: %s",
		    strerror((int)-helper_err));
	struct start s = { o->argv, -1 };
	struct job j = { start_fn, &s, 0, 0, NULL };
	pthread_mutex_lock(&jobs_lock);
	helper_job = &j;
	pthread_cond_signal(&helper_cond);
	pid_t pid = (pid_t)wait_done(&j);
	*listener = s.listener;
	return pid;
}

/* In the child, before exec: the tree's own domain, beneath the helper's. */
int sandbox_child_restrict(void)
{
	if (ruleset < 0)
		return 0;
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		return -errno;
	close(ruleset);
	return 0;
}

void sandbox_stop(void)
{
	if (ruleset < 0)
		return;
	pthread_mutex_lock(&jobs_lock);
	helper_stop = 1;
	pthread_cond_signal(&helper_cond);
	pthread_cond_broadcast(&run_cond);
	pthread_mutex_unlock(&jobs_lock);
	pthread_join(helper, NULL);
	close(ruleset);
	ruleset = -1;
}
