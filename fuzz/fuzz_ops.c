/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: random sequences of core operations, run against a pool
 * and against the in-memory model of tests/reliability/rel_model.c, compared
 * after every operation: the result with its errno, then the whole tree
 * (names, types, sizes, link counts) and every byte of every file, read
 * back through pf_pread and compared with the model's bytes.
 *
 * Input: a sequence of 8-byte records, one per operation (at most 64; a
 * short last record is padded with zeros):
 *   r[0] kind (r[0] % 32: kinds[], data operations weigh more)
 *   path operations (create, append, pwrite, truncate, unlink, mkdir,
 *   rmdir, rename, link: the rel.h language, each opening and closing its
 *   file): r[1..2] path a; r[3..4] path b (rename, link) or a length;
 *   r[5..6] an offset; r[7] the seed of the written bytes
 *   descriptor operations, on one of two descriptions held open across
 *   records (open, close, pwrite, ftruncate, fallocate, a read checked
 *   against the model, SEEK_DATA/SEEK_HOLE checked against the model's
 *   zeros): r[1] bit 0 the slot; r[1..2] the path (open); r[2] open flags
 *   or fallocate mode or whence; r[3..4] a length; r[5..6] an offset;
 *   r[7] the seed. An operation on a closed slot acts on the other slot
 *   if that is open, else opens the top-level name r[2] & 3 first
 *   (O_RDWR | O_CREAT): two records already make a file and act on it.
 * Paths are up to three components from {a, b, c, d} (so operations often
 * hit each other: ENOTDIR, ENOTEMPTY, EINVAL on a move under itself).
 *
 * Lengths and offsets (num()): a base plus a delta. The bases are where the
 * core's data layout changes: the 4 KiB page, the 8 KiB small piece, the
 * 128 KiB small-file limit, the 256 KiB chunk (252 KiB extent), two chunks,
 * 1 MiB, and the file's current size, aligned up and down; the delta is a
 * few bytes, 512-byte steps or whole pages. Or: a fraction of the file's
 * size (a point inside it), a small value, or any multiple of 256 bytes
 * up to 1 MiB. So writes of several hundred
 * KiB, chunk-class and pre-allocated extents, and truncates, punches and
 * reads into them are a mutation or two away. (The first encoding, lengths
 * below 25 KB and truncates below 33 KB, never made a chunk-class extent
 * survive a close and never truncated into one.)
 *
 * A description held open keeps its pre-allocation (pf_data_trim runs at
 * the close): truncates and fallocates through it see the extents as a
 * writer does, not only the trimmed ones a path operation leaves.
 *
 * At the end of each input the descriptions are closed and the tree is
 * removed, so each input starts from an empty pool.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include <pmemfile/core.h>

#include "rel.h"
#include "rel_pool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static pf_pool *pool;
/* PF_FUZZ_SKIP_KNOWN=N: step over reported divergences, so that a long
 * run can look further (K1-K4 of tests/reliability/README.md were such
 * entries; they are fixed and checked strictly again) */
static int skip_known;

static int
known_bug(long got, long want)
{
	/* PF_FUZZ_SKIP_KNOWN=2: any failure with another errno than Linux's
	 * (errno precedence), to look for state divergences only. (The tree
	 * is still compared after the call.) */
	if (skip_known >= 2 && got < 0 && want < 0)
		return 1;
	return 0;
}
static char pool_path[128];
static char *empty_dump;

/* file sizes the model may hold in all (the 64 MiB pool must never be
 * full: ENOSPC is not in the model; see no_room) */
#define BUDGET (16u << 20)
#define NUM_MAX (2u << 20)      /* largest offset or length */

/* a read buffer for whole files (model files stay below M_MAXSIZE, 8 MiB),
 * and a write buffer (NUM_MAX) */
static unsigned char *rbuf, *wbuf;
#define RBUF (8u << 20)

static void
remove_pool(void)
{
	pf_pool_close(pool);
	unlink(pool_path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("PMEM_IS_PMEM_FORCE", "1", 0);
	snprintf(pool_path, sizeof(pool_path), "/dev/shm/pf-fuzz-ops-%d",
		 getpid());
	char msg[256] = "";
	if (pf_pool_create(pool_path, 64u << 20, 1, msg, sizeof(msg)) < 0 ||
	    pf_pool_open(pool_path, 0, &pool, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "fuzz_ops: pool: %s\n", msg);
		abort();
	}
	atexit(remove_pool);
	skip_known = getenv("PF_FUZZ_SKIP_KNOWN") ?
		     atoi(getenv("PF_FUZZ_SKIP_KNOWN")) : 0;
	empty_dump = rel_pool_dump(pool, NULL);
	rbuf = malloc(RBUF);
	wbuf = malloc(NUM_MAX);
	if (!rbuf || !wbuf)
		abort();
	return 0;
}

static void
decode_path(char *out, uint8_t x, uint8_t y)
{
	static const char *names[] = { "a", "b", "c", "d" };
	int depth = 1 + x % 3;
	uint16_t bits = (uint16_t)(x >> 2 | y << 6);
	out[0] = 0;
	for (int i = 0; i < depth; i++) {
		if (i)
			strcat(out, "/");
		strcat(out, names[bits & 3]);
		bits >>= 2;
	}
}

/*
 * A length or offset from two bytes: x & 15 picks a base (the last three
 * are the current file size, aligned up and down to a page), x >> 4 how y
 * modifies it.
 */
static uint64_t
num(uint8_t x, uint8_t y, uint64_t size)
{
	static const uint32_t bases[13] = {
		0, 4096, 8192, 12288, 65536, 126976, 131072, 135168,
		253952, 258048, 262144, 520192, 1048576 };
	unsigned b = x & 15, mode = x >> 4;
	uint64_t base = b < 13 ? bases[b] : b == 13 ? size :
			b == 14 ? (size + 4095) & ~4095ull : size & ~4095ull;
	int64_t d = (int8_t)y;
	int64_t v;
	if (mode < 6)
		v = (int64_t)base + d;                  /* a few bytes */
	else if (mode < 9)
		v = (int64_t)base + d * 4096;           /* pages */
	else if (mode < 12)
		v = (int64_t)base + d * 512;
	else if (mode < 14)
		v = (int64_t)(size * y / 255);          /* inside the file */
	else if (mode < 15)
		v = (int64_t)y * 97 + (x & 15);         /* small, as before */
	else
		v = (int64_t)((x & 15) << 8 | y) * 256; /* up to 1 MiB */
	if (v < 0)
		v = 0;
	if (v > (int64_t)NUM_MAX)
		v = NUM_MAX;
	return (uint64_t)v;
}

static void
fail(const char *what, const char *desc, long got, long want)
{
	fprintf(stderr, "fuzz_ops: %s: %s: pool %ld (%s), model %ld (%s)\n",
		what, desc, got, got < 0 ? strerror((int)-got) : "ok", want,
		want < 0 ? strerror((int)-want) : "ok");
	abort();
}

/*
 * Room for an operation that may allocate: the model's files stay small
 * enough to compare quickly, and the pool keeps room for the largest
 * allocation one operation makes (a 2 MiB write at 2 MiB plus a 4 MiB
 * pre-allocation). Fallocated space beyond the size is not in the model,
 * hence the pool's own count.
 */
static int
no_room(const struct rel_model *m)
{
	struct pf_statfs st;
	pf_statfs(pool, &st);
	return rel_model_bytes(m) > BUDGET ||
	       st.bfree * st.bsize < (24u << 20);
}

/* ---- descriptions held open across records ---- */

struct slot {
	pf_file *f;
	int ino;                /* model inode */
	int append;             /* O_APPEND */
	char path[16];
};
static struct slot slots[2];

static void
slot_close(struct rel_model *m, struct slot *s)
{
	if (!s->f)
		return;
	pf_close(s->f);
	rel_model_close(m, s->ino);
	s->f = NULL;
}

/* open(path, O_RDWR | flags) on both sides; 0, or 1 if the model has no
 * room (nothing done) */
static int
slot_open(struct rel_model *m, struct slot *s, const char *path, int flags)
{
	slot_close(m, s);
	long want = rel_model_open(m, path, flags, 1);
	if (want == -E2BIG)
		return 1;
	if (want >= 0)
		want = rel_model_open(m, path, flags, 0);
	pf_file *f = NULL;
	long got = pf_openat(pool, &rel_root, NULL, path, O_RDWR | flags,
			     0644, &f);
	char d[96];
	snprintf(d, sizeof(d), "open(%s, O_RDWR|0x%x)", path, flags);
	if ((got < 0) != (want < 0) || (got < 0 && got != want &&
					!(skip_known && known_bug(got, want)))) {
		if (got >= 0)
			pf_close(f);
		fail("result", d, got, want < 0 ? want : 0);
	}
	if (got >= 0) {
		s->f = f;
		s->ino = (int)want;
		s->append = !!(flags & O_APPEND);
		snprintf(s->path, sizeof(s->path), "%s", path);
	}
	return 0;
}

/* the model's bytes of [off, off+len) of ino, zeros past its end (a byte
 * loop: not instrumented, as rel_fill) */
__attribute__((noinline, no_sanitize("coverage"))) static int
model_range_zero(struct rel_model *m, int ino, uint64_t off, uint64_t end)
{
	size_t size;
	const unsigned char *d = rel_model_ino_data(m, ino, &size);
	if (end > size)
		end = size;
	for (uint64_t i = off; i < end; i++)
		if (d[i])
			return 0;
	return 1;
}

/* reads the whole file through f and compares it with model inode ino */
static void
compare_file(struct rel_model *m, pf_file *f, int ino, const char *what)
{
	size_t size;
	const unsigned char *d = rel_model_ino_data(m, ino, &size);
	size_t cap = size + 4096 < RBUF ? size + 4096 : RBUF;
	ssize_t n = pf_pread(pool, f, rbuf, cap, 0);
	if (n != (ssize_t)size) {
		fprintf(stderr, "fuzz_ops: %s: read %zd bytes, model %zu\n",
			what, n, size);
		abort();
	}
	if (size && memcmp(rbuf, d, size) != 0) {
		size_t i = 0;
		while (rbuf[i] == d[i])
			i++;
		size_t j = i;
		while (j < size && rbuf[j] != d[j])
			j++;
		fprintf(stderr, "fuzz_ops: %s: bytes differ from 0x%zx (pool "
			"0x%02x, model 0x%02x) to at least 0x%zx, size 0x%zx\n",
			what, i, rbuf[i], d[i], j, size);
		abort();
	}
}

/* the tree's metadata, then every file's bytes, against the model */
static void
compare_all(struct rel_model *m, const char *desc, long got, long want)
{
	char *dp = rel_pool_dump_meta(pool, NULL);
	char *dm = rel_model_dump_meta(m);
	if (strcmp(dp, dm) != 0) {
		rel_diff("pool", dp, "model", dm);
		fail("tree", desc, got, want);
	}
	free(dp);
	/* lines: "/path f size=..." */
	for (char *s = dm, *nl; (nl = strchr(s, '\n')); s = nl + 1) {
		*nl = 0;
		char *sp = strchr(s, ' ');
		if (!sp || sp[1] != 'f')
			continue;
		*sp = 0;
		int ino = rel_model_lookup_file(m, s + 1);
		pf_file *f;
		int r = pf_openat(pool, &rel_root, NULL, s + 1, O_RDONLY, 0, &f);
		if (ino < 0 || r < 0) {
			fprintf(stderr, "fuzz_ops: after %s: open %s: %d\n",
				desc, s, r);
			abort();
		}
		char what[REL_PATH + 200];
		snprintf(what, sizeof(what), "after %s: %s", desc, s);
		compare_file(m, f, ino, what);
		pf_close(f);
	}
	free(dm);
	/* open descriptions (their file may have no name left) */
	for (int k = 0; k < 2; k++) {
		if (!slots[k].f)
			continue;
		char what[200];
		snprintf(what, sizeof(what), "after %s: fd %d (%s)", desc, k,
			 slots[k].path);
		compare_file(m, slots[k].f, slots[k].ino, what);
	}
}

/* Removes everything the model knows, deepest first. */
static void
cleanup(struct rel_model *m)
{
	for (int k = 0; k < 2; k++)
		slot_close(m, &slots[k]);
	char *d = rel_model_dump_meta(m);
	/* lines are "/path type ..." sorted: walk them backwards */
	size_t n = 0;
	char *lines[1024];
	for (char *s = d, *nl; (nl = strchr(s, '\n')) && n < 1024; s = nl + 1) {
		*nl = 0;
		lines[n++] = s;
	}
	for (size_t i = n; i-- > 0;) {
		char *sp = strchr(lines[i], ' ');
		*sp = 0;
		if (!strcmp(lines[i], "/"))
			continue;
		int dir = sp[1] == 'd';
		int r = pf_unlinkat(pool, &rel_root, NULL, lines[i] + 1,
				    dir ? AT_REMOVEDIR : 0);
		if (r < 0 && r != -ENOENT) {
			fprintf(stderr, "fuzz_ops: cleanup of %s: %d\n", lines[i], r);
			abort();
		}
	}
	free(d);
	char *now = rel_pool_dump(pool, NULL);
	if (strcmp(now, empty_dump) != 0) {
		fprintf(stderr, "fuzz_ops: the tree is not empty after cleanup\n");
		rel_diff("pool", now, "empty", empty_dump);
		abort();
	}
	free(now);
}

enum {
	K_OPEN = OP_NKINDS, K_CLOSE, K_PWRITE, K_FTRUNC, K_FALLOC, K_READ,
	K_SEEK, K_NKINDS
};

/* r[0] % 32: the data operations weigh more than the name space ones */
static const uint8_t kinds[32] = {
	OP_CREATE, OP_APPEND, OP_APPEND, OP_PWRITE, OP_PWRITE,
	OP_TRUNC, OP_TRUNC, OP_UNLINK, OP_MKDIR, OP_RMDIR, OP_RENAME,
	OP_RENAME, OP_LINK,
	K_OPEN, K_CLOSE, K_PWRITE, K_PWRITE, K_PWRITE, K_PWRITE, K_PWRITE,
	K_PWRITE, K_FTRUNC, K_FTRUNC, K_FTRUNC, K_FTRUNC, K_FTRUNC, K_FALLOC,
	K_FALLOC, K_FALLOC, K_FALLOC, K_READ, K_SEEK };

static const int falloc_modes[5] = {
	0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	FALLOC_FL_ZERO_RANGE, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE };

/* a path operation of the rel.h language; 1 if skipped */
static int
path_op(struct rel_model *m, const uint8_t *r, int kind, size_t i)
{
	struct rel_op op;
	memset(&op, 0, sizeof(op));
	op.kind = kind;
	decode_path(op.a, r[1], r[2]);
	decode_path(op.b, r[3], r[4]);
	int ino = rel_model_lookup_file(m, op.a);
	size_t size = 0;
	if (ino > 0)
		rel_model_ino_data(m, ino, &size);
	op.len = (uint32_t)num(r[3], r[4], size);
	op.off = num(r[5], r[6], size);
	op.seed = (uint32_t)(i * 31 + r[7]);
	if (op.kind == OP_RENAME)
		op.flags = r[7] % 5 == 0 ? RENAME_NOREPLACE :
			   r[7] % 5 == 1 ? RENAME_EXCHANGE :
			   r[7] % 23 == 2 ? 0x7 : 0;
	if ((kind == OP_APPEND || kind == OP_PWRITE || kind == OP_TRUNC) &&
	    no_room(m))
		return 1;
	long want = rel_model_apply(m, &op, 1);
	if (want == -E2BIG)
		return 1;       /* beyond the model's room */
	want = rel_model_apply(m, &op, 0);
	long got = rel_pool_apply(pool, &op);
	char d[REL_PATH * 3];
	rel_op_format(&op, d, sizeof(d));
	if (got != want && !(skip_known && known_bug(got, want)))
		fail("result", d, got, want);
	compare_all(m, d, got, want);
	return 0;
}

/* a descriptor operation; 1 if skipped */
static int
fd_op(struct rel_model *m, const uint8_t *r, int kind, size_t i)
{
	static const char *top[] = { "a", "b", "c", "d" };
	struct slot *s = &slots[r[1] & 1];
	/* a closed slot: the other one if it is open */
	if (!s->f && kind != K_OPEN && slots[!(r[1] & 1)].f)
		s = &slots[!(r[1] & 1)];
	char d[256];
	long got, want;

	if (kind == K_OPEN) {
		static const int fl[8] = { O_CREAT, 0, O_CREAT | O_TRUNC,
			O_CREAT | O_APPEND, O_TRUNC, O_APPEND, O_CREAT,
			O_CREAT | O_EXCL };
		char path[REL_PATH];
		decode_path(path, r[1] >> 1, r[2]);
		if (slot_open(m, s, path, fl[r[2] >> 5 & 7]))
			return 1;
		snprintf(d, sizeof(d), "open(%s)", path);
		compare_all(m, d, 0, 0);
		return 0;
	}
	if (kind == K_CLOSE) {
		if (!s->f)
			return 1;
		snprintf(d, sizeof(d), "close(fd %d: %s)", (int)(s - slots),
			 s->path);
		slot_close(m, s);
		compare_all(m, d, 0, 0);
		return 0;
	}
	if (!s->f) {
		if (slot_open(m, s, top[r[2] & 3], O_CREAT))
			return 1;
		if (!s->f)
			return 0;       /* the open failed, as in the model */
	}
	size_t size;
	rel_model_ino_data(m, s->ino, &size);
	uint64_t len = num(r[3], r[4], size);
	uint64_t off = num(r[5], r[6], size);
	int fd = (int)(s - slots);
	switch (kind) {
	case K_PWRITE: {
		if (no_room(m))
			return 1;
		uint32_t seed = (uint32_t)(i * 31 + r[7]);
		uint64_t at = s->append ? size : off;
		snprintf(d, sizeof(d), "fd %d (%s%s): pwrite(%llu bytes at "
			 "%llu, seed %u)", fd, s->path,
			 s->append ? ", O_APPEND" : "",
			 (unsigned long long)len, (unsigned long long)off, seed);
		want = rel_model_ino_pwrite(m, s->ino, at, (uint32_t)len,
					    seed, 1);
		if (want == -E2BIG)
			return 1;
		want = rel_model_ino_pwrite(m, s->ino, at, (uint32_t)len,
					    seed, 0);
		rel_fill(wbuf, len, seed);
		got = pf_pwrite(pool, &rel_root, s->f, wbuf, len, (off_t)off);
		break;
	}
	case K_FTRUNC:
		if (no_room(m))
			return 1;
		snprintf(d, sizeof(d), "fd %d (%s): ftruncate(%llu) from size "
			 "%zu", fd, s->path, (unsigned long long)len, size);
		want = rel_model_ino_truncate(m, s->ino, len, 1);
		if (want == -E2BIG)
			return 1;
		want = rel_model_ino_truncate(m, s->ino, len, 0);
		got = pf_ftruncate(pool, &rel_root, s->f, (off_t)len);
		break;
	case K_FALLOC: {
		if (no_room(m))
			return 1;
		int mode = falloc_modes[r[2] % 5];
		snprintf(d, sizeof(d), "fd %d (%s): fallocate(0x%x, %llu, %llu) "
			 "size %zu", fd, s->path, mode, (unsigned long long)off,
			 (unsigned long long)len, size);
		want = rel_model_ino_fallocate(m, s->ino, mode, off, len, 1);
		if (want == -E2BIG)
			return 1;
		want = rel_model_ino_fallocate(m, s->ino, mode, off, len, 0);
		got = pf_fallocate(pool, &rel_root, s->f, mode, (off_t)off,
				   (off_t)len);
		break;
	}
	case K_READ: {
		/* a read of any range, as a reader sees it */
		const unsigned char *md = rel_model_ino_data(m, s->ino, &size);
		snprintf(d, sizeof(d), "fd %d (%s): pread(%llu bytes at %llu) "
			 "size %zu", fd, s->path, (unsigned long long)len,
			 (unsigned long long)off, size);
		want = off >= size ? 0 : (long)(size - off < len ? size - off :
						len);
		got = pf_pread(pool, s->f, rbuf, len, (off_t)off);
		if (got == want && want > 0 && memcmp(rbuf, md + off,
						      (size_t)want) != 0)
			fail("read bytes", d, got, want);
		break;
	}
	case K_SEEK: {
		/* any answer the model's zeros allow: SEEK_DATA skips only
		 * zeros, SEEK_HOLE stops at zeros that reach the next page
		 * (or the end), both -ENXIO at or past the end */
		int whence = r[2] & 1 ? SEEK_HOLE : SEEK_DATA;
		snprintf(d, sizeof(d), "fd %d (%s): lseek(%llu, %s) size %zu",
			 fd, s->path, (unsigned long long)off,
			 whence == SEEK_HOLE ? "SEEK_HOLE" : "SEEK_DATA", size);
		got = pf_lseek(pool, s->f, (off_t)off, whence);
		want = got;
		if (off >= size) {
			want = -ENXIO;
		} else if (whence == SEEK_DATA) {
			if (got == -ENXIO) {
				if (!model_range_zero(m, s->ino, off, size))
					want = -2;      /* "data" */
			} else if (got < (long)off || got >= (long)size ||
				   !model_range_zero(m, s->ino, off,
						     (uint64_t)got)) {
				want = -3;      /* "a valid data offset" */
			}
		} else {
			uint64_t h = (uint64_t)got;
			if (got < (long)off || got > (long)size ||
			    !model_range_zero(m, s->ino, h,
					      (h + 4096) & ~4095ull))
				want = -3;
		}
		break;
	}
	default:
		return 1;
	}
	if (kind == K_SEEK && got != want)
		fail("answer not allowed by the model's bytes (-2: data "
		     "follows, -3: not zeros)", d, got, want);
	if (got != want && !(skip_known && known_bug(got, want)))
		fail("result", d, got, want);
	compare_all(m, d, got, want);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rel_model *m = rel_model_new();
	for (size_t i = 0; i < size && i < 8 * 64; i += 8) {
		/* a short last record is padded with zeros: libFuzzer starts
		 * with short inputs, and 9 bytes are already two operations */
		uint8_t r[8] = { 0 };
		memcpy(r, data + i, size - i < 8 ? size - i : 8);
		int kind = kinds[r[0] % 32];
		if (kind < OP_NKINDS)
			path_op(m, r, kind, i);
		else
			fd_op(m, r, kind, i);
	}
	cleanup(m);
	rel_model_free(m);
	return 0;
}
