/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Differential test: the same random sequence of operations runs on the
 * pool (as ROOT) and natively, as root, on a tmpfs directory in /dev/shm.
 * Every result (value or errno) must match, and so must the trees (names,
 * types, sizes, link counts, modes, file contents, symlink targets),
 * checked every 50 operations and after reopening the pool.
 * PF_DIFF_SEED and PF_DIFF_OPS (default 4000) replay or lengthen a run;
 * PF_DIFF_TRACE=1 prints every operation before it runs; PF_DIFF_SKIP
 * ("rename,chown") leaves out kinds of operations, to look past a known
 * difference.
 */
#define _GNU_SOURCE
#include "pftest.h"

#include <dirent.h>
#include <stdarg.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <grp.h>
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
       D_READLINK, D_TRUNCATE, D_STAT, D_CHMOD, D_MKNOD, D_WRITE, D_CHOWN,
       D_UTIMES, D_ACCESS, D_FALLOC, D_NR };
static const char *opname[] = { "open", "mkdir", "rmdir", "unlink",
				"rename", "link", "symlink", "readlink",
				"truncate", "stat", "chmod", "mknod",
				"write", "chown", "utimes", "access",
				"fallocate" };
static int with_users;           /* the case runs ops as other users too */

struct dop {
	int who;                /* 0: root; 1: 1000:1000; 2: 1001:1001 */
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
	op->kind = (int)(rnd() % (with_users ? D_NR : D_CHOWN + 1));
	if (!with_users && op->kind == D_CHOWN)
		op->kind = D_FALLOC;
	op->who = with_users ? (int)(rnd() % 3) : 0;
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
		/* as root only: fs.protected_hardlinks adds its own checks */
		op->who = 0;
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
		/* no sticky bit: Linux's fs.protected_* sysctls would then
		 * add checks that are not the file system's */
		if (with_users)
			op->arg &= ~(long)S_ISVTX;
		break;
	case D_CHOWN: {
		static const long ids[] = { 0, 1000, 1001, -1 };
		op->arg = ids[rnd() % 4];
		op->flags = (int)ids[rnd() % 4];
		break;
	}
	case D_UTIMES:
		op->arg = (long)(rnd() % 3);    /* NULL, explicit, NOW+OMIT */
		break;
	case D_ACCESS:
		op->arg = (long)(rnd() % 8);
		break;
	case D_FALLOC: {
		/* the modes tmpfs has too */
		static const int modes[] = { 0, FALLOC_FL_KEEP_SIZE,
					     FALLOC_FL_PUNCH_HOLE |
					     FALLOC_FL_KEEP_SIZE };
		op->flags = modes[rnd() % 3];
		op->arg = (long)(rnd() % 20000);        /* offset */
		op->b = (const char *)(uintptr_t)(rnd() % 20000 + 1); /* len */
		break;
	}
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

static const uint32_t who_uid[] = { 0, 1000, 1001 };

/* fs ids of this thread (raw syscalls: glibc has no per-thread form) */
static void become(int who)
{
	syscall(SYS_setfsgid, who_uid[who]);
	syscall(SYS_setfsuid, who_uid[who]);
}

static struct timespec fixed_times[2] = { { 1000, 5 }, { 2000, 7 } };
static const struct timespec now_omit[2] = { { 0, UTIME_NOW },
					     { 0, UTIME_OMIT } };

static struct res run_native_as(const struct dop *op);
static struct res run_native(const struct dop *op)
{
	become(op->who);
	struct res r = run_native_as(op);
	become(0);
	return r;
}

static struct res run_native_as(const struct dop *op)
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
	case D_CHOWN:
		r.ret = err(fchownat(nat, op->a, (uid_t)op->arg,
				     (gid_t)op->flags, 0));
		break;
	case D_UTIMES:
		r.ret = err(utimensat(nat, op->a, op->arg == 0 ? NULL :
				      op->arg == 1 ? fixed_times : now_omit,
				      0));
		break;
	case D_FALLOC:
		fd = openat(nat, op->a, O_WRONLY | O_CLOEXEC);
		r.ret = fd < 0 ? -errno : 0;
		if (fd >= 0) {
			r.ret = err(fallocate(fd, op->flags, op->arg,
					      (off_t)(uintptr_t)op->b));
			close(fd);
		}
		break;
	case D_ACCESS:
		/* AT_EACCESS: check with the fs ids set by become() */
		r.ret = err(faccessat(nat, op->a, (int)op->arg, AT_EACCESS));
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
	struct pf_caller user = pft_user(who_uid[op->who], who_uid[op->who]);
	struct pf_caller *c = op->who ? &user : &ROOT;
	switch (op->kind) {
	case D_OPEN:
		r.ret = pf_openat(P, c, NULL, op->a, op->flags, 0644, &f);
		if (r.ret == 0) {
			pf_fstat(P, f, &st);
			stat_obs(r.obs, sizeof(r.obs), st.mode, st.size,
				 st.nlink);
			pf_close(f);
		}
		break;
	case D_MKDIR:
		r.ret = pf_mkdirat(P, c, NULL, op->a, 0755);
		break;
	case D_RMDIR:
		r.ret = pf_unlinkat(P, c, NULL, op->a, AT_REMOVEDIR);
		break;
	case D_UNLINK:
		r.ret = pf_unlinkat(P, c, NULL, op->a, 0);
		break;
	case D_RENAME:
		r.ret = pf_renameat2(P, c, NULL, op->a, NULL, op->b,
				     (unsigned)op->flags);
		break;
	case D_LINK:
		r.ret = pf_linkat(P, c, NULL, op->a, NULL, op->b,
				  op->flags);
		break;
	case D_SYMLINK:
		r.ret = pf_symlinkat(P, c, op->b, NULL, op->a);
		break;
	case D_READLINK:
		r.ret = pf_readlinkat(P, c, NULL, op->a, buf, sizeof(buf));
		if (r.ret > 0)
			snprintf(r.obs, sizeof(r.obs), "%.*s", (int)r.ret, buf);
		break;
	case D_TRUNCATE:
		r.ret = pf_truncate(P, c, NULL, op->a, op->arg);
		break;
	case D_STAT:
		r.ret = pf_fstatat(P, c, NULL, op->a, &st, op->flags);
		if (r.ret == 0)
			stat_obs(r.obs, sizeof(r.obs), st.mode, st.size,
				 st.nlink);
		break;
	case D_CHMOD:
		r.ret = pf_fchmodat(P, c, NULL, op->a, (mode_t)op->arg, 0);
		break;
	case D_MKNOD:
		r.ret = pf_mknodat(P, c, NULL, op->a,
				   (mode_t)op->arg | 0644, 0);
		break;
	case D_CHOWN:
		r.ret = pf_fchownat(P, c, NULL, op->a, (uint32_t)op->arg,
				    (uint32_t)op->flags, 0);
		break;
	case D_UTIMES:
		r.ret = pf_utimensat(P, c, NULL, op->a, op->arg == 0 ? NULL :
				     op->arg == 1 ? fixed_times : now_omit, 0);
		break;
	case D_ACCESS:
		r.ret = pf_faccessat(P, c, NULL, op->a, (int)op->arg,
				     AT_EACCESS);
		break;
	case D_FALLOC:
		r.ret = pf_openat(P, c, NULL, op->a, O_WRONLY, 0, &f);
		if (r.ret == 0) {
			r.ret = pf_fallocate(P, c, f, op->flags, op->arg,
					     (off_t)(uintptr_t)op->b);
			pf_close(f);
		}
		break;
	case D_WRITE:
		r.ret = pf_openat(P, c, NULL, op->a, O_WRONLY, 0, &f);
		if (r.ret == 0) {
			char *data = malloc((size_t)op->flags + 1);
			fill(data, (size_t)op->flags, op->arg);
			r.ret = pf_pwrite(P, c, f, data, (size_t)op->flags,
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
		tree_add(t, "%s %o %ju %u:%u", p, st.st_mode,
			 (uintmax_t)st.st_nlink, st.st_uid, st.st_gid);
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
			struct pf_dirent64 *e = (void *)(buf + off);
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
		tree_add(t, "%s %o %ju %u:%u", p, st.mode, (uintmax_t)st.nlink,
			 st.uid, st.gid);
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

static void run_sequences(void)
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
	int mismatches = 0, trace = getenv("PF_DIFF_TRACE") != NULL;
	const char *skip = getenv("PF_DIFF_SKIP");     /* "rename,chown" */
	for (int i = 0; i < nops; i++) {
		struct dop op;
		gen(&op);
		if (skip && strstr(skip, opname[op.kind]))
			continue;
		if (trace)
			fprintf(stderr, "op %d: uid %u %s(\"%s\", \"%s\", 0%o, "
				"%ld)\n", i, who_uid[op.who], opname[op.kind],
				op.a, op.kind == D_FALLOC ? "(len)" : op.b,
				op.flags, op.arg);
		struct res n = run_native(&op), p = run_pool(&op);
		if (n.ret != p.ret || strcmp(n.obs, p.obs) != 0) {
			const char *ne = n.ret < 0 ? strerrorname_np((int)-n.ret)
						   : "";
			const char *pe = p.ret < 0 && p.ret > -4096 ?
				strerrorname_np((int)-p.ret) : "";
			fprintf(stderr, "op %d: uid %u %s(\"%s\", \"%s\", flags "
				"0%o, %ld): native %ld %s [%s], pool %ld %s "
				"[%s]\n", i, who_uid[op.who], opname[op.kind],
				op.a, op.kind == D_FALLOC ? "(len)" : op.b,
				op.flags,
				op.arg, n.ret, ne ? ne : "", n.obs, p.ret,
				pe ? pe : "", p.obs);
			/* what the first name is, on each side */
			struct stat ns;
			struct pf_stat ps;
			if (fstatat(nat, op.a, &ns, AT_SYMLINK_NOFOLLOW) == 0)
				fprintf(stderr, "  native %s: mode %o %u:%u\n",
					op.a, ns.st_mode, ns.st_uid,
					ns.st_gid);
			if (pf_fstatat(P, &ROOT, NULL, op.a, &ps,
				       AT_SYMLINK_NOFOLLOW) == 0)
				fprintf(stderr, "  pool   %s: mode %o %u:%u\n",
					op.a, ps.mode, ps.uid, ps.gid);
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

static void random_sequences(void)
{
	with_users = 0;
	run_sequences();
}

/* The same, with chown/utimensat/faccessat and each operation done as
 * root or as one of two users (natively with setfsuid/setfsgid). */
static void random_sequences_as_users(void)
{
	with_users = 1;
	CHECK(setgroups(0, NULL) == 0);
	run_sequences();
}

PFT_MAIN({ "random_sequences", random_sequences, 0, 120 },
	 { "random_sequences_as_users", random_sequences_as_users, 0, 120 })
