/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load, run under pmemfile-run:
 *
 *   rel-load run MNT MANIFESTS NPROC NTHREADS SECONDS
 *   rel-load verify MNT MANIFESTS
 *
 * NPROC processes with NTHREADS threads each work for SECONDS in four
 * shared directories of the pool: create files and write them in pieces,
 * append, read back and check, rename across the shared directories,
 * unlink, list the directories, and append fixed-size records to one
 * shared O_APPEND log. Each thread keeps the list of its files (the byte
 * at offset o of a file with id I is a hash of (I, o)) and at the end
 * checks them all and writes them to a manifest on the host (MANIFESTS/,
 * outside the pool). `verify` (run in a new pmemfile-run, after the pool
 * was closed and reopened) checks every manifest file's size and bytes,
 * that the shared directories hold nothing else, and that the log's
 * records are whole and all there.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NDIRS 4
#define MAXFILES 64
#define REC 64

static const char *mnt, *manifests;
static int nproc_, nthreads;
static double seconds;
static double t_end;

struct file {
	uint64_t id;
	uint64_t size;
	char path[256];
};

struct worker {
	int p, t;
	uint64_t rng;
	struct file files[MAXFILES];
	int nfiles;
	uint64_t seq, logged;
	long ops, errors;
};

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
fill(uint64_t id, uint64_t off, unsigned char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t x = (id * 0x9E3779B97F4A7C15ULL) ^ ((off + i) / 8 * 0xBF58476D1CE4E5B9ULL);
		x ^= x >> 31;
		buf[i] = (unsigned char)(x >> (8 * ((off + i) % 8)));
	}
}

#define ERR(w, ...) do { fprintf(stderr, "FAIL p%d t%d: ", (w)->p, (w)->t); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); (w)->errors++; } while (0)

static int
check_file(struct worker *w, const struct file *f)
{
	int fd = open(f->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ERR(w, "open %s: %s", f->path, strerror(errno));
		return -1;
	}
	struct stat st;
	fstat(fd, &st);
	if ((uint64_t)st.st_size != f->size)
		ERR(w, "%s: size %lld, want %llu", f->path, (long long)st.st_size,
		    (unsigned long long)f->size);
	static __thread unsigned char got[65536], want[65536];
	uint64_t off = 0;
	while (off < f->size) {
		size_t n = f->size - off < sizeof(got) ? (size_t)(f->size - off) : sizeof(got);
		ssize_t r = pread(fd, got, n, (off_t)off);
		if (r <= 0) {
			ERR(w, "%s: pread at %llu: %zd", f->path,
			    (unsigned long long)off, r);
			break;
		}
		fill(f->id, off, want, (size_t)r);
		if (memcmp(got, want, (size_t)r)) {
			ERR(w, "%s: wrong bytes near %llu", f->path,
			    (unsigned long long)off);
			break;
		}
		off += (uint64_t)r;
	}
	close(fd);
	return 0;
}

static void
append_bytes(struct worker *w, struct file *f, size_t n)
{
	static __thread unsigned char buf[65536];
	int fd = open(f->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		ERR(w, "open for append %s: %s", f->path, strerror(errno));
		return;
	}
	while (n) {
		size_t k = n < 5000 ? n : 1 + rnd(&w->rng) % 5000;
		if (k > n)
			k = n;
		fill(f->id, f->size, buf, k);
		ssize_t r = write(fd, buf, k);
		if (r != (ssize_t)k) {
			ERR(w, "append to %s: %zd of %zu: %s", f->path, r, k,
			    strerror(errno));
			break;
		}
		f->size += k;
		n -= k;
	}
	close(fd);
}

static void
log_record(struct worker *w, int logfd)
{
	char rec[REC];
	memset(rec, ' ', REC);
	int n = snprintf(rec, REC, "p%03d t%03d seq %010llu ", w->p, w->t,
			 (unsigned long long)w->logged);
	rec[n] = ' ';
	uint64_t sum = 0;
	for (int i = 0; i < 40; i++)
		sum = sum * 31 + (unsigned char)rec[i];
	snprintf(rec + 40, REC - 40, "%016llx\n", (unsigned long long)sum);
	rec[REC - 1] = '\n';
	if (write(logfd, rec, REC) != REC)
		ERR(w, "log append: %s", strerror(errno));
	else
		w->logged++;
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	char logp[512];
	snprintf(logp, sizeof(logp), "%s/shared.log", mnt);
	int logfd = open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (logfd < 0)
		ERR(w, "open log: %s", strerror(errno));
	while (now() < t_end) {
		unsigned op = (unsigned)(rnd(&w->rng) % 100);
		w->ops++;
		if (op < 25 || w->nfiles == 0) {
			if (w->nfiles == MAXFILES)
				continue;
			struct file *f = &w->files[w->nfiles];
			f->id = ((uint64_t)w->p << 40) | ((uint64_t)w->t << 24) | w->seq;
			f->size = 0;
			snprintf(f->path, sizeof(f->path), "%s/shared%d/p%dt%d-%llu",
				 mnt, (int)(rnd(&w->rng) % NDIRS), w->p, w->t,
				 (unsigned long long)w->seq++);
			int fd = open(f->path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
				      0644);
			if (fd < 0) {
				ERR(w, "create %s: %s", f->path, strerror(errno));
				continue;
			}
			close(fd);
			w->nfiles++;
			append_bytes(w, f, rnd(&w->rng) % 40000);
		} else if (op < 45) {
			append_bytes(w, &w->files[rnd(&w->rng) % (unsigned)w->nfiles],
				     1 + rnd(&w->rng) % 9000);
		} else if (op < 65) {
			check_file(w, &w->files[rnd(&w->rng) % (unsigned)w->nfiles]);
		} else if (op < 80) {
			struct file *f = &w->files[rnd(&w->rng) % (unsigned)w->nfiles];
			char np[256];
			snprintf(np, sizeof(np), "%s/shared%d/p%dt%d-%llu-r", mnt,
				 (int)(rnd(&w->rng) % NDIRS), w->p, w->t,
				 (unsigned long long)w->seq++);
			if (rename(f->path, np))
				ERR(w, "rename %s %s: %s", f->path, np, strerror(errno));
			else
				snprintf(f->path, sizeof(f->path), "%s", np);
		} else if (op < 87) {
			int i = (int)(rnd(&w->rng) % (unsigned)w->nfiles);
			if (unlink(w->files[i].path))
				ERR(w, "unlink %s: %s", w->files[i].path, strerror(errno));
			w->files[i] = w->files[--w->nfiles];
		} else if (op < 92) {
			char d[256];
			snprintf(d, sizeof(d), "%s/shared%d", mnt, (int)(rnd(&w->rng) % NDIRS));
			DIR *dir = opendir(d);
			if (!dir) {
				ERR(w, "opendir %s: %s", d, strerror(errno));
				continue;
			}
			while (readdir(dir))
				;
			closedir(dir);
		} else if (logfd >= 0) {
			log_record(w, logfd);
		}
	}
	if (logfd >= 0)
		close(logfd);
	for (int i = 0; i < w->nfiles; i++)
		check_file(w, &w->files[i]);
	/* the manifest, on the host */
	char mp[512];
	snprintf(mp, sizeof(mp), "%s/p%d-t%d", manifests, w->p, w->t);
	FILE *m = fopen(mp, "w");
	if (!m) {
		ERR(w, "manifest %s: %s", mp, strerror(errno));
		return NULL;
	}
	fprintf(m, "logged %llu\n", (unsigned long long)w->logged);
	for (int i = 0; i < w->nfiles; i++)
		fprintf(m, "%llu %llu %s\n", (unsigned long long)w->files[i].id,
			(unsigned long long)w->files[i].size, w->files[i].path);
	fclose(m);
	return NULL;
}

static int
run_process(int p)
{
	struct worker *ws = calloc((size_t)nthreads, sizeof(*ws));
	pthread_t *th = calloc((size_t)nthreads, sizeof(*th));
	for (int t = 0; t < nthreads; t++) {
		ws[t].p = p;
		ws[t].t = t;
		ws[t].rng = (uint64_t)(p * 1000 + t) * 2654435761u + 1;
		pthread_create(&th[t], NULL, work, &ws[t]);
	}
	long ops = 0, errors = 0;
	for (int t = 0; t < nthreads; t++) {
		pthread_join(th[t], NULL);
		ops += ws[t].ops;
		errors += ws[t].errors;
	}
	printf("process %d: %ld operations, %ld errors\n", p, ops, errors);
	return errors ? 1 : 0;
}

static int
verify(void)
{
	struct worker w = { .p = -1, .t = -1 };
	long nfiles = 0;
	uint64_t logged = 0;
	char seen[NDIRS][4096];
	(void)seen;
	/* every manifest file is there with its bytes */
	DIR *md = opendir(manifests);
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0;
	while (md && (de = readdir(md))) {
		if (de->d_name[0] != 'p')
			continue;
		char mp[600], line[600];
		snprintf(mp, sizeof(mp), "%s/%s", manifests, de->d_name);
		FILE *m = fopen(mp, "r");
		unsigned long long lg;
		if (!m || !fgets(line, sizeof(line), m) ||
		    sscanf(line, "logged %llu", &lg) != 1) {
			ERR(&w, "bad manifest %s", mp);
			if (m)
				fclose(m);
			continue;
		}
		logged += lg;
		struct file f;
		unsigned long long id, size;
		while (fgets(line, sizeof(line), m) &&
		       sscanf(line, "%llu %llu %255s", &id, &size, f.path) == 3) {
			f.id = id;
			f.size = size;
			check_file(&w, &f);
			nfiles++;
			names = realloc(names, (nnames + 1) * sizeof(*names));
			names[nnames++] = strdup(strrchr(f.path, '/') + 1);
		}
		fclose(m);
	}
	if (md)
		closedir(md);
	/* nothing else in the shared directories */
	long listed = 0;
	for (int d = 0; d < NDIRS; d++) {
		char dp[512];
		snprintf(dp, sizeof(dp), "%s/shared%d", mnt, d);
		DIR *dir = opendir(dp);
		while (dir && (de = readdir(dir))) {
			if (de->d_name[0] == '.')
				continue;
			listed++;
			int found = 0;
			for (size_t i = 0; i < nnames && !found; i++)
				found = !strcmp(names[i], de->d_name);
			if (!found)
				ERR(&w, "%s/%s is in no manifest", dp, de->d_name);
		}
		if (dir)
			closedir(dir);
	}
	if (listed != nfiles)
		ERR(&w, "%ld names listed, %ld in the manifests", listed, nfiles);
	/* the shared log: whole records, as many as were logged */
	char lp[512];
	snprintf(lp, sizeof(lp), "%s/shared.log", mnt);
	int fd = open(lp, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		ERR(&w, "log: %s", strerror(errno));
	} else {
		if (st.st_size % REC || (uint64_t)st.st_size / REC != logged)
			ERR(&w, "log: %lld bytes, %llu records logged",
			    (long long)st.st_size, (unsigned long long)logged);
		char rec[REC];
		for (off_t o = 0; o + REC <= st.st_size; o += REC) {
			if (pread(fd, rec, REC, o) != REC) {
				ERR(&w, "log read at %lld", (long long)o);
				break;
			}
			uint64_t sum = 0;
			for (int i = 0; i < 40; i++)
				sum = sum * 31 + (unsigned char)rec[i];
			char want[20];
			snprintf(want, sizeof(want), "%016llx", (unsigned long long)sum);
			if (memcmp(rec + 40, want, 16) || rec[REC - 1] != '\n') {
				ERR(&w, "log record at %lld is torn", (long long)o);
				break;
			}
		}
		close(fd);
	}
	for (size_t i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	printf("verify: %ld files, %llu log records, %ld errors\n", nfiles,
	       (unsigned long long)logged, w.errors);
	return w.errors ? 1 : 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "verify")) {
		mnt = argv[2];
		manifests = argv[3];
		return verify();
	}
	if (argc != 7 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: %s run MNT MANIFESTS NPROC NTHREADS SECONDS\n"
			"       %s verify MNT MANIFESTS\n", argv[0], argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	mnt = argv[2];
	manifests = argv[3];
	nproc_ = atoi(argv[4]);
	nthreads = atoi(argv[5]);
	seconds = atof(argv[6]);
	for (int d = 0; d < NDIRS; d++) {
		char dp[512];
		snprintf(dp, sizeof(dp), "%s/shared%d", mnt, d);
		mkdir(dp, 0755);
	}
	t_end = now() + seconds;
	for (int p = 0; p < nproc_; p++) {
		if (fork() == 0)
			_exit(run_process(p));
	}
	int bad = 0, st;
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	int v = verify();
	return bad || v ? 1 : 0;
}
