/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fsx driver: random operations on one file, each checked against an
 * in-memory copy (the model) as soon as it returns.
 *
 * Operations: pread, preadv, pwrite, pwritev, O_APPEND write, truncate
 * down and up, fallocate (0, KEEP_SIZE, PUNCH_HOLE, ZERO_RANGE with and
 * without KEEP_SIZE), copy_file_range within the file, sendfile from an
 * auxiliary file, reads through a private mapping, SEEK_DATA/SEEK_HOLE,
 * and close+reopen (the core trims pre-allocation at close).
 *
 * Offsets and lengths are biased to the places where the core changes
 * representation: 4 KiB pages, 8 KiB pieces, the 128 KiB small-file limit,
 * 256 KiB chunks (and a page less), the file size and its aligned value,
 * the end of the last write. After every operation the size is compared,
 * and the bytes around what the operation touched (a chunk each side,
 * since carving an extent rewrites up to a chunk below the cut); the whole
 * file after a truncate and every -F operations.
 *
 * The operation sequence depends only on the seed and on the model, so a
 * failure replays with the same -S and -N; -L writes every operation.
 *
 * Crash mode: -C FILE records the number of completed operations after
 * each one; -V N then checks a file left by a crash: its size is the
 * model's after N or N+1 operations, every byte is one of the two, and an
 * extension seen is seen whole (appends are all-or-nothing; an overwrite
 * may tear).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsx.h"

#define KiB 1024ull
#define MiB (1024ull * 1024)
#define AUX_LEN MiB               /* sendfile's source */
#define WINDOW (256 * KiB + 4 * KiB)   /* checked each side of an op */
#define RING 48                   /* operations shown on a failure */

/* clang-format off */
enum op_kind {
	OP_READ, OP_READV, OP_WRITE, OP_WRITEV, OP_APPEND, OP_TRUNCATE,
	OP_FALLOC, OP_COPY, OP_SENDFILE, OP_MAPREAD, OP_SEEK, OP_REOPEN,
	OP_MAPWRITE, OP_NKINDS
};
static const char *const op_name[OP_NKINDS] = {
	"read", "readv", "write", "writev", "append", "truncate",
	"fallocate", "copy_range", "sendfile", "mapread", "seek", "reopen",
	"mapwrite",
};
/* clang-format on */
/* relative frequencies */
static const unsigned op_weight[OP_NKINDS] = {
	12, 5, 14, 5, 6, 8, 10, 4, 4, 4, 5, 2, 6,
};

static const int falloc_modes[] = {
	0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	FALLOC_FL_ZERO_RANGE, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
};
#define NMODES (sizeof(falloc_modes) / sizeof(falloc_modes[0]))

struct op {
	enum op_kind kind;
	uint64_t n;          /* its number, from 1 */
	uint64_t off, len;
	uint64_t src;        /* copy_range: input offset; sendfile: aux offset */
	int mode;            /* fallocate mode index; iovec count */
	size_t iov[4];
};

/* ---- options and state ---- */

static const struct fsx_io *io;
static uint64_t seed, nops = 20000, maxlen = 4 * MiB, full_every = 32;
static const char *dir, *log_path, *count_path;
static long long verify_at = -1;
static bool quiet;
static FILE *log_file;
static int count_fd = -1;

static uint8_t *model, *aux, *buf, *buf2;
static uint64_t msize, last_end;
static unsigned unsupported;     /* fallocate modes the file system lacks */
static struct op ring[RING];
static uint64_t stats[OP_NKINDS];

/* splitmix64: small, fast, the same everywhere */
static uint64_t rng_state;
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static uint64_t
below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/*
 * What operation n writes at file position pos: a table of random non-zero
 * bytes (a byte zeroed by mistake is seen), read from a place that depends
 * on both, so each operation's bytes differ from its neighbours' and from
 * the same range written by another operation. Copied, not computed per
 * byte: the in-process run is as fast as the core.
 */
#define PAT_LEN 65521u            /* prime: no period shared with pages */
static uint8_t pat_table[PAT_LEN];

static void
pat_init(uint64_t s)
{
	for (uint32_t i = 0; i < PAT_LEN; i++) {
		uint8_t v = (uint8_t)((s = s * 6364136223846793005ull +
				       1442695040888963407ull) >> 56);
		pat_table[i] = v ? v : 0x5a;
	}
}

static void
fill(uint8_t *dst, uint64_t n, uint64_t off, uint64_t len)
{
	uint64_t at = (off + n * 7919) % PAT_LEN;
	while (len) {
		uint64_t k = PAT_LEN - at < len ? PAT_LEN - at : len;
		memcpy(dst, pat_table + at, k);
		dst += k;
		len -= k;
		at = 0;
	}
}

static void
fmt_op(char *s, size_t sz, const struct op *o)
{
	int k = snprintf(s, sz, "%6" PRIu64 " %-10s off 0x%" PRIx64
			 " len 0x%" PRIx64, o->n, op_name[o->kind], o->off,
			 o->len);
	if (o->kind == OP_COPY || o->kind == OP_SENDFILE)
		snprintf(s + k, sz - (size_t)k, " src 0x%" PRIx64, o->src);
	else if (o->kind == OP_FALLOC)
		snprintf(s + k, sz - (size_t)k, " mode 0x%x",
			 falloc_modes[o->mode]);
	else if (o->kind == OP_READV || o->kind == OP_WRITEV)
		snprintf(s + k, sz - (size_t)k, " iovs %d", o->mode);
	else if (o->kind == OP_MAPREAD)
		snprintf(s + k, sz - (size_t)k, " %s",
			 o->mode ? "shared" : "private");
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(const struct op *o, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "fsx (%s): FAIL at operation %" PRIu64 ": ",
		io->name, o ? o->n : 0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nlast operations (model size now 0x%" PRIx64 "):\n",
		msize);
	uint64_t first = o && o->n > RING ? o->n - RING + 1 : 1;
	for (uint64_t n = first; o && n <= o->n; n++) {
		fmt_op(line, sizeof(line), &ring[n % RING]);
		fprintf(stderr, "  %s\n", line);
	}
	fprintf(stderr, "replay: -S %" PRIu64 " -N %" PRIu64 " -L LOGFILE\n",
		seed, o ? o->n : 0);
	exit(1);
}

/* ---- choosing offsets and lengths ---- */

/* a place where the core's representation changes, near which bugs live */
static uint64_t
landmark(void)
{
	static const uint64_t units[] = {
		4 * KiB, 8 * KiB, 128 * KiB, 256 * KiB,
	};
	switch (below(7)) {
	case 0: case 1: case 2: {
		uint64_t u = units[below(4)];
		return u * below(maxlen / u + 1);
	}
	case 3:  /* a chunk less a page: a chunk-class object's extent */
		return 256 * KiB * (1 + below(maxlen / (256 * KiB))) - 4 * KiB;
	case 4:
		return msize;
	case 5:
		return (msize + 4 * KiB - 1) / (4 * KiB) * (4 * KiB);
	default:
		return last_end;
	}
}

static uint64_t
pick_off(void)
{
	uint64_t off;
	switch (below(10)) {
	case 0: case 1: case 2: case 3:
		off = below(maxlen);
		break;
	case 4: case 5: case 6: case 7: {
		uint64_t d = below(3) ? below(7) : below(8 * KiB + 1);
		off = landmark();
		off = below(2) ? off + d : (off > d ? off - d : 0);
		break;
	}
	default: {  /* near the end of the file, both sides */
		uint64_t d = below(64 * KiB);
		off = below(2) ? msize + d : (msize > d ? msize - d : 0);
	}
	}
	return off < maxlen ? off : below(maxlen);
}

static uint64_t
pick_len(uint64_t off)
{
	uint64_t len;
	switch (below(10)) {
	case 0: case 1: case 2: len = 1 + below(64); break;
	case 3: case 4: case 5: len = 1 + below(16 * KiB); break;
	case 6: case 7: len = 1 + below(300 * KiB); break;
	case 8: {  /* a landmark-sized length, give or take a little */
		static const uint64_t l[] = {
			4 * KiB, 8 * KiB, 12 * KiB, 128 * KiB,
			252 * KiB, 256 * KiB, 512 * KiB,
		};
		uint64_t d = below(5);
		len = l[below(7)];
		len = below(2) ? len + d : len - d;
		break;
	}
	default: len = 1 + below(1536 * KiB);
	}
	if (len > maxlen - off)
		len = maxlen - off;
	return len ? len : 1;
}

static struct op
plan(uint64_t n)
{
	struct op o = { .n = n };
	unsigned total = 0, r;
	for (int k = 0; k < OP_NKINDS; k++)
		total += op_weight[k];
	r = (unsigned)below(total);
	for (o.kind = 0; r >= op_weight[o.kind]; o.kind++)
		r -= op_weight[o.kind];
	o.off = pick_off();
	o.len = pick_len(o.off);
	switch (o.kind) {
	case OP_READ: case OP_READV: case OP_MAPREAD:
		/* mostly inside the file */
		if (msize && below(4)) {
			o.off = below(msize);
			if (below(2))
				o.off = o.off / (4 * KiB) * (4 * KiB);
			o.len = pick_len(o.off);
		}
		o.mode = (int)below(2); /* mapread: 1 shared, 0 private */
		break;
	case OP_MAPWRITE:
		/* inside the file, so that a crash leaves each byte old or
		 * new (growing it would be a truncate first); at or past
		 * the end it is a write */
		if (o.off >= msize)
			o.kind = OP_WRITE;
		else if (o.len > msize - o.off)
			o.len = msize - o.off;
		break;
	case OP_APPEND:
		o.off = msize;
		if (o.off >= maxlen)
			o.kind = OP_TRUNCATE, o.off = below(maxlen);
		else if (o.len > maxlen - o.off)
			o.len = maxlen - o.off;
		break;
	case OP_TRUNCATE:
		/* down more often than up, so files do not only grow */
		if (msize && below(3))
			o.off = below(msize + 1);
		break;
	case OP_FALLOC:
		o.mode = (int)below(NMODES);
		break;
	case OP_COPY: {
		/* from inside the file, to a range that does not overlap */
		o.src = msize ? below(msize) : 0;
		if (o.len > MiB)
			o.len = MiB;
		if (o.off < o.src + o.len && o.src < o.off + o.len)
			o.off = o.src + o.len + below(3) * 4 * KiB;
		if (o.off + o.len > maxlen) {
			if (o.src >= o.len) {
				o.off = below(o.src - o.len + 1);
			} else {
				o.kind = OP_READ;
				o.off = o.src;
			}
		}
		break;
	}
	case OP_SENDFILE:
		o.src = below(AUX_LEN);
		if (o.len > MiB)
			o.len = MiB;
		break;
	default:
		break;
	}
	if (o.kind == OP_READV || o.kind == OP_WRITEV) {
		/* 1 to 4 pieces that add up to len (some may be empty) */
		o.mode = 1 + (int)below(4);
		uint64_t left = o.len;
		for (int k = 0; k < o.mode - 1; k++) {
			o.iov[k] = (size_t)below(left + 1);
			left -= o.iov[k];
		}
		o.iov[o.mode - 1] = (size_t)left;
	}
	/* operations this way to the file cannot do are reads instead (the
	 * random sequence stays the same) */
	if ((o.kind == OP_COPY && !io->copy_range) ||
	    (o.kind == OP_SENDFILE && !io->sendfile_in) ||
	    (o.kind == OP_MAPREAD && !io->map_read))
		o.kind = OP_READ;
	if (o.kind == OP_MAPWRITE && !io->map_write)
		o.kind = OP_WRITE;
	return o;
}

/* ---- the model ---- */

static void
model_write(uint64_t off, const uint8_t *src, uint64_t len)
{
	memmove(model + off, src, len);
	/* nothing moved: nothing extended */
	if (len && off + len > msize)
		msize = off + len;
}

static void
model_truncate(uint64_t len)
{
	if (len < msize)
		memset(model + len, 0, msize - len);
	msize = len;
}

/* what a correct call returns */
static int64_t
expected(const struct op *o)
{
	switch (o->kind) {
	case OP_READ: case OP_READV: case OP_MAPREAD:
		return o->off >= msize ? 0 : (int64_t)(msize - o->off < o->len ?
						       msize - o->off : o->len);
	case OP_COPY:
		return o->src >= msize ? 0 : (int64_t)(msize - o->src < o->len ?
						       msize - o->src : o->len);
	case OP_SENDFILE:
		return (int64_t)(AUX_LEN - o->src < o->len ? AUX_LEN - o->src :
				 o->len);
	case OP_WRITE:
	case OP_WRITEV:
	case OP_APPEND:
	case OP_MAPWRITE: return (int64_t)o->len;
	default:
		return 0;
	}
}

/* applies a completed operation (that returned ret) to the model */
static void
model_apply(const struct op *o, int64_t ret)
{
	switch (o->kind) {
	case OP_WRITE:
	case OP_WRITEV:
	case OP_APPEND:
	case OP_MAPWRITE:
		fill(buf, o->n, o->off, (uint64_t)ret);
		model_write(o->off, buf, (uint64_t)ret);
		last_end = o->off + (uint64_t)ret;
		break;
	case OP_TRUNCATE:
		model_truncate(o->off);
		break;
	case OP_FALLOC: {
		int m = falloc_modes[o->mode];
		uint64_t end = o->off + o->len;
		if (unsupported & (1u << o->mode))
			break;
		if (m & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
			uint64_t z = end < msize ? end : msize;
			if (o->off < z)
				memset(model + o->off, 0, z - o->off);
		}
		if (!(m & FALLOC_FL_KEEP_SIZE) && end > msize)
			msize = end;
		break;
	}
	case OP_COPY:
		model_write(o->off, model + o->src, (uint64_t)ret);
		last_end = o->off + (uint64_t)ret;
		break;
	case OP_SENDFILE:
		model_write(o->off, aux + o->src, (uint64_t)ret);
		last_end = o->off + (uint64_t)ret;
		break;
	default:
		break;
	}
}

/* ---- checking ---- */

static void
compare(const struct op *o, const uint8_t *got, uint64_t off, uint64_t len,
	const char *how)
{
	if (!memcmp(got, model + off, len))
		return;
	uint64_t i = 0;
	while (got[i] == model[off + i])
		i++;
	uint64_t j = i;
	while (j < len && got[j] != model[off + j])
		j++;
	fail(o, "%s: bad data at 0x%" PRIx64 " (0x%" PRIx64 " bytes differ "
	     "from there): got 0x%02x, expected 0x%02x (file size 0x%" PRIx64
	     ")", how, off + i, j - i, got[i], model[off + i], msize);
}

static void
check_range(const struct op *o, uint64_t lo, uint64_t hi)
{
	if (hi > msize)
		hi = msize;
	for (uint64_t pos = lo; pos < hi;) {
		uint64_t n = hi - pos < 4 * MiB ? hi - pos : 4 * MiB;
		ssize_t r = io->pread(buf2, n, pos);
		if (r != (ssize_t)n)
			fail(o, "check: pread 0x%" PRIx64 " at 0x%" PRIx64
			     " returned %zd", n, pos, r);
		compare(o, buf2, pos, n, "check");
		pos += n;
	}
}

static void
check_size(const struct op *o)
{
	uint64_t size, blocks;
	int r = io->size(&size, &blocks);
	if (r < 0)
		fail(o, "fstat: %s", strerror(-r));
	if (size != msize)
		fail(o, "size is 0x%" PRIx64 ", expected 0x%" PRIx64, size,
		     msize);
}

/* d is SEEK_DATA's answer at from: every byte before it is a zero */
static void
check_data_at(const struct op *o, uint64_t from, int64_t d)
{
	if ((d < 0 && d != -ENXIO) ||
	    (d >= 0 && ((uint64_t)d < from || (uint64_t)d >= msize)))
		fail(o, "SEEK_DATA at 0x%" PRIx64 " gave %" PRId64 " (size 0x%"
		     PRIx64 ")", from, d, msize);
	uint64_t to = d == -ENXIO ? msize : (uint64_t)d;
	/* (the model is zero from msize on: compare with its own tail) */
	if (to > from && model[from] == 0 &&
	    !memcmp(model + from, model + from + 1, to - from - 1))
		return;
	for (uint64_t i = from; i < to; i++)
		if (model[i])
			fail(o, "SEEK_DATA at 0x%" PRIx64 " skipped data at 0x%"
			     PRIx64 " (it said 0x%" PRIx64 ")", from, i, to);
}

/* SEEK_DATA and SEEK_HOLE must agree with the bytes: whatever they call a
 * hole reads as zeros (how much is a hole is the file system's choice) */
static void
check_seek(const struct op *o)
{
	int64_t d = io->seek(o->off, SEEK_DATA);
	int64_t h = io->seek(o->off, SEEK_HOLE);
	if (o->off >= msize) {
		if (d != -ENXIO || h != -ENXIO)
			fail(o, "SEEK_DATA/HOLE at or past the end: %" PRId64
			     " %" PRId64 ", expected ENXIO", d, h);
		return;
	}
	check_data_at(o, o->off, d);
	if (h < (int64_t)o->off || h > (int64_t)msize)
		fail(o, "SEEK_HOLE at 0x%" PRIx64 " gave %" PRId64 " (size 0x%"
		     PRIx64 ")", o->off, h, msize);
	if ((uint64_t)h < msize)
		check_data_at(o, (uint64_t)h, io->seek((uint64_t)h, SEEK_DATA));
}

/* ---- running one operation ---- */

static void
iov_of(const struct op *o, uint8_t *base, struct iovec *iov)
{
	size_t at = 0;
	for (int k = 0; k < o->mode; k++) {
		iov[k].iov_base = base + at;
		iov[k].iov_len = o->iov[k];
		at += o->iov[k];
	}
}

static int64_t
perform(const struct op *o)
{
	struct iovec iov[4];
	switch (o->kind) {
	case OP_READ:
		return io->pread(buf2, o->len, o->off);
	case OP_READV:
		iov_of(o, buf2, iov);
		return io->preadv(iov, o->mode, o->off);
	case OP_MAPREAD:
		if (o->off >= msize)
			return 0;   /* a mapping past the end faults */
		return io->map_read(buf2, (size_t)expected(o), o->off,
				    o->mode == 1);
	case OP_MAPWRITE:
		fill(buf, o->n, o->off, o->len);
		return io->map_write(buf, o->len, o->off);
	case OP_WRITE:
		fill(buf, o->n, o->off, o->len);
		return io->pwrite(buf, o->len, o->off);
	case OP_WRITEV:
		fill(buf, o->n, o->off, o->len);
		iov_of(o, buf, iov);
		return io->pwritev(iov, o->mode, o->off);
	case OP_APPEND:
		fill(buf, o->n, o->off, o->len);
		return io->append(buf, o->len);
	case OP_TRUNCATE:
		return io->truncate(o->off);
	case OP_FALLOC: {
		if (unsupported & (1u << o->mode))
			return 0;
		int r = io->fallocate(falloc_modes[o->mode], o->off, o->len);
		if (r == -EOPNOTSUPP) {
			/* tmpfs has no ZERO_RANGE: leave it out from now on */
			unsupported |= 1u << o->mode;
			if (!quiet)
				printf("fsx (%s): fallocate mode 0x%x not "
				       "supported here\n", io->name,
				       falloc_modes[o->mode]);
			return 0;
		}
		return r;
	}
	case OP_COPY:
		return io->copy_range(o->src, o->off, o->len);
	case OP_SENDFILE:
		return io->sendfile_in(o->src, o->off, o->len);
	case OP_SEEK:
		check_seek(o);
		return 0;
	case OP_REOPEN:
		io->close();
		return io->open(dir, false);
	default:
		return -EINVAL;
	}
}

static void
run_one(const struct op *o)
{
	int64_t want = expected(o);
	int64_t r = perform(o);
	if (r != want)
		fail(o, "%s returned %" PRId64 " (%s), expected %" PRId64,
		     op_name[o->kind], r, r < 0 ? strerror((int)-r) : "wrong count",
		     want);
	if (o->kind == OP_READ || o->kind == OP_READV ||
	    o->kind == OP_MAPREAD)
		compare(o, buf2, o->off, (uint64_t)r, op_name[o->kind]);
	model_apply(o, r);
	check_size(o);
	uint64_t lo = o->kind == OP_COPY && o->src < o->off ? o->src : o->off;
	uint64_t hi = o->off + o->len;
	if (o->kind == OP_TRUNCATE || o->n % full_every == 0) {
		check_range(o, 0, msize);
	} else if (o->kind != OP_READ && o->kind != OP_SEEK) {
		check_range(o, lo > WINDOW ? lo - WINDOW : 0, hi + WINDOW);
	}
}

/* ---- crash verification ---- */

/* the file after a crash: the model after N or N+1 operations */
static int
verify_crash(uint64_t n)
{
	struct op o = { 0 };
	for (uint64_t k = 1; k <= n; k++) {
		o = plan(k);
		model_apply(&o, expected(&o));
	}
	uint64_t size_n = msize;
	uint8_t *before = malloc(maxlen + 8 * MiB);
	if (!before)
		return 2;
	memcpy(before, model, maxlen + 8 * MiB);
	struct op next = plan(n + 1);
	model_apply(&next, expected(&next));
	char line[160];
	fmt_op(line, sizeof(line), &next);
	int r = io->open(dir, false);
	if (r < 0) {
		fprintf(stderr, "fsx: verify: open: %s\n", strerror(-r));
		return 1;
	}
	uint64_t size, blocks;
	io->size(&size, &blocks);
	if (size != size_n && size != msize) {
		fprintf(stderr, "fsx: verify after %" PRIu64 " operations: size "
			"0x%" PRIx64 ", expected 0x%" PRIx64 " or 0x%" PRIx64
			" (next: %s)\n", n, size, size_n, msize, line);
		return 1;
	}
	uint8_t *got = buf2;
	if (size && io->pread(got, size, 0) != (ssize_t)size) {
		fprintf(stderr, "fsx: verify: short read\n");
		return 1;
	}
	for (uint64_t i = 0; i < size; i++) {
		bool ext = size > size_n && i >= size_n; /* an extension seen */
		if (got[i] == model[i] || (!ext && got[i] == before[i]))
			continue;
		fprintf(stderr, "fsx: verify after %" PRIu64 " operations: byte "
			"0x%" PRIx64 " is 0x%02x, expected 0x%02x (after %"
			PRIu64 ") or 0x%02x (after %" PRIu64 "; next: %s)\n",
			n, i, got[i], before[i], n, model[i], n + 1, line);
		return 1;
	}
	io->close();
	free(before);
	if (!quiet)
		printf("fsx (%s): after a crash at operation %" PRIu64 ": size "
		       "0x%" PRIx64 ", every byte as completed\n", io->name, n,
		       size);
	return 0;
}

/* ---- main ---- */

static void
usage(const char *argv0)
{
	fprintf(stderr,
"Usage: %s [-S SEED] [-N OPS] [-l MAXLEN] [-F FULL] [-L LOG] [-C COUNT]\n"
"          [-V N] [-q] DIR\n"
"Random I/O on DIR/fsx.file, checked after every operation against an\n"
"in-memory copy (see tests/fsx/README.md).\n"
"  -S SEED    random seed (default: from the clock; printed)\n"
"  -N OPS     operations (default 20000)\n"
"  -l MAXLEN  largest file size (default 4M; K and M suffixes)\n"
"  -F FULL    compare the whole file every FULL operations (default 32)\n"
"  -L LOG     write every operation to LOG\n"
"  -C COUNT   crash mode: after each operation, its number into COUNT\n"
"  -V N       check a file left by a crash after operation N\n"
"  -q         quiet\n", argv0);
	exit(2);
}

static uint64_t
parse_num(const char *s, const char *argv0)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		usage(argv0);
	if (*end == 'K' || *end == 'k')
		v *= KiB, end++;
	else if (*end == 'M' || *end == 'm')
		v *= MiB, end++;
	if (*end)
		usage(argv0);
	return v;
}

int
fsx_main(int argc, char **argv, const struct fsx_io *the_io)
{
	io = the_io;
	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	int c;
	while ((c = getopt(argc, argv, "S:N:l:F:L:C:V:q")) != -1) {
		switch (c) {
		case 'S': seed = parse_num(optarg, argv[0]); break;
		case 'N': nops = parse_num(optarg, argv[0]); break;
		case 'l': maxlen = parse_num(optarg, argv[0]); break;
		case 'F': full_every = parse_num(optarg, argv[0]); break;
		case 'L': log_path = optarg; break;
		case 'C': count_path = optarg; break;
		case 'V': verify_at = (long long)parse_num(optarg, argv[0]); break;
		case 'q': quiet = true; break;
		default: usage(argv[0]);
		}
	}
	if (optind != argc - 1 || maxlen < 64 * KiB || maxlen > 256 * MiB ||
	    full_every == 0)
		usage(argv[0]);
	dir = argv[optind];
	rng_state = seed;
	/* room for the largest write past maxlen's last page */
	model = calloc(1, maxlen + 8 * MiB);
	buf = malloc(maxlen + 8 * MiB);
	buf2 = malloc(maxlen + 8 * MiB);
	aux = malloc(AUX_LEN);
	if (!model || !buf || !buf2 || !aux) {
		fprintf(stderr, "fsx: out of memory\n");
		return 2;
	}
	pat_init(seed);
	fill(aux, seed | 1, 0, AUX_LEN);
	if (verify_at >= 0)
		return verify_crash((uint64_t)verify_at);

	if (!quiet)
		printf("fsx (%s): seed %" PRIu64 ", %" PRIu64 " operations, "
		       "files up to 0x%" PRIx64 " bytes, in %s\n", io->name,
		       seed, nops, maxlen, dir);
	fflush(stdout);
	if (log_path && !(log_file = fopen(log_path, "w"))) {
		perror(log_path);
		return 2;
	}
	if (count_path &&
	    (count_fd = open(count_path, O_WRONLY | O_CREAT | O_TRUNC |
			     O_CLOEXEC, 0644)) < 0) {
		perror(count_path);
		return 2;
	}
	int r = io->open(dir, true);
	if (r < 0) {
		fprintf(stderr, "fsx (%s): open in %s: %s\n", io->name, dir,
			strerror(-r));
		return 2;
	}
	if ((r = io->aux_write(aux, AUX_LEN)) < 0) {
		fprintf(stderr, "fsx (%s): auxiliary file: %s\n", io->name,
			strerror(-r));
		return 2;
	}
	for (uint64_t n = 1; n <= nops; n++) {
		struct op o = plan(n);
		ring[n % RING] = o;
		if (log_file) {
			char line[160];
			fmt_op(line, sizeof(line), &o);
			fprintf(log_file, "%s\n", line);
			fflush(log_file);
		}
		run_one(&o);
		stats[o.kind]++;
		if (count_fd >= 0) {
			char s[24];
			int k = snprintf(s, sizeof(s), "%20" PRIu64 "\n", n);
			if (pwrite(count_fd, s, (size_t)k, 0) != k) {
				perror("fsx: count file");
				return 2;
			}
		}
	}
	struct op last = { .n = nops };
	check_range(&last, 0, msize);
	io->close();
	if (!quiet) {
		printf("fsx (%s): %" PRIu64 " operations passed, final size 0x%"
		       PRIx64 ":", io->name, nops, msize);
		for (int k = 0; k < OP_NKINDS; k++)
			printf(" %s %" PRIu64, op_name[k], stats[k]);
		printf("\n");
	}
	return 0;
}
