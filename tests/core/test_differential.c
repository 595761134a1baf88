/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential test: the same random sequence of operations runs on the
 * pool (as ROOT) and natively, as root, on a tmpfs directory in /dev/shm.
 * Every result (value or errno) must match, and so must the trees (names,
 * types, sizes, link counts, modes, file contents, symlink targets),
 * checked every 50 operations and after reopening the pool.
 * PF_DIFF_SEED and PF_DIFF_OPS (default 4000) replay or lengthen a run.
 */
#define _GNU_SOURCE
#include "pftest.h"

#include <dirent.h>
#include <stdarg.h>
#include <linux/fs.h>
#include <sys/syscall.h>

static int nat;                  /* native root directory fd */

static const char *names[] = {
	"a", "b", "c", "d", "e", "d/a", "d/x", "d/y", "d/e", "d/e/z", "d/e/w",
	"e/a", "e/q", "l", "d/l", "a/", "d/", "d/e/", "d/./x", "d/e/../y",
	"d/../b", "l/x", "d/l/a", "d/e/z/..", "x/y",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static const char *targets[] = {
	"a", "d", "d/e", "nowhere", "d/../a", "e", "l", "x", "d/l", "e/a",
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

enum { D_OPEN, D_MKDIR, D_RMDIR, D_UNLINK, D_RENAME, D_LINK, D_SYMLINK,
       D_READLINK, D_TRUNCATE, D_STAT, D_CHMOD, D_MKNOD, D_WRITE, D_NR };
static const char *opname[] = { "open", "mkdir", "rmdir", "unlink",
				"rename", "link", "symlink", "readlink",
				"truncate", "stat", "chmod", "mknod",
				"write" };

struct dop {
	int kind;
	const char *a, *b;
	int flags;
	long arg;
};

static const int open_flags[] = {
	O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_CREAT | O_EXCL,
	O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_APPEND, O_PATH,
};

static void gen(struct dop *op)
{
	memset(op, 0, sizeof(*op));
	op->kind = (int)(rnd() % D_NR);
	op->a = names[rnd() % NNAMES];
	op->b = names[rnd() % NNAMES];
	switch (op->kind) {
	case D_OPEN:
		op->flags = open_flags[rnd() % 3];
		for (int i = 0; i < 2; i++)
			op->flags |= open_flags[3 + rnd() % 7];
		if (op->flags & O_PATH)
			op->flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW;
		break;
	case D_RENAME: {
		static const unsigned fl[] = { 0, 0, RENAME_NOREPLACE,
					       RENAME_EXCHANGE };
		op->flags = (int)fl[rnd() % 4];
		break;
	}
	case D_LINK:
		op->flags = rnd() % 2 ? AT_SYMLINK_FOLLOW : 0;
		break;
	case D_SYMLINK:
		/* (no target is "." or climbs with "..": through a
		 * symlinked directory it could leave the pool, which the
		 * core answers with PF_ESCAPED) */
		op->b = targets[rnd() % NTARGETS];
		break;
	case D_TRUNCATE:
		op->arg = (long)(rnd() % 3 ? rnd() % 9000 : 0);
		break;
	case D_STAT:
		op->flags = rnd() % 2 ? AT_SYMLINK_NOFOLLOW : 0;
		break;
	case D_CHMOD:
		op->arg = (long)(rnd() % 07777);
		break;
	case D_MKNOD:
		/* sockets only: a native open of a FIFO would block, while
		 * the core answers ENXIO for both kinds */
		op->arg = S_IFSOCK;
		break;
	case D_WRITE:
		op->arg = (long)(rnd() % 20000);
		op->flags = (int)(rnd() % 5000);
		break;
	}
}

/* Result of an operation: a value or -errno, plus what it observed. */
struct res {
	long ret;
	char obs[256];
};

static long err(long r)
{
	return r < 0 ? -errno : r;
}

static void fill(char *buf, size_t len, long seed)
{
	pft_pattern(buf, len, (uint64_t)seed, 0);
}

static void stat_obs(char *obs, size_t n, mode_t mode, uint64_t size,
		     uint64_t nlink)
{
	snprintf(obs, n, "mode %o size %ju nlink %ju", mode,
		 S_ISDIR(mode) ? 0 : (uintmax_t)size, (uintmax_t)nlink);
}

static struct res run_native(const struct dop *op)
{
	struct res r = { 0, "" };
	char buf[PF_PATH_MAX];
	struct stat st;
	int fd;
	switch (op->kind) {
	case D_OPEN:
		fd = openat(nat, op->a, op->flags | O_CLOEXEC, 0644);
		r.ret = fd < 0 ? -errno : 0;
		if (fd >= 0) {
			fstat(fd, &st);
			stat_obs(r.obs, sizeof(r.obs), st.st_mode,
				 (uint64_t)st.st_size, st.st_nlink);
			close(fd);
		}
		break;
	case D_MKDIR:
		r.ret = err(mkdirat(nat, op->a, 0755));
		break;
	case D_RMDIR:
		r.ret = err(unlinkat(nat, op->a, AT_REMOVEDIR));
		break;
	case D_UNLINK:
		r.ret = err(unlinkat(nat, op->a, 0));
		break;
	case D_RENAME:
		r.ret = err(syscall(SYS_renameat2, nat, op->a, nat, op->b,
				    op->flags));
		break;
	case D_LINK:
		r.ret = err(linkat(nat, op->a, nat, op->b, op->flags));
		break;
	case D_SYMLINK:
		r.ret = err(symlinkat(op->b, nat, op->a));
		break;
	case D_READLINK:
		r.ret = err(readlinkat(nat, op->a, buf, sizeof(buf)));
		if (r.ret > 0)
			snprintf(r.obs, sizeof(r.obs), "%.*s", (int)r.ret, buf);
		break;
	case D_TRUNCATE: {
		/* truncate(2) has no *at form: go through the dirfd */
		char p[PF_PATH_MAX + 64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", nat, op->a);
		r.ret = err(truncate(p, op->arg));
		break;
	}
	case D_STAT:
		r.ret = err(fstatat(nat, op->a, &st, op->flags));
		if (r.ret == 0)
			stat_obs(r.obs, sizeof(r.obs), st.st_mode,
				 (uint64_t)st.st_size, st.st_nlink);
		break;
	case D_CHMOD:
		r.ret = err(fchmodat(nat, op->a, (mode_t)op->arg, 0));
		break;
	case D_MKNOD:
		r.ret = err(mknodat(nat, op->a, (mode_t)op->arg | 0644, 0));
		break;
	case D_WRITE: {
		fd = openat(nat, op->a, O_WRONLY | O_CLOEXEC);
		r.ret = fd < 0 ? -errno : 0;
		if (fd >= 0) {
			char *data = malloc((size_t)op->flags + 1);
			fill(data, (size_t)op->flags, op->arg);
			r.ret = err(pwrite(fd, data, (size_t)op->flags,
					   op->arg));
			free(data);
			close(fd);
		}
		break;
	}
	}
	return r;
}

static struct res run_pool(const struct dop *op)
{
	struct res r = { 0, "" };
	char buf[PF_PATH_MAX];
	struct pf_stat st;
	pf_file *f;
	switch (op->kind) {
	case D_OPEN:
		r.ret = pf_openat(P, &ROOT, NULL, op->a, op->flags, 0644, &f);
		if (r.ret == 0) {
			pf_fstat(P, f, &st);
			stat_obs(r.obs, sizeof(r.obs), st.mode, st.size,
				 st.nlink);
			pf_close(f);
		}
		break;
	case D_MKDIR:
		r.ret = pf_mkdirat(P, &ROOT, NULL, op->a, 0755);
		break;
	case D_RMDIR:
		r.ret = pf_unlinkat(P, &ROOT, NULL, op->a, AT_REMOVEDIR);
		break;
	case D_UNLINK:
		r.ret = pf_unlinkat(P, &ROOT, NULL, op->a, 0);
		break;
	case D_RENAME:
		r.ret = pf_renameat2(P, &ROOT, NULL, op->a, NULL, op->b,
				     (unsigned)op->flags);
		break;
	case D_LINK:
		r.ret = pf_linkat(P, &ROOT, NULL, op->a, NULL, op->b,
				  op->flags);
		break;
	case D_SYMLINK:
		r.ret = pf_symlinkat(P, &ROOT, op->b, NULL, op->a);
		break;
	case D_READLINK:
		r.ret = pf_readlinkat(P, &ROOT, NULL, op->a, buf, sizeof(buf));
		if (r.ret > 0)
			snprintf(r.obs, sizeof(r.obs), "%.*s", (int)r.ret, buf);
		break;
	case D_TRUNCATE:
		r.ret = pf_truncate(P, &ROOT, NULL, op->a, op->arg);
		break;
	case D_STAT:
		r.ret = pf_fstatat(P, &ROOT, NULL, op->a, &st, op->flags);
		if (r.ret == 0)
			stat_obs(r.obs, sizeof(r.obs), st.mode, st.size,
				 st.nlink);
		break;
	case D_CHMOD:
		r.ret = pf_fchmodat(P, &ROOT, NULL, op->a, (mode_t)op->arg, 0);
		break;
	case D_MKNOD:
		r.ret = pf_mknodat(P, &ROOT, NULL, op->a,
				   (mode_t)op->arg | 0644, 0);
		break;
	case D_WRITE:
		r.ret = pf_openat(P, &ROOT, NULL, op->a, O_WRONLY, 0, &f);
		if (r.ret == 0) {
			char *data = malloc((size_t)op->flags + 1);
			fill(data, (size_t)op->flags, op->arg);
			r.ret = pf_pwrite(P, &ROOT, f, data, (size_t)op->flags,
					  op->arg);
			free(data);
			pf_close(f);
		}
		break;
	}
	return r;
}

/* ---- whole-tree comparison ------------------------------------------------ */

struct tree {
	char *text;
	size_t len, cap;
};

static void tree_add(struct tree *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void tree_add(struct tree *t, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->text = realloc(t->text, t->cap);
	}
	memcpy(t->text + t->len, line, (size_t)n + 1);
	t->len += (size_t)n;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static void walk_native(struct tree *t, const char *dir)
{
	int fd = openat(nat, dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY |
			O_CLOEXEC);
	CHECK(fd >= 0);
	DIR *d = fdopendir(fd);
	char *list[256];
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    n < 256)
			list[n++] = strdup(e->d_name);
	closedir(d);
	qsort(list, (size_t)n, sizeof(*list), cmp_names);
	for (int i = 0; i < n; i++) {
		char p[512];
		snprintf(p, sizeof(p), "%s%s%s", dir, dir[0] ? "/" : "",
			 list[i]);
		struct stat st;
		CHECK(fstatat(nat, p, &st, AT_SYMLINK_NOFOLLOW) == 0);
		tree_add(t, "%s %o %ju", p, st.st_mode,
			 (uintmax_t)st.st_nlink);
		if (S_ISREG(st.st_mode)) {
			int f = openat(nat, p, O_RDONLY | O_CLOEXEC);
			unsigned char *buf = malloc((size_t)st.st_size + 1);
			CHECK(read(f, buf, (size_t)st.st_size + 1) ==
			      st.st_size);
			close(f);
			tree_add(t, " %jd %016jx", (intmax_t)st.st_size,
				 (uintmax_t)checksum(buf, (size_t)st.st_size));
			free(buf);
		} else if (S_ISLNK(st.st_mode)) {
			char l[PF_PATH_MAX];
			ssize_t k = readlinkat(nat, p, l, sizeof(l));
			tree_add(t, " -> %.*s", (int)k, l);
		}
		tree_add(t, "\n");
		if (S_ISDIR(st.st_mode))
			walk_native(t, p);
		free(list[i]);
	}
}

static void walk_pool(struct tree *t, const char *dir)
{
	pf_file *d = OPEN(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY, 0);
	char *list[256];
	int n = 0;
	char buf[8192];
	ssize_t r;
	while ((r = pf_getdents64(P, d, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < r;) {
			struct pft_dirent *e = (void *)(buf + off);
			off += e->d_reclen;
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    n < 256)
				list[n++] = strdup(e->d_name);
		}
	pf_close(d);
	qsort(list, (size_t)n, sizeof(*list), cmp_names);
	for (int i = 0; i < n; i++) {
		char p[512];
		snprintf(p, sizeof(p), "%s%s%s", dir, dir[0] ? "/" : "",
			 list[i]);
		struct pf_stat st = LSTAT(p);
		tree_add(t, "%s %o %ju", p, st.mode, (uintmax_t)st.nlink);
		if (S_ISREG(st.mode)) {
			size_t len;
			char *data = GET(p, &len);
			tree_add(t, " %jd %016jx", (intmax_t)len,
				 (uintmax_t)checksum((unsigned char *)data,
						     len));
			free(data);
		} else if (S_ISLNK(st.mode)) {
			char l[PF_PATH_MAX];
			ssize_t k = pf_readlinkat(P, &ROOT, NULL, p, l,
						  sizeof(l));
			tree_add(t, " -> %.*s", (int)k, l);
		}
		tree_add(t, "\n");
		if (S_ISDIR(st.mode))
			walk_pool(t, p);
		free(list[i]);
	}
}

static void compare_trees(int step)
{
	struct tree a = { 0 }, b = { 0 };
	tree_add(&a, "%s", "");
	tree_add(&b, "%s", "");
	walk_native(&a, "");
	walk_pool(&b, "");
	if (strcmp(a.text, b.text) != 0)
		pft_fail(__FILE__, __LINE__, "after %d operations the trees "
			 "differ:\n--- native:\n%s--- pool:\n%s", step, a.text,
			 b.text);
	free(a.text);
	free(b.text);
}

static void random_sequences(void)
{
	const char *s = getenv("PF_DIFF_SEED");
	uint64_t seed = s ? strtoull(s, NULL, 0) : (uint64_t)time(NULL);
	const char *o = getenv("PF_DIFF_OPS");
	int nops = o && atoi(o) > 0 ? atoi(o) : 4000;
	printf("PF_DIFF_SEED=%ju PF_DIFF_OPS=%d\n", (uintmax_t)seed, nops);
	rng = seed * 2654435761u + 1;
	const char *dir = pft_side_path("native");
	CHECK(mkdir(dir, 0755) == 0);
	nat = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(nat >= 0);
	umask(0);
	int mismatches = 0;
	for (int i = 0; i < nops; i++) {
		struct dop op;
		gen(&op);
		struct res n = run_native(&op), p = run_pool(&op);
		if (n.ret != p.ret || strcmp(n.obs, p.obs) != 0) {
			const char *ne = n.ret < 0 ? strerrorname_np((int)-n.ret)
						   : "";
			const char *pe = p.ret < 0 && p.ret > -4096 ?
				strerrorname_np((int)-p.ret) : "";
			fprintf(stderr, "op %d: %s(\"%s\", \"%s\", flags 0%o, "
				"%ld): native %ld %s [%s], pool %ld %s [%s]\n",
				i, opname[op.kind], op.a, op.b, op.flags,
				op.arg, n.ret, ne ? ne : "", n.obs, p.ret,
				pe ? pe : "", p.obs);
			/* an operation that changed one side only makes the
			 * trees differ: stop there */
			if (++mismatches >= 10 || n.ret >= 0 || p.ret >= 0)
				break;
			continue;
		}
		if (!mismatches && i % 50 == 49)
			compare_trees(i + 1);
	}
	if (mismatches)
		pft_fail(__FILE__, __LINE__, "%d result mismatches (first "
			 "above); replay with PF_DIFF_SEED=%ju", mismatches,
			 (uintmax_t)seed);
	compare_trees(nops);
	pft_reopen();
	compare_trees(nops);
	close(nat);
}

PFT_MAIN({ "random_sequences", random_sequences, 0, 120 })
