/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash consistency. Each round (PF_CRASH_ROUNDS, default 20; PF_CRASH_OPS
 * operations, default 300; PF_CRASH_SEED to replay) makes a fresh
 * pool; a child runs a deterministic, seeded sequence of operations
 * (create, append with known content, truncate, rename files and
 * directories, unlink, mkdir, rmdir, set and remove extended attributes
 * of files and directories) and reports each operation that
 * returned through a pipe (outside the pool). It dies by SIGKILL at a
 * random moment: a timer armed after a random operation fires a random
 * number of microseconds later, or (when the core has test hooks) the
 * persist hook kills it at a random persistence barrier inside an
 * operation. Then:
 *   - pf_fsck finds no problem;
 *   - pf_pool_open succeeds;
 *   - the whole tree equals the model after the N acknowledged operations,
 *     or after N + 1 (the one in flight may have completed: each operation
 *     is all-or-nothing, since appends publish their size last and the
 *     workload never overwrites in place).
 */
#define _GNU_SOURCE
#include "pftest.h"

#include <dirent.h>
#include <pmemfile/testing.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>

#define MAXENT 64
#define MAXDATA (256 * 1024)

enum {
	OP_CREATE,
	OP_APPEND,
	OP_TRUNC,
	OP_RENAME,
	OP_UNLINK,
	OP_MKDIR,
	OP_RMDIR,
	OP_RENAME_DIR,
	OP_EXTEND,
	OP_TMPLINK,
	OP_XSET,
	OP_XREMOVE,
	OP_NR
};

/* each entry may hold the attributes user.x0 .. user.x3: a value of
 * xlen bytes of pft_pattern(xseed), when xhas */
#define NX 4
struct ent {
	char path[128];
	int dir;
	unsigned char *data;
	size_t len;
	int xhas[NX];
	size_t xlen[NX];
	uint64_t xseed[NX];
};

struct model {
	struct ent e[MAXENT];
	int n;
	int counter;
	uint64_t rng;
};

struct op {
	int kind;
	char a[128], b[128];
	size_t len;             /* append: bytes; trunc: new size */
	uint64_t seed;
};

static void setpath(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);
	if (l >= n)
		l = n - 1;
	memcpy(dst, src, l);
	dst[l] = 0;
}

static uint64_t rnd(struct model *m)
{
	uint64_t x = m->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	m->rng = x;
	return x;
}

static void model_free(struct model *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->e[i].data);
	m->n = 0;
}

static void model_copy(struct model *dst, const struct model *src)
{
	*dst = *src;
	for (int i = 0; i < src->n; i++) {
		dst->e[i].data = src->e[i].dir ? NULL : malloc(MAXDATA);
		if (!src->e[i].dir)
			memcpy(dst->e[i].data, src->e[i].data, src->e[i].len);
	}
}

static int find(struct model *m, const char *path)
{
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->e[i].path, path))
			return i;
	return -1;
}

/* a random entry of the wanted kind (dir: 1, file: 0), or -1 */
static int pick(struct model *m, int dir)
{
	int cand[MAXENT], n = 0;
	for (int i = 0; i < m->n; i++)
		if (m->e[i].dir == dir)
			cand[n++] = i;
	return n ? cand[rnd(m) % (uint64_t)n] : -1;
}

/* a random directory path ("" is the root) */
static const char *pick_dir(struct model *m)
{
	int d = rnd(m) % 3 ? pick(m, 1) : -1;
	return d < 0 ? "" : m->e[d].path;
}

static int is_empty_dir(struct model *m, const char *path)
{
	size_t l = strlen(path);
	for (int i = 0; i < m->n; i++)
		if (!strncmp(m->e[i].path, path, l) && m->e[i].path[l] == '/')
			return 0;
	return 1;
}

/* The longest path at or below `path`. */
static size_t longest_under(struct model *m, const char *path)
{
	size_t l = strlen(path), best = l;
	for (int i = 0; i < m->n; i++)
		if (!strncmp(m->e[i].path, path, l) &&
		    (m->e[i].path[l] == '/' || m->e[i].path[l] == 0) &&
		    strlen(m->e[i].path) > best)
			best = strlen(m->e[i].path);
	return best;
}

/* Chooses the next operation; it is valid for the model's state. */
static void next_op(struct model *m, struct op *op)
{
	memset(op, 0, sizeof(*op));
	for (;;) {
		int k = (int)(rnd(m) % OP_NR);
		int f = pick(m, 0), d = pick(m, 1);
		op->kind = k;
		op->seed = rnd(m);
		switch (k) {
		case OP_CREATE:
		case OP_MKDIR:
		case OP_TMPLINK: {
			const char *in = pick_dir(m);
			if (m->n >= MAXENT - 2 || strlen(in) > 100)
				continue;
			snprintf(op->a, sizeof(op->a), "%s/%c%d", in,
				 k == OP_CREATE ? 'f' : k == OP_MKDIR ? 'd' : 't',
				 m->counter++);
			op->len = k == OP_TMPLINK ? rnd(m) % 30000 : 0;
			return;
		}
		case OP_APPEND:
			if (f < 0)
				continue;
			op->len = rnd(m) % 4 ? rnd(m) % 5000 + 1 :
				  rnd(m) % 100000 + 1;
			if (m->e[f].len + op->len > MAXDATA)
				continue;
			snprintf(op->a, sizeof(op->a), "%s", m->e[f].path);
			return;
		case OP_TRUNC:
		case OP_EXTEND:
			if (f < 0)
				continue;
			op->len = k == OP_TRUNC ?
				  (m->e[f].len ? rnd(m) % m->e[f].len : 0) :
				  m->e[f].len + rnd(m) % 20000;
			if (op->len > MAXDATA)
				continue;
			snprintf(op->a, sizeof(op->a), "%s", m->e[f].path);
			return;
		case OP_UNLINK:
			if (f < 0)
				continue;
			snprintf(op->a, sizeof(op->a), "%s", m->e[f].path);
			return;
		case OP_RENAME: {
			if (f < 0)
				continue;
			snprintf(op->a, sizeof(op->a), "%s", m->e[f].path);
			int g = pick(m, 0);
			const char *in = pick_dir(m);
			if (strlen(in) > 100)
				continue;
			if (g >= 0 && g != f && rnd(m) % 3 == 0)
				snprintf(op->b, sizeof(op->b), "%s",
					 m->e[g].path);
			else
				snprintf(op->b, sizeof(op->b), "%s/r%d", in,
					 m->counter++);
			return;
		}
		case OP_RMDIR:
			if (d < 0 || !is_empty_dir(m, m->e[d].path))
				continue;
			snprintf(op->a, sizeof(op->a), "%s", m->e[d].path);
			return;
		case OP_RENAME_DIR: {
			if (d < 0)
				continue;
			const char *to = pick_dir(m);
			size_t l = strlen(m->e[d].path);
			/* not into itself or below */
			if (!strncmp(to, m->e[d].path, l) &&
			    (to[l] == 0 || to[l] == '/'))
				continue;
			/* keep every path below 120 bytes */
			if (strlen(to) + 12 + longest_under(m, m->e[d].path) -
			    l > 120)
				continue;
			snprintf(op->a, sizeof(op->a), "%s", m->e[d].path);
			snprintf(op->b, sizeof(op->b), "%s/m%d", to,
				 m->counter++);
			return;
		}
		case OP_XSET:
		case OP_XREMOVE: {
			int e = pick(m, (int)(rnd(m) % 2));
			if (e < 0)
				continue;
			int x = (int)(rnd(m) % NX);
			if (k == OP_XREMOVE && !m->e[e].xhas[x])
				continue;
			snprintf(op->a, sizeof(op->a), "%s", m->e[e].path);
			snprintf(op->b, sizeof(op->b), "user.x%d", x);
			/* mostly small values, some that need a chunk */
			op->len = rnd(m) % 4 ? rnd(m) % 300 : rnd(m) % 20000;
			return;
		}
		}
	}
}

static void apply(struct model *m, const struct op *op)
{
	int i = find(m, op->a);
	switch (op->kind) {
	case OP_CREATE:
	case OP_MKDIR:
	case OP_TMPLINK: {
		struct ent *e = &m->e[m->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->path, sizeof(e->path), "%s", op->a);
		e->dir = op->kind == OP_MKDIR;
		e->data = e->dir ? NULL : calloc(1, MAXDATA);
		e->len = op->kind == OP_TMPLINK ? op->len : 0;
		if (op->kind == OP_TMPLINK)
			pft_pattern(e->data, op->len, op->seed, 0);
		break;
	}
	case OP_APPEND:
		pft_pattern(m->e[i].data + m->e[i].len, op->len, op->seed,
			    m->e[i].len);
		m->e[i].len += op->len;
		break;
	case OP_TRUNC:
	case OP_EXTEND:
		if (op->len > m->e[i].len)
			memset(m->e[i].data + m->e[i].len, 0,
			       op->len - m->e[i].len);
		m->e[i].len = op->len;
		break;
	case OP_UNLINK:
	case OP_RMDIR:
		free(m->e[i].data);
		m->e[i] = m->e[--m->n];
		break;
	case OP_RENAME: {
		int j = find(m, op->b);
		if (j >= 0) {
			free(m->e[j].data);
			m->e[j] = m->e[--m->n];
			if (i == m->n)
				i = j;
		}
		snprintf(m->e[i].path, sizeof(m->e[i].path), "%s", op->b);
		break;
	}
	case OP_XSET:
	case OP_XREMOVE: {
		int x = op->b[6] - '0';
		m->e[i].xhas[x] = op->kind == OP_XSET;
		m->e[i].xlen[x] = op->len;
		m->e[i].xseed[x] = op->seed;
		break;
	}
	case OP_RENAME_DIR: {
		size_t l = strlen(op->a);
		for (int k = 0; k < m->n; k++) {
			char *p = m->e[k].path;
			if (!strncmp(p, op->a, l) && (p[l] == 0 || p[l] == '/')) {
				char tmp[256];
				snprintf(tmp, sizeof(tmp), "%s%s", op->b, p + l);
				setpath(p, sizeof(m->e[k].path), tmp);
			}
		}
		break;
	}
	}
}

/*
 * The child keeps some victims of unlink and rename open, so that a kill
 * finds unlinked-but-open inodes on the orphan list.
 */
#define KEEP 8
static pf_file *kept[KEEP];
static int nkept;

static void keep_open(pf_pool *pool, const char *path)
{
	pf_file *f;
	if (pf_openat(pool, &ROOT, NULL, path, O_RDONLY | O_NOFOLLOW, 0, &f))
		return;
	if (nkept == KEEP) {
		pf_close(kept[0]);
		memmove(kept, kept + 1, sizeof(kept[0]) * (KEEP - 1));
		nkept--;
	}
	kept[nkept++] = f;
}

/* O_TMPFILE in the parent of op->a, written, then linked as op->a */
static int tmplink(pf_pool *pool, const struct op *op)
{
	char dir[128];
	snprintf(dir, sizeof(dir), "%s", op->a);
	*strrchr(dir, '/') = 0;
	pf_file *f;
	int r = pf_openat(pool, &ROOT, NULL, dir[0] ? dir : "/",
			  O_TMPFILE | O_RDWR, 0644, &f);
	if (r)
		return r;
	unsigned char *buf = malloc(op->len + 1);
	pft_pattern(buf, op->len, op->seed, 0);
	ssize_t w = pf_write(pool, &ROOT, f, buf, op->len);
	free(buf);
	if (w == (ssize_t)op->len)
		r = pf_linkat(pool, &ROOT, f, "", NULL, op->a, AT_EMPTY_PATH);
	else
		r = w < 0 ? (int)w : -EIO;
	pf_close(f);
	return r;
}

struct cbsrc {
	const unsigned char *buf;
};

static ssize_t copy_in(void *arg, void *pool_mem, size_t len, size_t pos)
{
	struct cbsrc *c = arg;
	memcpy(pool_mem, c->buf + pos, len);
	return (ssize_t)len;
}

/* Runs op on the pool; returns 0 or a negative errno. */
static int execute(pf_pool *pool, const struct op *op)
{
	pf_file *f;
	int r;
	if ((op->kind == OP_UNLINK || op->kind == OP_RENAME) &&
	    op->seed % 3 == 0)
		keep_open(pool, op->kind == OP_UNLINK ? op->a : op->b);
	switch (op->kind) {
	case OP_TMPLINK:
		return tmplink(pool, op);
	case OP_CREATE:
		r = pf_openat(pool, &ROOT, NULL, op->a,
			      O_CREAT | O_EXCL | O_WRONLY, 0644, &f);
		if (r == 0)
			pf_close(f);
		return r;
	case OP_MKDIR:
		return pf_mkdirat(pool, &ROOT, NULL, op->a, 0755);
	case OP_APPEND: {
		r = pf_openat(pool, &ROOT, NULL, op->a, O_WRONLY | O_APPEND, 0,
			      &f);
		if (r)
			return r;
		struct pf_stat st;
		r = pf_fstat(pool, f, &st);
		unsigned char *buf = malloc(op->len);
		pft_pattern(buf, op->len, op->seed, st.size);
		/* half of the appends go through the zero-copy callback */
		struct cbsrc src = { buf };
		ssize_t w = r ? r : op->seed % 2 ?
			pf_write(pool, &ROOT, f, buf, op->len) :
			pf_write_cb(pool, &ROOT, f, op->len, -1, copy_in, &src);
		free(buf);
		pf_close(f);
		if (w < 0)
			return (int)w;
		return (size_t)w == op->len ? 0 : -EIO;
	}
	case OP_TRUNC:
	case OP_EXTEND:
		return pf_truncate(pool, &ROOT, NULL, op->a, (off_t)op->len);
	case OP_UNLINK:
		return pf_unlinkat(pool, &ROOT, NULL, op->a, 0);
	case OP_RMDIR:
		return pf_unlinkat(pool, &ROOT, NULL, op->a, AT_REMOVEDIR);
	case OP_RENAME:
	case OP_RENAME_DIR:
		return pf_renameat2(pool, &ROOT, NULL, op->a, NULL, op->b, 0);
	case OP_XSET: {
		unsigned char *buf = malloc(op->len + 1);
		pft_pattern(buf, op->len, op->seed, 0);
		r = pf_setxattrat(pool, &ROOT, NULL, op->a, 0, op->b, buf,
				  op->len, 0);
		free(buf);
		return r;
	}
	case OP_XREMOVE:
		return pf_removexattrat(pool, &ROOT, NULL, op->a, 0, op->b);
	}
	return -EINVAL;
}

static const char *op_names[] = { "create",	  "append",	"truncate",
				  "rename",	  "unlink",	"mkdir",
				  "rmdir",	  "rename-dir", "extend",
				  "tmpfile-link", "setxattr",	"removexattr" };

/* ---- the killed child ---------------------------------------------------- */

static volatile long persist_count, persist_kill_at = -1;

static void persist_hook(void *arg)
{
	(void)arg;
	if (++persist_count == persist_kill_at)
		kill(getpid(), SIGKILL);
}

struct ack {
	int32_t index;          /* >= 0: op done; < 0: op -index-1 failed */
	int32_t err;
};

static void die_now(int sig)
{
	(void)sig;
	kill(getpid(), SIGKILL);
}

/*
 * kill_at >= 0: die at that persistence barrier; otherwise, after
 * acknowledging op timer_after_op, die timer_us microseconds later,
 * wherever the child then is.
 */
static void child(const char *path, uint64_t seed, int nops, long kill_at,
		  int timer_after_op, long timer_us, int fd)
{
	pf_pool *pool;
	persist_kill_at = kill_at;
	pf_test_set_persist_hook(persist_hook, NULL);
	if (pf_pool_open(path, 0, &pool, NULL, 0))
		_exit(2);
	struct model m = { .rng = seed };
	int trace = getenv("PF_CRASH_TRACE") != NULL;
	for (int i = 0; i < nops; i++) {
		struct op op;
		next_op(&m, &op);
		int r = execute(pool, &op);
		if (trace) {
			struct pf_statfs sf;
			pf_statfs(pool, &sf);
			fprintf(stderr, "op %d %s %s %s %zu -> %d; bfree %ju\n",
				i, op_names[op.kind], op.a, op.b, op.len, r,
				(uintmax_t)sf.bfree);
		}
		struct ack a = { i, r };
		if (r)
			a.index = -i - 1;
		if (write(fd, &a, sizeof(a)) != sizeof(a))
			_exit(3);
		if (r)
			_exit(4);
		apply(&m, &op);
		if (i == timer_after_op) {
			struct itimerval it = { { 0, 0 }, { 0, timer_us + 1 } };
			signal(SIGALRM, die_now);
			setitimer(ITIMER_REAL, &it, NULL);
		}
	}
	/* all done: wait to be killed */
	if (trace)
		fprintf(stderr, "%ld persistence barriers\n", persist_count);
	pause();
	_exit(0);
}

/* ---- checking ------------------------------------------------------------ */


/* Compares the pool's tree with the model; returns a description of the
 * first difference, or NULL. */
/* the entry's attributes are exactly the model's */
static const char *compare_xattrs(pf_pool *pool, struct ent *e)
{
	static char why[512];
	static unsigned char want[20000], got[20000];
	size_t total = 0;
	for (int x = 0; x < NX; x++) {
		char name[16];
		snprintf(name, sizeof(name), "user.x%d", x);
		ssize_t n = pf_getxattrat(pool, &ROOT, NULL, e->path, 0, name,
					  got, sizeof(got));
		if (!e->xhas[x]) {
			if (n != -ENODATA) {
				snprintf(why, sizeof(why),
					 "%s: %s is there (%zd)", e->path, name,
					 n);
				return why;
			}
			continue;
		}
		total += strlen(name) + 1;
		pft_pattern(want, e->xlen[x], e->xseed[x], 0);
		if (n != (ssize_t)e->xlen[x] || memcmp(want, got, e->xlen[x])) {
			snprintf(why, sizeof(why),
				 "%s: %s differs (%zd bytes, "
				 "expected %zu)",
				 e->path, name, n, e->xlen[x]);
			return why;
		}
	}
	ssize_t l = pf_listxattrat(pool, &ROOT, NULL, e->path, 0, NULL, 0);
	if (l != (ssize_t)total) {
		snprintf(why, sizeof(why),
			 "%s: attribute list of %zd bytes, "
			 "expected %zu",
			 e->path, l, total);
		return why;
	}
	return NULL;
}

static const char *compare(pf_pool *pool, struct model *m)
{
	static char why[512];
	/* every model entry exists with its type and content */
	for (int i = 0; i < m->n; i++) {
		struct ent *e = &m->e[i];
		struct pf_stat st;
		int r = pf_fstatat(pool, &ROOT, NULL, e->path, &st,
				   AT_SYMLINK_NOFOLLOW);
		if (r) {
			snprintf(why, sizeof(why), "%s: missing (%d)", e->path,
				 r);
			return why;
		}
		if (e->dir != S_ISDIR(st.mode)) {
			snprintf(why, sizeof(why), "%s: wrong type", e->path);
			return why;
		}
		const char *xwhy = compare_xattrs(pool, e);
		if (xwhy)
			return xwhy;
		if (e->dir)
			continue;
		if (st.size != e->len) {
			snprintf(why, sizeof(why), "%s: size %ju, expected "
				 "%zu", e->path, (uintmax_t)st.size, e->len);
			return why;
		}
		pf_file *f;
		if (pf_openat(pool, &ROOT, NULL, e->path, O_RDONLY, 0, &f)) {
			snprintf(why, sizeof(why), "%s: open", e->path);
			return why;
		}
		unsigned char *buf = malloc(e->len + 1);
		ssize_t n = pf_pread(pool, f, buf, e->len + 1, 0);
		pf_close(f);
		int same = n == (ssize_t)e->len &&
			   memcmp(buf, e->data, e->len) == 0;
		free(buf);
		if (!same) {
			snprintf(why, sizeof(why), "%s: content differs",
				 e->path);
			return why;
		}
	}
	/* and nothing else exists: count entries with a tree walk */
	int count = 0;
	char stack[MAXENT + 1][128];
	int sp = 0;
	stack[sp++][0] = 0;
	while (sp) {
		char dir[128];
		snprintf(dir, sizeof(dir), "%s", stack[--sp]);
		pf_file *d;
		if (pf_openat(pool, &ROOT, NULL, dir[0] ? dir : "/",
			      O_RDONLY | O_DIRECTORY, 0, &d)) {
			snprintf(why, sizeof(why), "%s: can not list", dir);
			return why;
		}
		char buf[8192];
		ssize_t r;
		while ((r = pf_getdents64(pool, d, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < r;) {
				struct pf_dirent64 *de = (void *)(buf + off);
				off += de->d_reclen;
				if (!strcmp(de->d_name, ".") ||
				    !strcmp(de->d_name, ".."))
					continue;
				char p[300];
				snprintf(p, sizeof(p), "%s/%s", dir,
					 de->d_name);
				if (find(m, p) < 0) {
					pf_close(d);
					snprintf(why, sizeof(why),
						 "%s: should not exist", p);
					return why;
				}
				count++;
				if (de->d_type == DT_DIR && sp <= MAXENT)
					setpath(stack[sp++], 128, p);
			}
		}
		pf_close(d);
	}
	if (count != m->n) {
		snprintf(why, sizeof(why), "%d entries, expected %d", count,
			 m->n);
		return why;
	}
	return NULL;
}

static void fsck_report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "fsck: %s\n", msg);
}

static int nops = 300;

static int round_(int round, uint64_t seed, int by_hook)
{
	char path[300];
	snprintf(path, sizeof(path), "%s.r%d", pft_pool_path, round);
	char msg[256] = "";
	int r = pf_pool_create(path, 32u << 20, 0, msg, sizeof(msg));
	if (r)
		pft_fail(__FILE__, __LINE__, "create %s: %d %s", path, r, msg);

	uint64_t prng = seed * 31 + 7;
	prng ^= prng << 13;
	prng ^= prng >> 7;
	long kill_at = -1, timer_us = 0;
	int timer_after_op = -1;
	if (by_hook) {
		/* about one barrier per operation (a TX commit; an append
		 * has two: its data, then its size) */
		kill_at = 1 + (long)(prng % (uint64_t)(nops + nops / 10));
	} else {
		timer_after_op = (int)(prng % (uint64_t)nops);
		timer_us = (long)((prng >> 20) % 3000);
	}

	int pfd[2];
	CHECK(pipe(pfd) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		child(path, seed, nops, kill_at, timer_after_op, timer_us,
		      pfd[1]);
	}
	close(pfd[1]);
	struct ack a;
	int acked = 0, killed = 0;
	ssize_t n;
	while ((n = read(pfd[0], &a, sizeof(a))) == sizeof(a)) {
		if (a.index < 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			struct model fm = { .rng = seed };
			struct op fop;
			for (int i = 0; i <= -a.index - 1; i++) {
				next_op(&fm, &fop);
				if (i < -a.index - 1)
					apply(&fm, &fop);
			}
			size_t bytes = 0;
			for (int i = 0; i < fm.n; i++)
				bytes += fm.e[i].len;
			pft_fail(__FILE__, __LINE__, "round %d (seed %ju): op "
				 "%d (%s %s %s %zu) failed in the child: %d; "
				 "%d entries, %zu bytes of data", round,
				 (uintmax_t)seed, -a.index - 1,
				 op_names[fop.kind], fop.a, fop.b, fop.len,
				 a.err, fm.n, bytes);
		}
		acked = a.index + 1;
		if (!killed && acked == nops) {
			/* it survived the whole sequence: kill it idle */
			kill(pid, SIGKILL);
			killed = 1;
		}
	}
	close(pfd[0]);
	int status;
	waitpid(pid, &status, 0);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		pft_fail(__FILE__, __LINE__, "round %d: child status 0x%x",
			 round, status);

	/* models after `acked` and after `acked + 1` operations */
	struct model m = { .rng = seed }, m1;
	struct op op;
	for (int i = 0; i < acked; i++) {
		next_op(&m, &op);
		apply(&m, &op);
	}
	model_copy(&m1, &m);
	next_op(&m1, &op);
	apply(&m1, &op);

	r = pf_fsck(path, fsck_report, NULL);
	if (r != 0)
		pft_fail(__FILE__, __LINE__, "round %d (seed %ju, %d ops "
			 "acknowledged, next %s %s): fsck found %d problems",
			 round, (uintmax_t)seed, acked, op_names[op.kind],
			 op.a, r);
	pf_pool *pool;
	r = pf_pool_open(path, 0, &pool, msg, sizeof(msg));
	if (r)
		pft_fail(__FILE__, __LINE__, "round %d: open: %d %s", round, r,
			 msg);
	const char *d0 = compare(pool, &m);
	const char *why0 = d0 ? strdup(d0) : NULL;
	const char *d1 = d0 ? compare(pool, &m1) : NULL;
	if (d0 && d1)
		pft_fail(__FILE__, __LINE__, "round %d (seed %ju, %d ops "
			 "acknowledged, in flight: %s %s %s): after %d ops: "
			 "%s; after %d: %s", round, (uintmax_t)seed, acked,
			 op_names[op.kind], op.a, op.b, acked, why0,
			 acked + 1, d1);
	/* the pool still works after recovery */
	pf_file *f;
	OK(pf_openat(pool, &ROOT, NULL, "/after-crash", O_CREAT | O_RDWR,
		     0644, &f));
	EQ(5, pf_write(pool, &ROOT, f, "alive", 5));
	pf_close(f);
	pf_pool_close(pool);
	EQ(0, pf_fsck(path, fsck_report, NULL));
	model_free(&m);
	model_free(&m1);
	unlink(path);
	return acked;
}

static void killed_at_random_points(void)
{
	const char *e = getenv("PF_CRASH_ROUNDS");
	int rounds = e && atoi(e) > 0 ? atoi(e) : 20;
	const char *o = getenv("PF_CRASH_OPS");
	if (o && atoi(o) > 0)
		nops = atoi(o);
	const char *s = getenv("PF_CRASH_SEED");
	uint64_t base = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
	printf("PF_CRASH_SEED=%ju PF_CRASH_ROUNDS=%d\n", (uintmax_t)base,
	       rounds);
	long total = 0;
	int mid = 0;
	for (int i = 0; i < rounds; i++) {
		uint64_t seed = base * 1000003u + (uint64_t)i + 1;
		int acked = round_(i, seed, i % 2);
		if (getenv("PF_CRASH_TRACE"))
			fprintf(stderr, "round %d (%s): %d acknowledged\n", i,
				i % 2 ? "barrier" : "timer", acked);
		total += acked;
		mid += acked < nops;
	}
	printf("%d rounds (%d killed before the end of the sequence), %ld "
	       "acknowledged operations verified\n", rounds, mid, total);
}

PFT_MAIN({ "killed_at_random_points", killed_at_random_points, PFT_NOPOOL,
	   600 })
