/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host twins: the host FIFO or bound socket in the runtime directory that
 * stands for a FIFO or socket inode in a pool (fifo.c, socket.c). A
 * target holds the twin itself (a real pipe, a real socket), so data
 * never passes through us; what must still show the pool is what names or
 * describes the inode: fstat of such an fd gives the pool inode's stat,
 * /proc/PID/fd/N and getsockname/getpeername its pool path.
 *
 * The table keeps, per twin, its host inode number, its path, the pool
 * file (an O_PATH reference) and its pool path, hashed by host inode
 * (fstat of a target's fd) and by pool inode (mount, inode number: what
 * an unlink names, and what a twin's path encodes). Lookups cost nothing
 * while no twin exists; then an fstat of a host fd costs a pidfd_getfd
 * and an fstat more, to see whether it is one.
 *
 * A twin lives as long as it can be reached, in steps:
 *  - while the pool inode has a name, its host path stays (a blocking
 *    open of the FIFO is the caller's own open of that path; a connect
 *    by the pool name runs again with it). When the last name goes
 *    (unlink, rename over it: unlinkat.c and renameat.c call
 *    twin_name_gone; nlink 0 is final for a FIFO or socket, since only
 *    an O_TMPFILE may be linked again), the host path is unlinked too:
 *    nothing can open or connect by a name any more (a connect by the
 *    pool name is the pool's ENOENT, as Linux's), while every open end
 *    and every bound or accepted socket keeps working, as Linux keeps an
 *    unlinked FIFO or a bound socket whose name is gone.
 *  - the entry (for fstat, getsockname, /proc/PID/fd/N of what is still
 *    held) stays until the kernel frees the host dentry: an open file, a
 *    bound socket and the sockets accepted from it hold it, so inotify's
 *    IN_DELETE_SELF on the unlinked twin comes when the last of them is
 *    gone (at once when none is left), from any process, after fork,
 *    SCM_RIGHTS or exit.
 *  - a socket that connected to a socket twin shows its address
 *    (getpeername) as long as it lives, whoever else is gone: the kernel
 *    keeps the address, not the dentry. Such clients are noted at
 *    connect (their sockfs inode), and a released twin with clients that
 *    still exist (sockdiag.c) lingers, for that lookup only, until they
 *    are gone: looked at whenever the lingering twins have doubled, and
 *    a twin's list pruned whenever it has doubled. Then the entry goes,
 *    and the pool inode, referenced by nobody, is freed.
 * The table so holds the twins of named inodes, those still held, and
 * those with live clients. A name that goes in a way the unlink hook did
 * not see (a rename racing the unlink's look-up) is found by a sweep of
 * all named twins whenever their number has doubled since the last one
 * (amortized O(1) per twin).
 * Not exact: the accepted peer of a socket that was itself bound to a
 * pool path before it connected shows that path (getpeername) after the
 * bound socket and its name are gone, but is not known to us (it is made
 * by the kernel at the other end); the addresses of the last TOMBS socket
 * twins that went are kept for it, and past those it shows the host
 * twin's path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "syscalls.h"
#include "rundir.h"

#define NB 4096
#define SWEEP_MIN 64
#define LINGER_MIN 16
#define PRUNE_MIN 8
#define TOMBS 1024

struct twin {
	struct twin *next_host, *next_pool, *next_wd;
	uint64_t host_ino;
	uint64_t ino; /* the pool inode's */
	struct mount *m;
	pf_file *f; /* O_PATH: the pool inode */
	int named; /* the host path is there: the pool inode has a name */
	int wd; /* once unnamed: the IN_DELETE_SELF watch, or -1 */
	/* sockets that connected to it (sockfs inode numbers): each may
	 * report its address (getpeername) while it lives */
	uint64_t *clients;
	int nclients, capclients, prune_at;
	char host[PATH_MAX];
	char vpath[PATH_MAX];
	char addr[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
};

static struct twin *by_host[NB], *by_pool[NB], *by_wd[NB];
static struct twin *lingering; /* released, clients left; via next_wd */
/* the addresses of the last TOMBS socket twins dropped (see the top) */
static struct tomb {
	char host[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	char addr[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
} tombs[TOMBS];
static unsigned ntombs;
static int nlinger, linger_at = LINGER_MIN;
static int ntwins; /* all entries; read without the lock for fast paths */
static int nnamed, sweep_at = SWEEP_MIN;
static struct twin_stats stats; /* for --report; kept past twin_shutdown */
static dev_t twin_dev;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned pool_slot(int mnt_id, uint64_t ino)
{
	uint64_t h = (ino ^ ((uint64_t)(unsigned)mnt_id << 40)) *
		0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> 52) % NB;
}

int host_twin(struct mount *m, const struct pf_stat *st, const char *kind,
	      char *out, size_t size)
{
	char dir[PATH_MAX];
	int r = rundir_sub(kind, dir, sizeof(dir));
	if (r < 0)
		return r;
	if (snprintf(out, size, "%s/%d-%llu-%lld.%09ld", dir, m->mnt_id,
		     (unsigned long long)st->ino, (long long)st->btime.tv_sec,
		     st->btime.tv_nsec) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * The twin of pool inode (mnt_id, ino). A twin holds its pool inode, so
 * the number names no other inode of that pool while the twin exists.
 * Caller holds the lock.
 */
static struct twin *find_pool(int mnt_id, uint64_t ino)
{
	struct twin *t = by_pool[pool_slot(mnt_id, ino)];
	while (t && !(t->ino == ino && t->m->mnt_id == mnt_id))
		t = t->next_pool;
	return t;
}

/* The twin whose host path is host ("DIR/MNT-INO-BTIME"), or NULL.
 * Caller holds the lock. */
static struct twin *find_host_path(const char *host)
{
	const char *base = strrchr(host, '/');
	int mnt_id;
	uint64_t ino;
	if (!base || sscanf(base + 1, "%d-%" SCNu64 "-", &mnt_id, &ino) != 2)
		return NULL;
	struct twin *t = find_pool(mnt_id, ino);
	return t && !strcmp(t->host, host) ? t : NULL;
}

/* Removes pp's first element t from a chain linked through field next. */
#define UNCHAIN(head, t, next)                                                 \
	do {                                                                   \
		struct twin **pp_ = &(head);                                   \
		while (*pp_ && *pp_ != (t))                                    \
			pp_ = &(*pp_)->next;                                   \
		if (*pp_)                                                      \
			*pp_ = (t)->next;                                      \
	} while (0)

/*
 * The pool inode of t has no name left: its host path goes, and a watch
 * tells when the last holder of the host file lets go (twin_event).
 * Without a watch (inotify's limit reached) the entry stays until exit.
 * Caller holds the lock; t is named.
 */
static void unname(struct twin *t)
{
	t->wd = inotify_add_watch(sc_ofd_inotify_fd(), t->host, IN_DELETE_SELF);
	unlink(t->host);
	t->named = 0;
	nnamed--;
	if (t->wd >= 0) {
		unsigned s = (unsigned)t->wd % NB;
		t->next_wd = by_wd[s];
		by_wd[s] = t;
	}
}

/* Unnames t if its pool inode has no name left. Caller holds the lock. */
static void check_named(struct twin *t)
{
	struct pf_stat st;
	if (t->named && pf_fstat(t->m->pool, t->f, &st) == 0 && st.nlink == 0)
		unname(t);
}

/*
 * Every named twin whose inode lost its names unseen. Run when the named
 * twins have doubled since the last sweep. Caller holds the lock.
 */
static void sweep(void)
{
	if (nnamed < sweep_at)
		return;
	for (unsigned i = 0; i < NB; i++)
		for (struct twin *t = by_pool[i]; t; t = t->next_pool)
			check_named(t);
	sweep_at = nnamed * 2 > SWEEP_MIN ? nnamed * 2 : SWEEP_MIN;
}

static struct twin *insert(struct mount *m, pf_file *f, uint64_t ino,
			   const struct stat *hs)
{
	struct twin *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->m = m;
	t->f = pf_file_ref(f);
	t->ino = ino;
	t->host_ino = hs->st_ino;
	t->named = 1;
	t->wd = -1;
	t->prune_at = PRUNE_MIN;
	twin_dev = hs->st_dev;
	unsigned s = pool_slot(m->mnt_id, ino);
	t->next_pool = by_pool[s];
	by_pool[s] = t;
	s = (unsigned)(hs->st_ino % NB);
	t->next_host = by_host[s];
	by_host[s] = t;
	nnamed++;
	int n = __atomic_add_fetch(&ntwins, 1, __ATOMIC_RELAXED);
	stats.made++;
	if ((unsigned long)n > stats.peak)
		stats.peak = (unsigned long)n;
	return t;
}

int twin_make(struct mount *m, pf_file *f, const char *host, const char *vpath,
	      const char *addr, int (*make)(const char *host, void *arg),
	      void *arg)
{
	struct pf_stat st;
	int r = pf_fstat(m->pool, f, &st);
	if (r < 0)
		return r;
	pthread_mutex_lock(&lock);
	struct twin *t = find_pool(m->mnt_id, st.ino);
	struct stat hs;
	if (t && !t->named)
		r = -ENOENT; /* its names are gone: no new way in */
	else if ((r = make(host, arg)) == 0 && lstat(host, &hs) < 0)
		r = -errno;
	if (r == 0 && !t && !(t = insert(m, f, st.ino, &hs)))
		r = -ENOMEM;
	if (r == 0) {
		snprintf(t->host, sizeof(t->host), "%s", host);
		snprintf(t->vpath, sizeof(t->vpath), "%s", vpath);
		if (addr)
			snprintf(t->addr, sizeof(t->addr), "%s", addr);
		/* an unlink that ran since our look-up did not see us */
		check_named(t);
		sweep();
	}
	pthread_mutex_unlock(&lock);
	return r;
}

uint64_t twin_victim(struct mount *m, struct pf_caller *pc, pf_file *dir,
		     const char *path)
{
	struct pf_stat st;
	if (!__atomic_load_n(&ntwins, __ATOMIC_RELAXED) ||
	    pf_fstatat(m->pool, pc, dir, path, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !(S_ISFIFO(st.mode) || S_ISSOCK(st.mode)))
		return 0;
	return st.ino;
}

void twin_name_gone(struct mount *m, uint64_t ino)
{
	if (!ino)
		return;
	pthread_mutex_lock(&lock);
	struct twin *t = find_pool(m->mnt_id, ino);
	if (t)
		check_named(t);
	pthread_mutex_unlock(&lock);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Keeps t's clients that still exist (once each); how many are left.
 * Without sock_diag none is kept: the address goes with the twin.
 * Caller holds the lock.
 */
static int prune(struct twin *t)
{
	qsort(t->clients, (size_t)t->nclients, sizeof(*t->clients), cmp_u64);
	int n = 0;
	for (int i = 0; i < t->nclients; i++) {
		if (n && t->clients[n - 1] == t->clients[i])
			continue;
		int r = unix_socket_alive(t->clients[i]);
		if (r == 1 || (r < 0 && r != -ENOSYS))
			t->clients[n++] = t->clients[i];
	}
	t->nclients = n;
	t->prune_at = 2 * n > PRUNE_MIN ? 2 * n : PRUNE_MIN;
	return n;
}

/* t is out of every table: its pool inode is let go. */
static void destroy(struct twin *t)
{
	pf_close(t->f); /* the last reference of an unlinked inode frees it */
	free(t->clients);
	free(t);
}

/* Drops t from the pool table and frees it. Caller holds the lock; t is
 * in no other table. */
static void drop(struct twin *t)
{
	if (t->addr[0]) {
		struct tomb *tb = &tombs[ntombs++ % TOMBS];
		/* a socket twin's path fits a sun_path (host_twin) */
		snprintf(tb->host, sizeof(tb->host), "%.*s",
			 (int)sizeof(tb->host) - 1, t->host);
		snprintf(tb->addr, sizeof(tb->addr), "%s", t->addr);
	}
	UNCHAIN(by_pool[pool_slot(t->m->mnt_id, t->ino)], t, next_pool);
	__atomic_sub_fetch(&ntwins, 1, __ATOMIC_RELAXED);
	destroy(t);
}

/* The released twins whose clients are all gone go. Caller holds the
 * lock. */
static void check_lingering(void)
{
	struct twin **pp = &lingering;
	while (*pp) {
		struct twin *t = *pp;
		if (prune(t)) {
			pp = &t->next_wd;
			continue;
		}
		*pp = t->next_wd;
		nlinger--;
		drop(t);
	}
	linger_at = 2 * nlinger > LINGER_MIN ? 2 * nlinger : LINGER_MIN;
}

/*
 * Nothing holds t's host file any more (no FIFO end, no bound or accepted
 * socket): it goes, unless a socket that connected to it may still show
 * its address; then it lingers (for getpeername only) until those are
 * gone, looked at whenever the lingering twins have doubled. Caller holds
 * the lock.
 */
static void release(struct twin *t)
{
	UNCHAIN(by_wd[(unsigned)t->wd % NB], t, next_wd);
	UNCHAIN(by_host[t->host_ino % NB], t, next_host);
	t->wd = -1;
	if (!t->nclients || !prune(t)) {
		drop(t);
		return;
	}
	t->next_wd = lingering;
	lingering = t;
	if (++nlinger >= linger_at)
		check_lingering();
}

int twin_event(int wd)
{
	if (!__atomic_load_n(&ntwins, __ATOMIC_RELAXED))
		return 0;
	pthread_mutex_lock(&lock);
	struct twin *t = by_wd[(unsigned)wd % NB];
	while (t && t->wd != wd)
		t = t->next_wd;
	if (t)
		release(t);
	pthread_mutex_unlock(&lock);
	return t != NULL;
}

void twin_connecting(const char *host, uint64_t sock_ino)
{
	if (!__atomic_load_n(&ntwins, __ATOMIC_RELAXED))
		return;
	pthread_mutex_lock(&lock);
	struct twin *t = find_host_path(host);
	if (t && t->named) {
		if (t->nclients == t->capclients) {
			int cap = t->capclients ? 2 * t->capclients : PRUNE_MIN;
			uint64_t *c =
				realloc(t->clients, (size_t)cap * sizeof(*c));
			if (c) {
				t->clients = c;
				t->capclients = cap;
			}
		}
		if (t->nclients < t->capclients)
			t->clients[t->nclients++] = sock_ino;
		if (t->nclients >= t->prune_at)
			prune(t);
	}
	pthread_mutex_unlock(&lock);
}

int twin_count(void)
{
	return __atomic_load_n(&ntwins, __ATOMIC_RELAXED);
}

/* 1 with the twin's vpath (addr 0) or bound address (addr 1) in out */
static int twin_lookup(const char *host, int addr, char *out, size_t size)
{
	if (!__atomic_load_n(&ntwins, __ATOMIC_RELAXED) || !rundir_owns(host))
		return 0;
	pthread_mutex_lock(&lock);
	struct twin *t = find_host_path(host);
	int found = t && (!addr || t->addr[0]);
	if (found)
		snprintf(out, size, "%s", addr ? t->addr : t->vpath);
	for (unsigned i = 0; addr && !found && i < TOMBS && i < ntombs; i++)
		if (!strcmp(tombs[i].host, host)) {
			snprintf(out, size, "%s", tombs[i].addr);
			found = 1;
		}
	pthread_mutex_unlock(&lock);
	return found;
}

int twin_vpath(const char *host, char *out, size_t size)
{
	return twin_lookup(host, 0, out, size);
}

int twin_addr(const char *host, char *out, size_t size)
{
	return twin_lookup(host, 1, out, size);
}

int call_fd_twin(struct call *c, int fd, struct pf_stat *st, struct mount **m)
{
	if (!__atomic_load_n(&ntwins, __ATOMIC_RELAXED) || fd < 0)
		return 0;
	int pidfd = call_pidfd(c);
	if (pidfd < 0)
		return 0;
	int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (copy < 0)
		return 0;
	struct stat hs;
	int found = 0;
	if (fstat(copy, &hs) < 0 || hs.st_dev != twin_dev ||
	    !(S_ISFIFO(hs.st_mode) || S_ISSOCK(hs.st_mode))) {
		close(copy);
		return 0;
	}
	/* looked up while our copy holds the host file: a twin's entry goes
	 * only when nothing holds it, so the number is still its */
	pthread_mutex_lock(&lock);
	struct twin *t = by_host[hs.st_ino % NB];
	while (t && t->host_ino != hs.st_ino)
		t = t->next_host;
	if (t) {
		found = pf_fstat(t->m->pool, t->f, st) == 0;
		*m = t->m;
	}
	pthread_mutex_unlock(&lock);
	close(copy);
	return found;
}

void twin_get_stats(struct twin_stats *out)
{
	pthread_mutex_lock(&lock);
	*out = stats;
	pthread_mutex_unlock(&lock);
}

void twin_shutdown(void)
{
	pthread_mutex_lock(&lock);
	stats.left = (unsigned long)ntwins;
	for (unsigned i = 0; i < NB; i++)
		while (by_pool[i]) {
			struct twin *t = by_pool[i];
			by_pool[i] = t->next_pool;
			destroy(t);
		}
	memset(by_host, 0, sizeof(by_host));
	memset(by_wd, 0, sizeof(by_wd));
	lingering = NULL;
	ntombs = 0;
	ntwins = nnamed = nlinger = 0;
	sweep_at = SWEEP_MIN;
	linger_at = LINGER_MIN;
	pthread_mutex_unlock(&lock);
}
