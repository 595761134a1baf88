/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rel: shared pieces of the reliability tests.
 *
 *  - a tiny operation language (create, append, pwrite, truncate, unlink,
 *    mkdir, rmdir, rename, link) used by every workload;
 *  - an in-memory model of a file system that applies those operations with
 *    Linux's errno rules (rel_model.c, no dependency on the core);
 *  - a canonical text dump of a tree (one line per name: path, type, size,
 *    nlink, content hash), produced from the model or from a pool
 *    (rel_pool.c), so that "the pool equals the model" is a strcmp.
 */
#ifndef PF_REL_H
#define PF_REL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define REL_PATH 512

enum rel_kind {
	OP_CREATE = 1,  /* open(O_CREAT|O_EXCL|O_WRONLY, 0644) + close */
	OP_APPEND,      /* open(O_WRONLY|O_APPEND) + write(len) + close */
	OP_PWRITE,      /* open(O_WRONLY) + pwrite(len, off) + close */
	OP_TRUNC,       /* truncate(path, len) */
	OP_UNLINK,
	OP_MKDIR,       /* mode 0755 */
	OP_RMDIR,
	OP_RENAME,      /* renameat2(a, b, flags) */
	OP_LINK,        /* linkat(a, b, 0) */
	OP_NKINDS
};

struct rel_op {
	int kind;
	unsigned flags;         /* OP_RENAME: RENAME_NOREPLACE/EXCHANGE */
	uint32_t len;           /* bytes to write, or new size (OP_TRUNC) */
	uint32_t seed;          /* content of written bytes */
	uint64_t off;           /* OP_PWRITE */
	char a[REL_PATH];       /* relative to the root, no leading '/' */
	char b[REL_PATH];
};

const char *rel_kind_name(int kind);
/* "rename(a, b, 0x1) " etc. into buf */
void rel_op_format(const struct rel_op *op, char *buf, size_t len);

/* Deterministic content: byte i of a write with this seed. */
void rel_fill(void *buf, size_t len, uint32_t seed);

uint64_t rel_fnv(uint64_t h, const void *p, size_t n);
/* rel_fnv over n zero bytes, in O(log n): each zero multiplies by the
 * prime, so h * prime^n (mod 2^64); for holes of huge sparse files */
uint64_t rel_fnv_zeros(uint64_t h, uint64_t n);
#define REL_FNV_INIT 0xcbf29ce484222325ULL

/* xorshift64* */
uint64_t rel_rand(uint64_t *state);

/* ---- the model ------------------------------------------------------------ */

struct rel_model;
struct rel_model *rel_model_new(void);
void rel_model_free(struct rel_model *m);
/*
 * Applies op with Linux's rules. Returns 0 (or, for writes, the byte count)
 * or the negative errno Linux gives. dry: only compute the result.
 * -E2BIG: the model ran out of room (the caller should not use the op).
 */
long rel_model_apply(struct rel_model *m, const struct rel_op *op, int dry);
/* The canonical dump (malloc'ed, sorted lines). */
char *rel_model_dump(const struct rel_model *m);
int rel_model_nentries(const struct rel_model *m);
/* The same without contents (every h= is the empty hash, as
 * rel_pool_dump_meta): the fuzzer compares contents byte by byte. */
char *rel_model_dump_meta(const struct rel_model *m);

/*
 * Open descriptions of regular files (the fuzzer's file descriptors): an
 * open file keeps its inode, and its data, when its last name goes.
 * rel_model_open: open(path, O_RDWR | flags) where flags may hold O_CREAT,
 * O_EXCL, O_TRUNC; returns the inode (> 0) or the negative errno (-E2BIG:
 * no room in the model). Inodes stay valid until rel_model_close.
 */
int rel_model_open(struct rel_model *m, const char *path, int flags, int dry);
void rel_model_close(struct rel_model *m, int ino);
/* The inode of the regular file at path, or the negative errno. */
int rel_model_lookup_file(const struct rel_model *m, const char *path);
/* pwrite, ftruncate, fallocate (modes 0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE,
 * ZERO_RANGE[|KEEP_SIZE]) on an inode, with the results Linux gives. */
long rel_model_ino_pwrite(struct rel_model *m, int ino, uint64_t off,
			  uint32_t len, uint32_t seed, int dry);
int rel_model_ino_truncate(struct rel_model *m, int ino, uint64_t len, int dry);
int rel_model_ino_fallocate(struct rel_model *m, int ino, int mode,
			    uint64_t off, uint64_t len, int dry);
/* The contents of an inode (valid until the next change) and its size. */
const unsigned char *rel_model_ino_data(const struct rel_model *m, int ino,
					size_t *size);
/* Sum of the sizes of all regular files (orphans included). */
size_t rel_model_bytes(const struct rel_model *m);

/*
 * Picks a random operation that the model says succeeds (most of the time)
 * over a small name space, applies it to the model and stores it in *op.
 * maxlen bounds write sizes. Returns 0 or -1 when nothing was found.
 */
int rel_gen(struct rel_model *m, uint64_t *rng, struct rel_op *op,
	    uint32_t maxlen, int allow_pwrite);

/* Fills ops[0..n) for a workload with this seed (uses a private model). */
void rel_gen_workload(uint64_t seed, struct rel_op *ops, int n,
		      uint32_t maxlen);

/* Sorts the lines of a dump in place (helper for the pool dump). */
char *rel_sort_lines(char *text);

/* Prints the first differing line of two dumps to stderr. */
void rel_diff(const char *label_a, const char *a, const char *label_b,
	      const char *b);

/* ---- the same on a host directory (rel_sys.c) ----------------------------- */

/* Runs op with plain syscalls on base/op->a; same return convention. */
long rel_sys_apply(const char *base, const struct rel_op *op);
/* Canonical dump of the host tree under base (same format). */
char *rel_sys_dump(const char *base);

#endif
