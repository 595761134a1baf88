/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Multi-threaded stress: N threads (PF_STRESS_THREADS, default 8) create,
 * append, overwrite, read, rename (also across directories), unlink, mkdir
 * and rmdir in shared directories for PF_STRESS_SECONDS (default 3). Each
 * thread owns its names and keeps a model of its files, so it can check
 * every read while others run; all threads also append fixed-size records
 * to one shared O_APPEND log and pwrite their own region of one shared open
 * file description. At the end the directory listings and every file are
 * compared with the union of the models, and fsck must be clean.
 */
#define _GNU_SOURCE
#include "pftest.h"

#include <linux/fs.h>
#include <pthread.h>

#define NDIRS 4
#define MAXFILES 40
#define MAXLEN 24000
#define RECLEN 64
#define REGION 65536

struct tfile {
	char path[64];
	unsigned char *data;
	size_t len;
};

struct worker {
	int id;
	pthread_t thread;
	uint64_t rng;
	struct tfile files[MAXFILES];
	int nfiles;
	int counter;
	int subdir;             /* 0: none; else "sN/t<id>dir" exists */
	char subdir_path[64];
	long ops, appends;
};

static struct worker *workers;
static int nthreads = 8;
static int stop;                /* __atomic accesses */
static pf_file *shared_log, *shared_region;

static uint64_t rnd(struct worker *w)
{
	uint64_t x = w->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	w->rng = x;
	return x;
}

static void new_name(struct worker *w, char *out, size_t len)
{
	snprintf(out, len, "/s%d/t%d_%d", (int)(rnd(w) % NDIRS), w->id,
		 w->counter++);
}

static void op_create(struct worker *w)
{
	if (w->nfiles == MAXFILES)
		return;
	struct tfile *f = &w->files[w->nfiles];
	new_name(w, f->path, sizeof(f->path));
	size_t len = rnd(w) % 5000;
	f->data = malloc(MAXLEN);
	pft_pattern(f->data, len, rnd(w), 0);
	f->len = len;
	pf_file *h;
	OK(pf_openat(P, &ROOT, NULL, f->path, O_CREAT | O_EXCL | O_WRONLY,
		     0644, &h));
	EQ(len, pf_write(P, &ROOT, h, f->data, len));
	pf_close(h);
	w->nfiles++;
}

static struct tfile *pick(struct worker *w)
{
	return w->nfiles ? &w->files[rnd(w) % (uint64_t)w->nfiles] : NULL;
}

static void op_append(struct worker *w)
{
	struct tfile *f = pick(w);
	if (!f)
		return;
	size_t add = rnd(w) % 3000 + 1;
	if (f->len + add > MAXLEN)
		return;
	pft_pattern(f->data + f->len, add, rnd(w), f->len);
	pf_file *h;
	OK(pf_openat(P, &ROOT, NULL, f->path, O_WRONLY | O_APPEND, 0, &h));
	EQ(add, pf_write(P, &ROOT, h, f->data + f->len, add));
	pf_close(h);
	f->len += add;
}

static void op_overwrite(struct worker *w)
{
	struct tfile *f = pick(w);
	if (!f || f->len == 0)
		return;
	size_t off = rnd(w) % f->len, n = rnd(w) % 2000 + 1;
	if (off + n > MAXLEN)
		n = MAXLEN - off;
	pft_pattern(f->data + off, n, rnd(w), off);
	pf_file *h;
	OK(pf_openat(P, &ROOT, NULL, f->path, O_RDWR, 0, &h));
	EQ(n, pf_pwrite(P, &ROOT, h, f->data + off, n, (off_t)off));
	pf_close(h);
	if (off + n > f->len)
		f->len = off + n;
}

static void op_truncate(struct worker *w)
{
	struct tfile *f = pick(w);
	if (!f)
		return;
	size_t len = rnd(w) % MAXLEN;
	OK(pf_truncate(P, &ROOT, NULL, f->path, (off_t)len));
	if (len > f->len)
		memset(f->data + f->len, 0, len - f->len);
	f->len = len;
}

static void op_read(struct worker *w)
{
	struct tfile *f = pick(w);
	if (!f)
		return;
	unsigned char buf[MAXLEN + 10];
	pf_file *h;
	OK(pf_openat(P, &ROOT, NULL, f->path, O_RDONLY, 0, &h));
	EQ(f->len, pf_read(P, h, buf, sizeof(buf)));
	pf_close(h);
	if (memcmp(buf, f->data, f->len) != 0)
		pft_fail(__FILE__, __LINE__, "thread %d: %s content differs",
			 w->id, f->path);
	struct pf_stat st;
	OK(pf_fstatat(P, &ROOT, NULL, f->path, &st, 0));
	EQ(f->len, st.size);
	EQ(1, st.nlink);
}

static void op_rename(struct worker *w)
{
	struct tfile *f = pick(w);
	if (!f)
		return;
	char to[64];
	if (w->nfiles > 1 && rnd(w) % 4 == 0) {
		/* over another of our files */
		struct tfile *g = pick(w);
		if (g == f)
			return;
		OK(pf_renameat2(P, &ROOT, NULL, f->path, NULL, g->path, 0));
		free(g->data);
		g->data = f->data;
		g->len = f->len;
		*f = w->files[--w->nfiles];
		return;
	}
	new_name(w, to, sizeof(to));
	OK(pf_renameat2(P, &ROOT, NULL, f->path, NULL, to, RENAME_NOREPLACE));
	snprintf(f->path, sizeof(f->path), "%s", to);
}

static void op_unlink(struct worker *w)
{
	struct tfile *f = pick(w);
	if (!f)
		return;
	OK(pf_unlinkat(P, &ROOT, NULL, f->path, 0));
	free(f->data);
	*f = w->files[--w->nfiles];
}

static void op_dir(struct worker *w)
{
	if (!w->subdir) {
		snprintf(w->subdir_path, sizeof(w->subdir_path),
			 "/s%d/t%ddir", (int)(rnd(w) % NDIRS), w->id);
		OK(pf_mkdirat(P, &ROOT, NULL, w->subdir_path, 0755));
		w->subdir = 1;
		return;
	}
	switch (rnd(w) % 3) {
	case 0: {       /* move it to another shared directory */
		char to[64];
		snprintf(to, sizeof(to), "/s%d/t%ddir", (int)(rnd(w) % NDIRS),
			 w->id);
		OK(pf_renameat2(P, &ROOT, NULL, w->subdir_path, NULL, to, 0));
		snprintf(w->subdir_path, sizeof(w->subdir_path), "%s", to);
		break;
	}
	case 1: {       /* a file in and out of it */
		char p[96];
		snprintf(p, sizeof(p), "%s/x", w->subdir_path);
		pf_file *h;
		OK(pf_openat(P, &ROOT, NULL, p, O_CREAT | O_EXCL | O_WRONLY,
			     0644, &h));
		pf_close(h);
		EQ(2, STAT(w->subdir_path).nlink);
		OK(pf_unlinkat(P, &ROOT, NULL, p, 0));
		break;
	}
	default:
		OK(pf_unlinkat(P, &ROOT, NULL, w->subdir_path, AT_REMOVEDIR));
		w->subdir = 0;
	}
}

static void op_list(struct worker *w)
{
	/* every file of ours in a shared directory is listed exactly once */
	int d = (int)(rnd(w) % NDIRS);
	char dir[16], prefix[16];
	snprintf(dir, sizeof(dir), "/s%d", d);
	snprintf(prefix, sizeof(prefix), "t%d_", w->id);
	char *names = pft_list(dir);
	for (int i = 0; i < w->nfiles; i++) {
		const char *p = w->files[i].path;
		if (strncmp(p, dir, strlen(dir)) != 0 ||
		    p[strlen(dir)] != '/')
			continue;
		const char *base = p + strlen(dir) + 1;
		size_t bl = strlen(base);
		int count = 0;
		for (const char *s = names; (s = strstr(s, base)); s++)
			if ((s == names || s[-1] == ' ') &&
			    (s[bl] == ' ' || s[bl] == 0))
				count++;
		if (count != 1)
			pft_fail(__FILE__, __LINE__, "thread %d: %s listed "
				 "%d times", w->id, p, count);
	}
	free(names);
}

static void op_shared(struct worker *w)
{
	char rec[RECLEN];
	memset(rec, '.', sizeof(rec));
	int n = snprintf(rec, sizeof(rec), "t=%d seq=%ld", w->id, w->appends);
	rec[n] = ' ';
	rec[RECLEN - 1] = '\n';
	EQ(RECLEN, pf_write(P, &ROOT, shared_log, rec, RECLEN));
	w->appends++;
	/* our own region of the shared description */
	unsigned char buf[512];
	off_t off = (off_t)w->id * REGION + (off_t)(rnd(w) % (REGION - 512));
	pft_pattern(buf, sizeof(buf), (uint64_t)w->id, (uint64_t)off);
	EQ(sizeof(buf), pf_pwrite(P, &ROOT, shared_region, buf, sizeof(buf),
				  off));
}

static void *work(void *arg)
{
	struct worker *w = arg;
	void (*ops[])(struct worker *) = {
		op_create, op_create, op_append, op_overwrite, op_truncate,
		op_read, op_read, op_rename, op_rename, op_unlink, op_dir,
		op_list, op_shared,
	};
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		ops[rnd(w) % (sizeof(ops) / sizeof(ops[0]))](w);
		w->ops++;
	}
	return NULL;
}

static void fsck_report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "fsck: %s\n", msg);
}

static void verify_end(void)
{
	/* listings: exactly the union of the models */
	for (int d = 0; d < NDIRS; d++) {
		char dir[16];
		snprintf(dir, sizeof(dir), "/s%d", d);
		char *got = pft_list(dir);
		size_t expected = 0, listed = 0;
		for (char *s = got; *s; s++)
			listed += *s == ' ';
		listed += got[0] != 0;
		for (int t = 0; t < nthreads; t++) {
			struct worker *w = &workers[t];
			for (int i = 0; i < w->nfiles; i++)
				expected += strncmp(w->files[i].path, dir,
						    strlen(dir)) == 0 &&
					    w->files[i].path[strlen(dir)] ==
					    '/';
			expected += w->subdir &&
				    strncmp(w->subdir_path, dir,
					    strlen(dir)) == 0 &&
				    w->subdir_path[strlen(dir)] == '/';
		}
		if (expected != listed)
			pft_fail(__FILE__, __LINE__, "%s lists %zu names, "
				 "expected %zu: %s", dir, listed, expected,
				 got);
		free(got);
	}
	long total_appends = 0;
	for (int t = 0; t < nthreads; t++) {
		struct worker *w = &workers[t];
		total_appends += w->appends;
		for (int i = 0; i < w->nfiles; i++) {
			size_t len;
			char *data = GET(w->files[i].path, &len);
			EQ(w->files[i].len, len);
			MEMEQ(w->files[i].data, data, len);
			free(data);
		}
	}
	/* the shared log: whole records, each thread's in order */
	size_t len;
	char *log = GET("/log", &len);
	EQ(total_appends * RECLEN, len);
	long *next = calloc((size_t)nthreads, sizeof(long));
	for (size_t off = 0; off < len; off += RECLEN) {
		int t;
		long seq;
		if (sscanf(log + off, "t=%d seq=%ld", &t, &seq) != 2 ||
		    log[off + RECLEN - 1] != '\n' || t < 0 || t >= nthreads)
			pft_fail(__FILE__, __LINE__, "bad log record at %zu",
				 off);
		EQ(next[t], seq);
		next[t]++;
	}
	free(next);
	free(log);
	/* the shared region: each byte never written or the writer's */
	char *reg = GET("/region", &len);
	CHECK(len <= (size_t)nthreads * REGION);
	unsigned char want;
	for (size_t p = 0; p < len; p++) {
		pft_pattern(&want, 1, p / REGION, p);
		if (reg[p] && (unsigned char)reg[p] != want)
			pft_fail(__FILE__, __LINE__, "region byte %zu", p);
	}
	free(reg);
}

static void threads_shared_dirs(void)
{
	const char *e = getenv("PF_STRESS_THREADS");
	if (e && atoi(e) > 0)
		nthreads = atoi(e);
	e = getenv("PF_STRESS_SECONDS");
	double secs = e ? atof(e) : 3;
	for (int d = 0; d < NDIRS; d++) {
		char dir[16];
		snprintf(dir, sizeof(dir), "/s%d", d);
		MKDIR(dir);
	}
	struct pf_statfs before, after;
	OK(pf_statfs(P, &before));
	shared_log = OPEN("/log", O_CREAT | O_WRONLY | O_APPEND, 0644);
	shared_region = OPEN("/region", O_CREAT | O_RDWR, 0644);
	workers = calloc((size_t)nthreads, sizeof(*workers));
	for (int t = 0; t < nthreads; t++) {
		workers[t].id = t;
		workers[t].rng = 0x9E3779B97F4A7C15ull * (uint64_t)(t + 1);
		CHECK(pthread_create(&workers[t].thread, NULL, work,
				     &workers[t]) == 0);
	}
	struct timespec ts = { (time_t)secs,
			       (long)((secs - (double)(time_t)secs) * 1e9) };
	nanosleep(&ts, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	long ops = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(workers[t].thread, NULL);
		ops += workers[t].ops;
	}
	pf_close(shared_log);
	pf_close(shared_region);
	printf("%d threads, %ld operations\n", nthreads, ops);
	verify_end();
	pft_reopen();
	verify_end();
	/* remove everything: the space comes back (directory pages that
	 * grew may stay: allow 1 MiB) */
	for (int t = 0; t < nthreads; t++) {
		struct worker *w = &workers[t];
		for (int i = 0; i < w->nfiles; i++)
			OK(pf_unlinkat(P, &ROOT, NULL, w->files[i].path, 0));
		if (w->subdir)
			OK(pf_unlinkat(P, &ROOT, NULL, w->subdir_path,
				       AT_REMOVEDIR));
	}
	OK(pf_unlinkat(P, &ROOT, NULL, "/log", 0));
	OK(pf_unlinkat(P, &ROOT, NULL, "/region", 0));
	OK(pf_statfs(P, &after));
	CHECK(after.bfree <= before.bfree);
	if ((before.bfree - after.bfree) * after.frsize > (1u << 20))
		pft_fail(__FILE__, __LINE__, "%ju bytes not returned after "
			 "removing everything",
			 (uintmax_t)((before.bfree - after.bfree) *
				     after.frsize));
	pf_pool_close(P);
	P = NULL;
	EQ(0, pf_fsck(pft_pool_path, fsck_report, NULL));
}

/* Many threads on one directory with colliding names: whatever the
 * interleaving, each create/unlink/rename returns a valid result and the
 * directory stays consistent. */
static void *collide(void *arg)
{
	struct worker *w = arg;
	char a[32], b[32];
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		snprintf(a, sizeof(a), "/c/n%d", (int)(rnd(w) % 16));
		snprintf(b, sizeof(b), "/c/n%d", (int)(rnd(w) % 16));
		pf_file *h;
		int r;
		switch (rnd(w) % 4) {
		case 0:
			r = pf_openat(P, &ROOT, NULL, a, O_CREAT | O_EXCL |
				      O_WRONLY, 0644, &h);
			if (r == 0)
				pf_close(h);
			else if (r != -EEXIST)
				EQ(0, r);
			break;
		case 1:
			r = pf_unlinkat(P, &ROOT, NULL, a, 0);
			if (r != 0 && r != -ENOENT)
				EQ(0, r);
			break;
		case 2:
			r = pf_renameat2(P, &ROOT, NULL, a, NULL, b, 0);
			if (r != 0 && r != -ENOENT)
				EQ(0, r);
			break;
		default:
			r = pf_renameat2(P, &ROOT, NULL, a, NULL, b,
					 RENAME_EXCHANGE);
			if (r != 0 && r != -ENOENT)
				EQ(0, r);
		}
		w->ops++;
	}
	return NULL;
}

static void threads_colliding_names(void)
{
	MKDIR("/c");
	__atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
	nthreads = 8;
	workers = calloc((size_t)nthreads, sizeof(*workers));
	for (int t = 0; t < nthreads; t++) {
		workers[t].rng = 12345 + (uint64_t)t * 777;
		CHECK(pthread_create(&workers[t].thread, NULL, collide,
				     &workers[t]) == 0);
	}
	struct timespec ts = { 1, 500000000 };
	nanosleep(&ts, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (int t = 0; t < nthreads; t++)
		pthread_join(workers[t].thread, NULL);
	/* the listing and lookups agree */
	char *names = pft_list("/c");
	int listed = 0;
	for (int i = 0; i < 16; i++) {
		char n[16], p[32];
		snprintf(n, sizeof(n), "n%d", i);
		snprintf(p, sizeof(p), "/c/n%d", i);
		int in_list = 0;
		for (char *s = names; (s = strstr(s, n)); s++)
			if ((s == names || s[-1] == ' ') &&
			    (s[strlen(n)] == ' ' || s[strlen(n)] == 0))
				in_list++;
		EQ(pft_exists(p), in_list);
		listed += in_list;
	}
	free(names);
	printf("%d names left\n", listed);
	pf_pool_close(P);
	P = NULL;
	EQ(0, pf_fsck(pft_pool_path, fsck_report, NULL));
}

/* Threads move directories into each other at random: the classic way to
 * deadlock or to make a loop. The rename into a descendant must fail with
 * EINVAL and everything must stay one tree. */
#define NMOVERS 12
static char mover_dirs[NMOVERS][8];

/* dst = a "/" b, truncated to n bytes */
static void join(char *dst, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > n - 2)
		la = n - 2;
	if (la + 1 + lb > n - 1)
		lb = n - 2 - la;
	memcpy(dst, a, la);
	dst[la] = '/';
	memcpy(dst + la + 1, b, lb);
	dst[la + 1 + lb] = 0;
}

static int find_dir(const char *name, char *out, size_t len)
{
	/* search the tree for a directory called name (BFS) */
	static __thread char queue[64][512];
	int head = 0, tail = 0;
	queue[tail++][0] = 0;
	while (head < tail) {
		const char *dir = queue[head++];
		char path[600];
		join(path, sizeof(path), dir, name);
		struct pf_stat st;
		if (pf_fstatat(P, &ROOT, NULL, path, &st, 0) == 0) {
			snprintf(out, len, "%s", path);
			return 0;
		}
		pf_file *d;
		if (pf_openat(P, &ROOT, NULL, dir[0] ? dir : "/",
			      O_RDONLY | O_DIRECTORY, 0, &d))
			continue;
		char buf[4096];
		ssize_t r;
		while ((r = pf_getdents64(P, d, buf, sizeof(buf))) > 0)
			for (ssize_t off = 0; off < r;) {
				struct pf_dirent64 *e = (void *)(buf + off);
				off += e->d_reclen;
				if (e->d_name[0] == '.' || tail >= 64)
					continue;
				join(queue[tail++], 512, dir, e->d_name);
			}
		pf_close(d);
	}
	return -ENOENT;
}

static void *mover(void *arg)
{
	struct worker *w = arg;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		const char *a = mover_dirs[rnd(w) % NMOVERS];
		const char *b = mover_dirs[rnd(w) % NMOVERS];
		char pa[600], pb[600], to[700];
		memset(pb, 0, sizeof(pb));
		if (find_dir(a, pa, sizeof(pa)) || find_dir(b, pb, sizeof(pb)))
			continue;
		if (rnd(w) % 4 == 0)
			snprintf(to, sizeof(to), "/%s", a);  /* back up */
		else
			snprintf(to, sizeof(to), "%s/%s", pb, a);
		int r = pf_renameat2(P, &ROOT, NULL, pa, NULL, to, 0);
		/* EINVAL: into itself; ENOENT: moved meanwhile; ENOTEMPTY /
		 * EEXIST should not happen (names are unique) */
		if (r != 0 && r != -EINVAL && r != -ENOENT)
			EQ(0, r);
		w->ops++;
	}
	return NULL;
}

static void threads_moving_directories(void)
{
	for (int i = 0; i < NMOVERS; i++) {
		snprintf(mover_dirs[i], sizeof(mover_dirs[i]), "m%d", i);
		char p[16];
		snprintf(p, sizeof(p), "/m%d", i);
		MKDIR(p);
	}
	__atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
	nthreads = 6;
	workers = calloc((size_t)nthreads, sizeof(*workers));
	for (int t = 0; t < nthreads; t++) {
		workers[t].rng = 999 + (uint64_t)t * 31337;
		CHECK(pthread_create(&workers[t].thread, NULL, mover,
				     &workers[t]) == 0);
	}
	struct timespec ts = { 2, 0 };
	nanosleep(&ts, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	long ops = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(workers[t].thread, NULL);
		ops += workers[t].ops;
	}
	printf("%ld directory moves tried\n", ops);
	/* every directory is still reachable exactly once, and its ..
	 * is the directory that lists it */
	for (int i = 0; i < NMOVERS; i++) {
		char p[600], dd[620];
		OK(find_dir(mover_dirs[i], p, sizeof(p)));
		snprintf(dd, sizeof(dd), "%s/..", p);
		char parent[600];
		snprintf(parent, sizeof(parent), "%s", p);
		*strrchr(parent, '/') = 0;
		EQ(STAT(parent[0] ? parent : "/").ino, STAT(dd).ino);
	}
	pf_pool_close(P);
	P = NULL;
	EQ(0, pf_fsck(pft_pool_path, fsck_report, NULL));
}

/* Opens, reads, writes, renames and unlinks of the same few names from
 * many threads: last references are dropped while others look the inode
 * up again (the orphan and inode-cache paths). Reads through any open
 * description see whole records. */
static void *churn(void *arg)
{
	struct worker *w = arg;
	char rec[512];
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "/x%d", (int)(rnd(w) % 3));
		snprintf(b, sizeof(b), "/x%d", (int)(rnd(w) % 3));
		pf_file *f;
		int r;
		switch (rnd(w) % 5) {
		case 0:         /* a fresh file with one record */
			r = pf_openat(P, &ROOT, NULL, a, O_CREAT | O_TRUNC |
				      O_WRONLY, 0644, &f);
			EQ(0, r);
			memset(rec, 'a' + (int)(rnd(w) % 26), sizeof(rec));
			EQ(sizeof(rec), pf_write(P, &ROOT, f, rec,
						 sizeof(rec)));
			pf_close(f);
			break;
		case 1:         /* read it through a new description */
			r = pf_openat(P, &ROOT, NULL, a, O_RDONLY, 0, &f);
			if (r == -ENOENT)
				break;
			EQ(0, r);
			ssize_t n = pf_read(P, f, rec, sizeof(rec));
			/* empty (just truncated) or one whole record */
			if (n != 0 && n != (ssize_t)sizeof(rec))
				pft_fail(__FILE__, __LINE__, "read %zd", n);
			for (ssize_t i = 1; i < n; i++)
				if (rec[i] != rec[0])
					pft_fail(__FILE__, __LINE__,
						 "torn record");
			/* keep it a while, then drop it after an unlink */
			if (rnd(w) % 2)
				pf_unlinkat(P, &ROOT, NULL, a, 0);
			pf_close(f);
			break;
		case 2:
			r = pf_unlinkat(P, &ROOT, NULL, a, 0);
			if (r != 0 && r != -ENOENT)
				EQ(0, r);
			break;
		case 3:
			r = pf_renameat2(P, &ROOT, NULL, a, NULL, b, 0);
			if (r != 0 && r != -ENOENT)
				EQ(0, r);
			break;
		default: {
			struct pf_stat st;
			r = pf_fstatat(P, &ROOT, NULL, a, &st, 0);
			if (r != 0 && r != -ENOENT)
				EQ(0, r);
		}
		}
		w->ops++;
	}
	return NULL;
}

static void threads_open_unlink_churn(void)
{
	struct pf_statfs before, after;
	OK(pf_statfs(P, &before));
	__atomic_store_n(&stop, 0, __ATOMIC_RELAXED);
	nthreads = 8;
	workers = calloc((size_t)nthreads, sizeof(*workers));
	for (int t = 0; t < nthreads; t++) {
		workers[t].rng = 4242 + (uint64_t)t * 7;
		CHECK(pthread_create(&workers[t].thread, NULL, churn,
				     &workers[t]) == 0);
	}
	struct timespec ts = { 1, 500000000 };
	nanosleep(&ts, NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	long ops = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(workers[t].thread, NULL);
		ops += workers[t].ops;
	}
	printf("%ld operations\n", ops);
	for (int i = 0; i < 3; i++) {
		char a[16];
		snprintf(a, sizeof(a), "/x%d", i);
		int r = pf_unlinkat(P, &ROOT, NULL, a, 0);
		if (r != 0 && r != -ENOENT)
			EQ(0, r);
	}
	OK(pf_statfs(P, &after));
	/* every inode was freed (ffree may be estimated from free space,
	 * and a directory page may have been added: a little slack) */
	CHECK(after.ffree + 1024 >= before.ffree);
	CHECK((before.bfree - after.bfree) * after.frsize <= 64 * 1024);
	pf_pool_close(P);
	P = NULL;
	EQ(0, pf_fsck(pft_pool_path, fsck_report, NULL));
}

PFT_MAIN({ "threads_shared_dirs", threads_shared_dirs, 0, 120 },
	 { "threads_open_unlink_churn", threads_open_unlink_churn, 0, 120 },
	 { "threads_colliding_names", threads_colliding_names, 0, 120 },
	 { "threads_moving_directories", threads_moving_directories, 0, 120 })
