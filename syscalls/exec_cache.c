/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host copies of pool files being executed. The kernel can only execute
 * (and map, and give ETXTBSY for) a file it has: a pool file is copied
 * once into a private directory of the supervisor, and the copy is what
 * the caller's exec runs (exec.c).
 *
 * The directory: x/ in the runtime directory (rundir.c). Each copy lives
 * in a subdirectory of its own, under the name it was executed by, as the
 * kernel names the new process (comm, /proc/PID/status) after the file it
 * executes; another name for the same file is a hard link beside it. A
 * script's interpreter is executed under the script's name (as Linux
 * names the process after the script): for a pool interpreter such a
 * link, for a host one a symbolic link hN/NAME to it (exec_cache_alias).
 * Copies are mode 0755 without set-id bits: a pool is nosuid.
 *
 * A copy is found again by (pool, inode) and used while the pool file's
 * size, mtime and ctime are what they were when it was made; otherwise it
 * is made again (the old one removed: a process still running it keeps
 * its own). At most CACHE_MAX copies; the least recently used goes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "syscalls.h"
#include "exec_cache.h"
#include "rundir.h"

#define CACHE_MAX 64

struct entry {
	struct mount *m; /* NULL: a free slot */
	uint64_t ino;
	uint64_t size;
	struct timespec mtime, ctime;
	unsigned long used; /* LRU clock */
	char dir[PATH_MAX]; /* holds the copy under each of its names */
	char first[NAME_MAX + 1]; /* the name it was made under */
	struct name *names; /* each name's pool path (/proc/PID/exe) */
};

struct name {
	struct name *next;
	char vpath[PATH_MAX];
	char name[NAME_MAX + 1];
};

#define ALIAS_MAX 64
static char aliases[ALIAS_MAX][PATH_MAX]; /* host interpreters: hN */
static int naliases;

static struct entry cache[CACHE_MAX];
static int nused;
static unsigned long clock_;
static unsigned long seq;
static char root[PATH_MAX];
static size_t rootlen;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The cache's directory, x/ in the runtime directory. */
static int make_root(void)
{
	int r = rundir_sub("x", root, sizeof(root));
	if (r < 0) {
		root[0] = 0;
		return r;
	}
	rootlen = strlen(root);
	return 0;
}

static void drop(struct entry *e)
{
	rundir_remove(e->dir, 1);
	while (e->names) {
		struct name *n = e->names;
		e->names = n->next;
		free(n);
	}
	e->m = NULL;
	nused--;
}

/* The name the kernel gives the process: the last one of the path. */
static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return *b && strlen(b) <= NAME_MAX ? b : "exe";
}

static struct entry *find(const struct mount *m, uint64_t ino)
{
	for (int i = 0; i < CACHE_MAX; i++)
		if (cache[i].m == m && cache[i].ino == ino)
			return &cache[i];
	return NULL;
}

static int same(const struct entry *e, const struct pf_stat *st)
{
	return e->size == st->size && e->mtime.tv_sec == st->mtime.tv_sec &&
		e->mtime.tv_nsec == st->mtime.tv_nsec &&
		e->ctime.tv_sec == st->ctime.tv_sec &&
		e->ctime.tv_nsec == st->ctime.tv_nsec;
}

struct copy {
	int fd;
};

static ssize_t to_host(void *arg, void *pool_mem, size_t len, size_t pos)
{
	struct copy *cp = arg;
	if (!pool_mem)
		return (ssize_t)len; /* a hole: the file reads zeros there */
	for (size_t done = 0; done < len;) {
		ssize_t n = pwrite(cp->fd, (char *)pool_mem + done, len - done,
				   (off_t)(pos + done));
		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		done += (size_t)n;
	}
	return (ssize_t)len;
}

/* Copies the data of f (open for reading) into a new file at path. */
static int copy_out(struct mount *m, pf_file *f, uint64_t size,
		    const char *path)
{
	struct copy cp = { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
				0700) };
	if (cp.fd < 0)
		return -errno;
	int r = ftruncate(cp.fd, (off_t)size) < 0 ? -errno : 0;
	for (uint64_t done = 0; r == 0 && done < size;) {
		ssize_t n = pf_read_cb(m->pool, f, size - done, (off_t)done,
				       to_host, &cp);
		if (n <= 0)
			r = n < 0 ? (int)n : -EIO;
		else
			done += (uint64_t)n;
	}
	if (r == 0 && fchmod(cp.fd, 0755) < 0)
		r = -errno;
	close(cp.fd);
	return r;
}

/* A new copy in slot e. 0 or -errno. */
static int make(struct entry *e, struct mount *m, pf_file *rd,
		const struct pf_stat *st, const char *name, const char *vpath)
{
	char file[PATH_MAX];
	if (!root[0] && make_root() < 0)
		return -EACCES;
	if (snprintf(e->dir, sizeof(e->dir), "%s/%lu", root, ++seq) >=
		    (int)sizeof(e->dir) ||
	    snprintf(file, sizeof(file), "%s/%s", e->dir, name) >=
		    (int)sizeof(file))
		return -ENAMETOOLONG;
	if (mkdir(e->dir, 0711) < 0)
		return errno == ENOSPC ? -ENOMEM : -errno;
	int r = copy_out(m, rd, st->size, file);
	if (r < 0) {
		rundir_remove(e->dir, 1);
		sc_log(SC_LOG_WARN, "cannot copy %s out to execute it: %s",
		       vpath, strerror(-r));
		return r == -ENOSPC || r == -EDQUOT ? -ENOMEM : r;
	}
	e->m = m;
	e->ino = st->ino;
	e->size = st->size;
	e->mtime = st->mtime;
	e->ctime = st->ctime;
	snprintf(e->first, sizeof(e->first), "%s", name);
	e->names = NULL;
	nused++;
	return 0;
}

/* The copy in e under name (a new hard link if need be), opened; the
 * name stands for vpath from now on. */
static int open_as(struct entry *e, const char *name, const char *vpath)
{
	struct name *n;
	for (n = e->names; n && strcmp(n->name, name); n = n->next)
		;
	if (!n && (n = malloc(sizeof(*n)))) {
		snprintf(n->name, sizeof(n->name), "%s", name);
		n->next = e->names;
		e->names = n;
	}
	if (n)
		snprintf(n->vpath, sizeof(n->vpath), "%s", vpath);
	char file[PATH_MAX], first[PATH_MAX];
	if (snprintf(file, sizeof(file), "%s/%s", e->dir, name) >=
		    (int)sizeof(file) ||
	    snprintf(first, sizeof(first), "%s/%s", e->dir, e->first) >=
		    (int)sizeof(first))
		return -ENAMETOOLONG;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT &&
	    (link(first, file) == 0 || errno == EEXIST))
		fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == EMFILE ? -ENFILE : -errno;
	return fd;
}

int exec_cache_get(struct mount *m, pf_file *f, const char *given,
		   const char *vpath)
{
	struct pf_stat st;
	int r = pf_fstat(m->pool, f, &st);
	if (r < 0)
		return r;
	/* the copy is made by the supervisor: exec needs no read permission */
	struct pf_caller sup = { .caps = PF_CAP_DAC_OVERRIDE |
					 PF_CAP_DAC_READ_SEARCH };
	pf_file *rd;
	pthread_mutex_lock(&lock);
	const char *name = base_name(given);
	struct entry *e = find(m, st.ino);
	if (e && !same(e, &st)) {
		drop(e);
		e = NULL;
	}
	if (!e) {
		r = pf_openat(m->pool, &sup, f, PF_PATH_SELF, O_RDONLY, 0, &rd);
		if (r == 0) {
			struct entry *lru = NULL;
			for (int i = 0; i < CACHE_MAX && !e; i++) {
				if (!cache[i].m)
					e = &cache[i];
				else if (!lru || cache[i].used < lru->used)
					lru = &cache[i];
			}
			if (!e) {
				drop(lru);
				e = lru;
			}
			r = make(e, m, rd, &st, name, vpath);
			pf_close(rd);
			if (r < 0)
				e = NULL;
		}
	}
	int fd = r < 0 ? r : -EIO;
	if (e) {
		e->used = ++clock_;
		fd = open_as(e, name, vpath);
	}
	pthread_mutex_unlock(&lock);
	return fd;
}

int exec_cache_count(void)
{
	return __atomic_load_n(&nused, __ATOMIC_RELAXED);
}

int exec_cache_running(const struct mount *m, uint64_t ino)
{
	int busy = 0;
	pthread_mutex_lock(&lock);
	struct entry *e = find(m, ino);
	if (e) {
		/* the kernel refuses writers of a file being executed */
		char file[PATH_MAX];
		snprintf(file, sizeof(file), "%s/%s", e->dir, e->first);
		int fd = open(file, O_WRONLY | O_CLOEXEC);
		busy = fd < 0 && errno == ETXTBSY;
		if (fd >= 0)
			close(fd);
	}
	pthread_mutex_unlock(&lock);
	return busy;
}

int exec_cache_vpath(const char *host, char *out, size_t size)
{
	if (!rootlen || strncmp(host, root, rootlen) != 0 ||
	    host[rootlen] != '/')
		return 0;
	char link[PATH_MAX];
	snprintf(link, sizeof(link), "%s", host);
	size_t n = strlen(link);
	const char *del = " (deleted)";
	if (n > strlen(del) && !strcmp(link + n - strlen(del), del))
		link[n - strlen(del)] = 0;
	int found = 0;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < CACHE_MAX && !found; i++) {
		size_t dl = strlen(cache[i].dir);
		if (!cache[i].m || strncmp(cache[i].dir, link, dl) ||
		    link[dl] != '/')
			continue;
		for (struct name *nm = cache[i].names; nm && !found;
		     nm = nm->next)
			if (!strcmp(nm->name, link + dl + 1)) {
				snprintf(out, size, "%s", nm->vpath);
				found = 1;
			}
	}
	pthread_mutex_unlock(&lock);
	return found;
}

int exec_cache_alias(const char *interp, const char *given, char *out)
{
	const char *name = base_name(given);
	int r = 0;
	pthread_mutex_lock(&lock);
	int k;
	for (k = 0; k < naliases && strcmp(aliases[k], interp); k++)
		;
	char dir[PATH_MAX];
	if (k == ALIAS_MAX || (!root[0] && make_root() < 0) ||
	    snprintf(dir, sizeof(dir), "%s/h%d", root, k) >= (int)sizeof(dir) ||
	    snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
		r = -ENOSPC;
	} else if (k == naliases) {
		if (mkdir(dir, 0711) < 0 && errno != EEXIST)
			r = -errno;
		else
			snprintf(aliases[naliases++], PATH_MAX, "%s", interp);
	}
	if (r == 0 && symlink(interp, out) < 0 && errno != EEXIST)
		r = -errno;
	pthread_mutex_unlock(&lock);
	return r;
}

void exec_cache_shutdown(void)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < CACHE_MAX; i++)
		if (cache[i].m)
			drop(&cache[i]);
	if (root[0])
		rundir_remove(root, 2); /* the rest goes with rundir_shutdown */
	root[0] = 0;
	naliases = 0;
	rootlen = 0;
	pthread_mutex_unlock(&lock);
}
