/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-memory model of a file system: a flat list of full paths naming
 * inodes. Small on purpose (hundreds of names): it is the oracle of the
 * crash, fault-injection and fuzz tests, so it must be obviously right.
 * Errno precedence follows fs/namei.c (do_renameat2, vfs_rename,
 * may_delete, do_linkat) of Linux 6.x.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include "rel.h"

/*
 * The byte loops (content generation, hashing) are not instrumented for
 * coverage in the fuzzer's build: with -fsanitize=fuzzer every compare of
 * their counters is traced, which took most of fuzz_ops's time (and
 * tells libFuzzer nothing).
 */
#if defined(__clang__) && __clang_major__ >= 13
#define REL_NOCOV __attribute__((noinline, no_sanitize("coverage")))
#else
#define REL_NOCOV
#endif

#define M_MAXINO 512
#define M_MAXENT 512
#define M_MAXSIZE (8u << 20)

struct m_ino {
	int used;
	int dir;
	int nlink;
	int opens;              /* open descriptions (rel_model_open) */
	unsigned char *data;
	size_t size, cap;
};

struct m_ent {
	char path[REL_PATH];
	int ino;
};

struct rel_model {
	struct m_ino ino[M_MAXINO];
	struct m_ent ent[M_MAXENT];
	int nent;
};

const char *
rel_kind_name(int kind)
{
	static const char *names[] = { "?", "create", "append", "pwrite",
		"truncate", "unlink", "mkdir", "rmdir", "rename", "link" };
	return kind > 0 && kind < OP_NKINDS ? names[kind] : "?";
}

void
rel_op_format(const struct rel_op *op, char *buf, size_t len)
{
	switch (op->kind) {
	case OP_APPEND:
		snprintf(buf, len, "append(%s, %u bytes, seed %u)", op->a,
			 op->len, op->seed);
		break;
	case OP_PWRITE:
		snprintf(buf, len, "pwrite(%s, %u bytes at %llu, seed %u)",
			 op->a, op->len, (unsigned long long)op->off, op->seed);
		break;
	case OP_TRUNC:
		snprintf(buf, len, "truncate(%s, %u)", op->a, op->len);
		break;
	case OP_RENAME:
		snprintf(buf, len, "rename(%s, %s, 0x%x)", op->a, op->b,
			 op->flags);
		break;
	case OP_LINK:
		snprintf(buf, len, "link(%s, %s)", op->a, op->b);
		break;
	default:
		snprintf(buf, len, "%s(%s)", rel_kind_name(op->kind), op->a);
	}
}

REL_NOCOV void
rel_fill(void *buf, size_t len, uint32_t seed)
{
	unsigned char *p = buf;
	uint32_t x = seed * 2654435761u + 0x9e3779b9u;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)(x >> 8);
	}
}

REL_NOCOV uint64_t
rel_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t
rel_fnv_zeros(uint64_t h, uint64_t n)
{
	uint64_t p = 0x100000001b3ULL;
	for (; n; n >>= 1, p *= p)
		if (n & 1)
			h *= p;
	return h;
}

uint64_t
rel_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x2545F4914F6CDD1DULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

struct rel_model *
rel_model_new(void)
{
	struct rel_model *m = calloc(1, sizeof(*m));
	if (!m)
		abort();
	m->ino[0].used = 1;     /* the root */
	m->ino[0].dir = 1;
	m->ino[0].nlink = 1;
	return m;
}

void
rel_model_free(struct rel_model *m)
{
	if (!m)
		return;
	for (int i = 0; i < M_MAXINO; i++)
		free(m->ino[i].data);
	free(m);
}

int
rel_model_nentries(const struct rel_model *m)
{
	return m->nent;
}

static int
m_find(const struct rel_model *m, const char *path, size_t len)
{
	for (int i = 0; i < m->nent; i++)
		if (strlen(m->ent[i].path) == len &&
		    memcmp(m->ent[i].path, path, len) == 0)
			return i;
	return -1;
}

/* Inode named by path ("" is the root), or -1. */
static int
m_lookup(const struct rel_model *m, const char *path)
{
	if (!*path)
		return 0;
	int e = m_find(m, path, strlen(path));
	return e < 0 ? -1 : m->ent[e].ino;
}

/* Every component before the last must exist and be a directory. */
static int
m_parent_check(const struct rel_model *m, const char *path)
{
	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		int e = m_find(m, path, (size_t)(s - path));
		if (e < 0)
			return -ENOENT;
		if (!m->ino[m->ent[e].ino].dir)
			return -ENOTDIR;
	}
	return 0;
}

/* b is strictly below a ("a/..."). */
static int
m_below(const char *b, const char *a)
{
	size_t n = strlen(a);
	return strncmp(b, a, n) == 0 && b[n] == '/';
}

static int
m_has_children(const struct rel_model *m, const char *path)
{
	for (int i = 0; i < m->nent; i++)
		if (m_below(m->ent[i].path, path))
			return 1;
	return 0;
}

static int
m_new_ino(struct rel_model *m, int dir)
{
	for (int i = 1; i < M_MAXINO; i++) {
		if (!m->ino[i].used) {
			memset(&m->ino[i], 0, sizeof(m->ino[i]));
			m->ino[i].used = 1;
			m->ino[i].dir = dir;
			return i;
		}
	}
	return -1;
}

static void
m_add(struct rel_model *m, const char *path, int ino)
{
	snprintf(m->ent[m->nent].path, REL_PATH, "%s", path);
	m->ent[m->nent].ino = ino;
	m->nent++;
	m->ino[ino].nlink++;
}

static void
m_remove_ent(struct rel_model *m, int e)
{
	int ino = m->ent[e].ino;
	m->ent[e] = m->ent[--m->nent];
	/* an open file without names lives on (an orphan) until closed */
	if (--m->ino[ino].nlink == 0 && m->ino[ino].opens == 0) {
		free(m->ino[ino].data);
		memset(&m->ino[ino], 0, sizeof(m->ino[ino]));
	}
}

static int
m_resize(struct m_ino *in, size_t size)
{
	if (size > M_MAXSIZE)
		return -E2BIG;
	if (size > in->cap) {
		size_t cap = in->cap ? in->cap : 4096;
		while (cap < size)
			cap *= 2;
		unsigned char *d = realloc(in->data, cap);
		if (!d)
			abort();
		in->data = d;
		in->cap = cap;
	}
	if (size > in->size)
		memset(in->data + in->size, 0, size - in->size);
	in->size = size;
	return 0;
}

static long
m_write(struct rel_model *m, const struct rel_op *op, int dry)
{
	int r = m_parent_check(m, op->a);
	if (r)
		return r;
	int ino = m_lookup(m, op->a);
	if (ino < 0)
		return -ENOENT;
	struct m_ino *in = &m->ino[ino];
	if (in->dir)
		return -EISDIR;
	size_t off = op->kind == OP_APPEND ? in->size : op->off;
	if (off + op->len > M_MAXSIZE)
		return -E2BIG;
	if (dry || op->len == 0)
		return op->len;
	size_t old = in->size;
	if (off + op->len > old)
		m_resize(in, off + op->len);
	rel_fill(in->data + off, op->len, op->seed);
	return op->len;
}

static int
m_rename_paths(struct rel_model *m, const char *a, const char *b,
	       int exchange)
{
	size_t la = strlen(a), lb = strlen(b);
	char tmp[M_MAXENT][REL_PATH];
	for (int i = 0; i < m->nent; i++) {
		const char *p = m->ent[i].path;
		int n;
		if (strcmp(p, a) == 0 || m_below(p, a))
			n = snprintf(tmp[i], REL_PATH, "%s%s", b, p + la);
		else if (exchange && (strcmp(p, b) == 0 || m_below(p, b)))
			n = snprintf(tmp[i], REL_PATH, "%s%s", a, p + lb);
		else
			n = snprintf(tmp[i], REL_PATH, "%s", p);
		if (n >= REL_PATH)
			return -E2BIG;
	}
	for (int i = 0; i < m->nent; i++)
		memcpy(m->ent[i].path, tmp[i], REL_PATH);
	return 0;
}

/* Would renaming a to b (and b to a) keep paths within REL_PATH? */
static int
m_rename_fits(const struct rel_model *m, const char *a, const char *b,
	      int exchange)
{
	size_t la = strlen(a), lb = strlen(b);
	for (int i = 0; i < m->nent; i++) {
		const char *p = m->ent[i].path;
		size_t n = strlen(p);
		if ((strcmp(p, a) == 0 || m_below(p, a)) && n - la + lb >= REL_PATH)
			return 0;
		if (exchange && (strcmp(p, b) == 0 || m_below(p, b)) &&
		    n - lb + la >= REL_PATH)
			return 0;
	}
	return 1;
}

static long
m_rename(struct rel_model *m, const struct rel_op *op, int dry)
{
	unsigned fl = op->flags;
	int exch = !!(fl & RENAME_EXCHANGE);
	if ((fl & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) ||
	    ((fl & RENAME_NOREPLACE) && exch))
		return -EINVAL;
	int r = m_parent_check(m, op->a);
	if (r)
		return r;
	r = m_parent_check(m, op->b);
	if (r)
		return r;
	int eo = m_find(m, op->a, strlen(op->a));
	if (eo < 0)
		return -ENOENT;
	int en = m_find(m, op->b, strlen(op->b));
	if ((fl & RENAME_NOREPLACE) && en >= 0)
		return -EEXIST;
	if (exch && en < 0)
		return -ENOENT;
	if (m_below(op->b, op->a))
		return -EINVAL;
	if (m_below(op->a, op->b))
		return exch ? -EINVAL : -ENOTEMPTY;
	int io = m->ent[eo].ino;
	if (en >= 0 && m->ent[en].ino == io)
		return 0;       /* same inode: nothing happens */
	if (en >= 0 && !exch) {
		int in = m->ent[en].ino;
		if (m->ino[io].dir && !m->ino[in].dir)
			return -ENOTDIR;
		if (!m->ino[io].dir && m->ino[in].dir)
			return -EISDIR;
		if (m->ino[in].dir && m_has_children(m, op->b))
			return -ENOTEMPTY;
	}
	if (!m_rename_fits(m, op->a, op->b, exch))
		return -E2BIG;
	if (dry)
		return 0;
	if (en >= 0 && !exch)
		m_remove_ent(m, en);
	return m_rename_paths(m, op->a, op->b, exch);
}

long
rel_model_apply(struct rel_model *m, const struct rel_op *op, int dry)
{
	int r, ino, e;

	switch (op->kind) {
	case OP_CREATE:
	case OP_MKDIR:
		if ((r = m_parent_check(m, op->a)))
			return r;
		if (m_lookup(m, op->a) >= 0)
			return -EEXIST;
		if (m->nent >= M_MAXENT)
			return -E2BIG;
		if (dry)
			return 0;
		ino = m_new_ino(m, op->kind == OP_MKDIR);
		if (ino < 0)
			return -E2BIG;
		m_add(m, op->a, ino);
		return 0;
	case OP_APPEND:
	case OP_PWRITE:
		return m_write(m, op, dry);
	case OP_TRUNC:
		if ((r = m_parent_check(m, op->a)))
			return r;
		ino = m_lookup(m, op->a);
		if (ino < 0)
			return -ENOENT;
		if (m->ino[ino].dir)
			return -EISDIR;
		if (op->len > M_MAXSIZE)
			return -E2BIG;
		if (dry)
			return 0;
		return m_resize(&m->ino[ino], op->len);
	case OP_UNLINK:
	case OP_RMDIR:
		if ((r = m_parent_check(m, op->a)))
			return r;
		e = m_find(m, op->a, strlen(op->a));
		if (e < 0)
			return -ENOENT;
		ino = m->ent[e].ino;
		if (op->kind == OP_UNLINK && m->ino[ino].dir)
			return -EISDIR;
		if (op->kind == OP_RMDIR && !m->ino[ino].dir)
			return -ENOTDIR;
		if (op->kind == OP_RMDIR && m_has_children(m, op->a))
			return -ENOTEMPTY;
		if (dry)
			return 0;
		m_remove_ent(m, e);
		return 0;
	case OP_RENAME:
		return m_rename(m, op, dry);
	case OP_LINK:
		if ((r = m_parent_check(m, op->a)))
			return r;
		ino = m_lookup(m, op->a);
		if (ino < 0)
			return -ENOENT;
		if ((r = m_parent_check(m, op->b)))
			return r;
		if (m_lookup(m, op->b) >= 0)
			return -EEXIST;
		if (m->ino[ino].dir)
			return -EPERM;
		if (m->nent >= M_MAXENT)
			return -E2BIG;
		if (dry)
			return 0;
		m_add(m, op->b, ino);
		return 0;
	}
	return -EINVAL;
}

static int
cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
rel_sort_lines(char *text)
{
	size_t n = 0, len = strlen(text);
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	char **lines = malloc((n + 1) * sizeof(*lines));
	char *out = malloc(len + 1);
	if (!lines || !out)
		abort();
	size_t k = 0;
	for (char *s = text, *nl; (nl = strchr(s, '\n')); s = nl + 1) {
		*nl = 0;
		lines[k++] = s;
	}
	qsort(lines, k, sizeof(*lines), cmp_lines);
	char *o = out;
	for (size_t i = 0; i < k; i++) {
		size_t l = strlen(lines[i]);
		memcpy(o, lines[i], l);
		o += l;
		*o++ = '\n';
	}
	*o = 0;
	free(lines);
	free(text);
	return out;
}

static char *
model_dump(const struct rel_model *m, int contents)
{
	size_t cap = 4096 + (size_t)m->nent * (REL_PATH + 96);
	char *out = malloc(cap);
	if (!out)
		abort();
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < m->nent; i++) {
		const struct m_ino *in = &m->ino[m->ent[i].ino];
		unsigned nlink = (unsigned)in->nlink;
		if (in->dir) {
			nlink = 2;
			for (int j = 0; j < m->nent; j++) {
				const char *p = m->ent[j].path;
				if (m_below(p, m->ent[i].path) &&
				    !strchr(p + strlen(m->ent[i].path) + 1, '/') &&
				    m->ino[m->ent[j].ino].dir)
					nlink++;
			}
		}
		uint64_t h = rel_fnv(REL_FNV_INIT, in->data,
				     in->dir || !contents ? 0 : in->size);
		o += (size_t)snprintf(out + o, cap - o,
			"/%s %c size=%zu nlink=%u h=%016llx\n", m->ent[i].path,
			in->dir ? 'd' : 'f', in->dir ? 0 : in->size, nlink,
			(unsigned long long)h);
	}
	/* the root's nlink */
	unsigned rl = 2;
	for (int j = 0; j < m->nent; j++)
		if (!strchr(m->ent[j].path, '/') && m->ino[m->ent[j].ino].dir)
			rl++;
	o += (size_t)snprintf(out + o, cap - o, "/ d size=0 nlink=%u h=%016llx\n",
			      rl, (unsigned long long)REL_FNV_INIT);
	return rel_sort_lines(out);
}

char *
rel_model_dump(const struct rel_model *m)
{
	return model_dump(m, 1);
}

char *
rel_model_dump_meta(const struct rel_model *m)
{
	return model_dump(m, 0);
}

/* ---- open files (the fuzzer's descriptions) -------------------------------- */

int
rel_model_open(struct rel_model *m, const char *path, int flags, int dry)
{
	int r = m_parent_check(m, path);
	if (r)
		return r;
	int ino = m_lookup(m, path);
	if (ino < 0) {
		if (!(flags & O_CREAT))
			return -ENOENT;
		if (m->nent >= M_MAXENT)
			return -E2BIG;
		if (dry)
			return 1;
		ino = m_new_ino(m, 0);
		if (ino < 0)
			return -E2BIG;
		m_add(m, path, ino);
	} else if ((flags & O_CREAT) && (flags & O_EXCL)) {
		return -EEXIST;
	} else if (m->ino[ino].dir) {
		return -EISDIR;         /* O_RDWR or O_WRONLY */
	} else if (dry) {
		return ino;
	} else if (flags & O_TRUNC) {
		m_resize(&m->ino[ino], 0);
	}
	m->ino[ino].opens++;
	return ino;
}

void
rel_model_close(struct rel_model *m, int ino)
{
	struct m_ino *in = &m->ino[ino];
	if (--in->opens == 0 && in->nlink == 0) {
		free(in->data);
		memset(in, 0, sizeof(*in));
	}
}

int
rel_model_lookup_file(const struct rel_model *m, const char *path)
{
	int r = m_parent_check(m, path);
	if (r)
		return r;
	int ino = m_lookup(m, path);
	if (ino < 0)
		return -ENOENT;
	return m->ino[ino].dir ? -EISDIR : ino;
}

long
rel_model_ino_pwrite(struct rel_model *m, int ino, uint64_t off, uint32_t len,
		     uint32_t seed, int dry)
{
	struct m_ino *in = &m->ino[ino];
	if (off + len > M_MAXSIZE)
		return -E2BIG;
	if (dry || len == 0)
		return len;
	if (off + len > in->size)
		m_resize(in, off + len);
	rel_fill(in->data + off, len, seed);
	return len;
}

int
rel_model_ino_truncate(struct rel_model *m, int ino, uint64_t len, int dry)
{
	if (len > M_MAXSIZE)
		return -E2BIG;
	return dry ? 0 : m_resize(&m->ino[ino], len);
}

int
rel_model_ino_fallocate(struct rel_model *m, int ino, int mode, uint64_t off,
			uint64_t len, int dry)
{
	struct m_ino *in = &m->ino[ino];
	int keep = mode & FALLOC_FL_KEEP_SIZE;
	int op = mode & ~FALLOC_FL_KEEP_SIZE;
	/* the modes the core supports (pmemfile/core.h), with tmpfs's and
	 * ext4's rules for the rest */
	if (op != 0 && op != FALLOC_FL_ZERO_RANGE && op != FALLOC_FL_PUNCH_HOLE)
		return -EOPNOTSUPP;
	if (op == FALLOC_FL_PUNCH_HOLE && !keep)
		return -EOPNOTSUPP;
	if (len == 0)
		return -EINVAL;
	uint64_t end = off + len;
	if (!keep && end > M_MAXSIZE)
		return -E2BIG;
	if (dry)
		return 0;
	if (op != 0 && off < in->size)   /* punched or zeroed: reads zeros */
		memset(in->data + off, 0, (end < in->size ? end : in->size) - off);
	if (!keep && end > in->size)
		m_resize(in, end);
	return 0;
}

const unsigned char *
rel_model_ino_data(const struct rel_model *m, int ino, size_t *size)
{
	*size = m->ino[ino].size;
	return m->ino[ino].data;
}

size_t
rel_model_bytes(const struct rel_model *m)
{
	size_t n = 0;
	for (int i = 0; i < M_MAXINO; i++)
		if (m->ino[i].used && !m->ino[i].dir)
			n += m->ino[i].size;
	return n;
}

/* ---- the generator --------------------------------------------------------- */

static const char *gen_names[] = { "a", "b", "c", "d", "e", "f", "g", "h" };

static void
gen_path(const struct rel_model *m, uint64_t *rng, char *out)
{
	/* often an existing name, sometimes a new one under an existing dir */
	if (m->nent && rel_rand(rng) % 3 != 0) {
		const char *p = m->ent[rel_rand(rng) % (unsigned)m->nent].path;
		if (rel_rand(rng) % 3 == 0 && m->ino[m_lookup(m, p)].dir) {
			snprintf(out, REL_PATH, "%.400s/%s", p,
				 gen_names[rel_rand(rng) % 8]);
			return;
		}
		snprintf(out, REL_PATH, "%s", p);
		return;
	}
	snprintf(out, REL_PATH, "%s", gen_names[rel_rand(rng) % 8]);
}

int
rel_gen(struct rel_model *m, uint64_t *rng, struct rel_op *op,
	uint32_t maxlen, int allow_pwrite)
{
	static const int weights[] = {
		[OP_CREATE] = 6, [OP_APPEND] = 8, [OP_PWRITE] = 2,
		[OP_TRUNC] = 3, [OP_UNLINK] = 3, [OP_MKDIR] = 4, [OP_RMDIR] = 2,
		[OP_RENAME] = 6, [OP_LINK] = 2 };
	for (int tries = 0; tries < 200; tries++) {
		memset(op, 0, sizeof(*op));
		int total = 0;
		for (int k = 1; k < OP_NKINDS; k++)
			total += weights[k];
		int w = (int)(rel_rand(rng) % (unsigned)total);
		int k = 1;
		while (w >= weights[k])
			w -= weights[k++];
		if (k == OP_PWRITE && !allow_pwrite)
			k = OP_APPEND;
		op->kind = k;
		gen_path(m, rng, op->a);
		gen_path(m, rng, op->b);
		op->seed = (uint32_t)rel_rand(rng);
		op->len = 1 + (uint32_t)(rel_rand(rng) % maxlen);
		if (k == OP_TRUNC)
			op->len = (uint32_t)(rel_rand(rng) % (maxlen * 2));
		if (k == OP_PWRITE)
			op->off = rel_rand(rng) % (maxlen * 2);
		if (k == OP_RENAME) {
			unsigned r = (unsigned)(rel_rand(rng) % 8);
			op->flags = r == 0 ? RENAME_NOREPLACE :
				    r == 1 ? RENAME_EXCHANGE : 0;
		}
		long res = rel_model_apply(m, op, 1);
		if (res < 0)
			continue;
		rel_model_apply(m, op, 0);
		return 0;
	}
	return -1;
}

void
rel_gen_workload(uint64_t seed, struct rel_op *ops, int n, uint32_t maxlen)
{
	struct rel_model *m = rel_model_new();
	uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	for (int i = 0; i < n; i++) {
		if (rel_gen(m, &rng, &ops[i], maxlen, 0) < 0) {
			/* cannot happen with this name space; keep it valid */
			memset(&ops[i], 0, sizeof(ops[i]));
			ops[i].kind = OP_MKDIR;
			snprintf(ops[i].a, REL_PATH, "never%d", i);
			rel_model_apply(m, &ops[i], 0);
		}
	}
	rel_model_free(m);
}

void
rel_diff(const char *la, const char *a, const char *lb, const char *b)
{
	while (*a || *b) {
		const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
		size_t na = ea ? (size_t)(ea - a) : strlen(a);
		size_t nb = eb ? (size_t)(eb - b) : strlen(b);
		if (na != nb || memcmp(a, b, na) != 0) {
			fprintf(stderr, "  first difference:\n    %s: %.*s\n    %s: %.*s\n",
				la, (int)na, a, lb, (int)nb, b);
			return;
		}
		a = ea ? ea + 1 : a + na;
		b = eb ? eb + 1 : b + nb;
	}
}
