/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-fsstress: a namespace exerciser in the spirit of xfstests' fsstress.
 * Plain POSIX calls only, so the same binary runs natively (tmpfs) and
 * under pmemfile-run (a pool), and the two runs can be compared.
 *
 * Everything a run chooses comes from its seed and from the results of
 * its own calls, never from the order a file system lists a directory in
 * (scans sort names): two file systems that give the same results give
 * the same op log, byte for byte.
 */
#ifndef PF_FSSTRESS_H
#define PF_FSSTRESS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

/* ---- rng.c: the only source of randomness (splitmix64) ---------------- */
struct rng {
	uint64_t s;
};
uint64_t rng_next(struct rng *r);
/* uniform in [0, n), n > 0 */
uint32_t rng_below(struct rng *r, uint32_t n);
/* true with probability pct/100 */
int rng_pct(struct rng *r, unsigned pct);

/* FNV-1a, 64 bits: op log and content hashes */
#define FNV_INIT 0xcbf29ce484222325ull
uint64_t fnv(uint64_t h, const void *p, size_t n);

/* ---- walk.c: sorted depth-first walk (lstat, never follows links) ----- */
/* path is relative to the walk's root ("a/b"); return nonzero to stop */
typedef int walk_fn(const char *path, const struct stat *st, void *arg);
/* 0, or -errno of the first failing scandir/lstat (reported to stderr);
 * tolerant: skip what vanished meanwhile (ENOENT, ENOTDIR: other
 * processes at work) */
int walk_tree(const char *root, int tolerant, walk_fn *fn, void *arg);

/* ---- tree.c: what the exerciser believes the tree holds --------------- */
/* type: 'f' file, 'd' directory, 'l' symlink, 'p' FIFO */
struct entry {
	char *path;
	char type;
};
struct tree {
	struct entry *e;        /* e[0] is always "." (the root) */
	size_t n, cap;
};
void tree_init(struct tree *t);
void tree_free(struct tree *t);
/* replace the model by what is on disk under "." */
int tree_scan(struct tree *t);
int tree_find(const struct tree *t, const char *path);
void tree_add(struct tree *t, const char *path, char type);
/* path and everything below it */
void tree_remove(struct tree *t, const char *path);
void tree_move(struct tree *t, const char *from, const char *to);
void tree_exchange(struct tree *t, const char *a, const char *b);
/* a random entry whose type is in types ("fl"...; NULL: any), else any */
const struct entry *tree_pick(const struct tree *t, struct rng *r,
			      const char *types);
char type_of_mode(mode_t m);

/* ---- oplog.c: one line per op, hashed, optionally written ------------- */
struct oplog {
	FILE *out;              /* NULL: hash only */
	uint64_t hash;
	unsigned long lines;
	unsigned long unexpected;       /* errnos no op should ever return */
};
__attribute__((format(printf, 2, 3)))
void oplog_line(struct oplog *l, const char *fmt, ...);
/* " = 3" or " = -1 ENOENT"; ret < 0 means -errno */
const char *result_str(long ret, char *buf, size_t len);
/* errnos the exerciser's calls can legitimately return */
int errno_expected(int e);

/* ---- ops.c: the random operations ------------------------------------ */
struct run {
	struct rng rng;
	struct tree tree;
	struct oplog log;
	unsigned proc;          /* process index: part of new names */
	unsigned long nops;
	unsigned long next_name;
	unsigned long count[32], ok[32];       /* per op kind */
	char root[4096]; /* the directory under test, absolute */
	int held[8]; /* ops_fd.c: fd + 1 of each slot, 0 empty */
};
/* run r->nops operations in the current directory; 0 or 1 (unexpected) */
int ops_run(struct run *r);
/* the summary: how often each op ran and succeeded */
void ops_summary(const struct run *r, FILE *out);

/* ---- dump.c: the canonical tree listing ------------------------------ */
int dump_tree(const char *root, FILE *out);
/* seconds of a time that the exerciser may have set: fixed ones are all
 * before 2001, anything later is "now" (the file system's clock) */
#define FIXED_TIME_LIMIT 1000000000L

#endif
