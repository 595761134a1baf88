/* SPDX-License-Identifier: BSD-3-Clause */
/* pftest: case runner, assertions and helpers (see pftest.h). */
#define _GNU_SOURCE
#include "pftest.h"

#include <ftw.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>

pf_pool *P;
char pft_pool_path[256];
struct pf_caller ROOT = { .fsuid = 0, .fsgid = 0, .caps = ~0ULL };

static const char *current_case = "?";

static const char *errname(long long v)
{
	if (v < 0 && v > -4096) {
		const char *n = strerrorname_np((int)-v);
		return n ? n : "?";
	}
	if (v == -PF_ESCAPED)
		return "PF_ESCAPED";
	return NULL;
}

void pft_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: [%s] ", file, line, current_case);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
	_exit(1);
}

void pft_fail_eq(const char *file, int line, const char *expr,
		 long long expected, long long got)
{
	const char *en = errname(expected), *gn = errname(got);
	char e[64], g[64];
	snprintf(e, sizeof(e), "%lld%s%s%s", expected, en ? " (-" : "",
		 en ? en : "", en ? ")" : "");
	snprintf(g, sizeof(g), "%lld%s%s%s", got, gn ? " (-" : "",
		 gn ? gn : "", gn ? ")" : "");
	pft_fail(file, line, "%s: expected %s, got %s", expr, e, g);
}

const char *pft_side_path(const char *suffix)
{
	static char buf[4][300];
	static int n;
	char *p = buf[n++ % 4];
	snprintf(p, 300, "%s.%s", pft_pool_path, suffix);
	return p;
}

static void open_pool(void)
{
	char msg[256] = "";
	int r = pf_pool_open(pft_pool_path, 0, &P, msg, sizeof(msg));
	if (r)
		pft_fail(__FILE__, __LINE__, "pf_pool_open(%s): %d (%s) %s",
			 pft_pool_path, r, errname(r) ? errname(r) : "",
			 msg);
}

void pft_reopen(void)
{
	pf_pool_close(P);
	P = NULL;
	open_pool();
}

static void fsck_report(void *arg, const char *msg)
{
	(void)arg;
	printf("  fsck: %s\n", msg);
}

static void run_child(const struct pft_case *tc)
{
	alarm(tc->timeout ? tc->timeout : 60);
	if (!(tc->flags & PFT_NOPOOL)) {
		char msg[256] = "";
		int r = pf_pool_create(pft_pool_path, PFT_POOL_SIZE, 0, msg,
				       sizeof(msg));
		if (r)
			pft_fail(__FILE__, __LINE__,
				 "pf_pool_create(%s): %d (%s) %s",
				 pft_pool_path, r,
				 errname(r) ? errname(r) : "", msg);
		open_pool();
	}
	tc->fn();
	if (P)
		pf_pool_close(P);
	P = NULL;
	/* whatever a case did, its pool must be consistent afterwards */
	if (!(tc->flags & (PFT_NOPOOL | PFT_DAMAGES))) {
		int n = pf_fsck(pft_pool_path, fsck_report, NULL);
		if (n != 0)
			pft_fail(__FILE__, __LINE__,
				 "fsck after the case: %d problem(s)", n);
	}
	fflush(stdout);
	_exit(0);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

static void cleanup(void)
{
	char pat[300];
	glob_t g;
	unlink(pft_pool_path);
	snprintf(pat, sizeof(pat), "%s.*", pft_pool_path);
	if (glob(pat, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			nftw(g.gl_pathv[i], rm_one, 16, FTW_DEPTH | FTW_PHYS);
		globfree(&g);
	}
}

int pft_main(int argc, char **argv, const struct pft_case *cases,
	     size_t ncases)
{
	const char *prog = strrchr(argv[0], '/');
	int failed = 0, ran = 0;
	prog = prog ? prog + 1 : argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (size_t i = 0; i < ncases; i++) {
		const struct pft_case *tc = &cases[i];
		int want = argc < 2, status;
		for (int a = 1; a < argc; a++)
			if (strcmp(argv[a], tc->name) == 0)
				want = 1;
		if (!want)
			continue;
		ran++;
		snprintf(pft_pool_path, sizeof(pft_pool_path),
			 "/dev/shm/pf-test-%s-%d-%zu", prog, (int)getpid(), i);
		current_case = tc->name;
		fflush(stdout);
		fflush(stderr);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			run_child(tc);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		cleanup();
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok   %s\n", tc->name);
		} else {
			failed++;
			if (WIFSIGNALED(status))
				printf("FAIL %s (killed by signal %d%s)\n",
				       tc->name, WTERMSIG(status),
				       WTERMSIG(status) == SIGALRM ?
				       ": timeout" : "");
			else
				printf("FAIL %s\n", tc->name);
		}
	}
	printf("%s: %d/%d cases passed\n", prog, ran - failed, ran);
	return failed ? 1 : 0;
}

struct pf_caller pft_user(uint32_t uid, uint32_t gid)
{
	struct pf_caller c = { .fsuid = uid, .fsgid = gid };
	return c;
}

pf_file *pft_open(const char *file, int line, struct pf_caller *c,
		  pf_file *dir, const char *path, int flags, mode_t mode)
{
	pf_file *f = NULL;
	int r = pf_openat(P, c, dir, path, flags, mode, &f);
	if (r != 0)
		pft_fail(file, line, "pf_openat(\"%s\", 0%o): %d (%s)", path,
			 flags, r, errname(r) ? errname(r) : "");
	if (!f)
		pft_fail(file, line, "pf_openat(\"%s\") gave no file", path);
	return f;
}

void pft_put(const char *file, int line, const char *path, const void *data,
	     size_t len)
{
	pf_file *f = pft_open(file, line, &ROOT, NULL, path,
			      O_WRONLY | O_CREAT | O_TRUNC, 0644);
	size_t done = 0;
	while (done < len) {
		ssize_t w = pf_write(P, &ROOT, f, (const char *)data + done,
				     len - done);
		if (w <= 0)
			pft_fail(file, line, "pf_write(%s): %zd (%s)", path, w,
				 errname(w) ? errname(w) : "");
		done += (size_t)w;
	}
	pf_close(f);
}

char *pft_get(const char *file, int line, const char *path, size_t *len)
{
	pf_file *f = pft_open(file, line, &ROOT, NULL, path, O_RDONLY, 0);
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
		ssize_t r = pf_read(P, f, buf + n, cap - n);
		if (r < 0)
			pft_fail(file, line, "pf_read(%s): %zd (%s)", path, r,
				 errname(r) ? errname(r) : "");
		if (r == 0)
			break;
		n += (size_t)r;
	}
	pf_close(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

struct pf_stat pft_stat(const char *file, int line, const char *path,
			int flags)
{
	struct pf_stat st;
	memset(&st, 0xa5, sizeof(st));
	int r = pf_fstatat(P, &ROOT, NULL, path, &st, flags);
	if (r)
		pft_fail(file, line, "pf_fstatat(\"%s\"): %d (%s)", path, r,
			 errname(r) ? errname(r) : "");
	return st;
}

int pft_exists(const char *path)
{
	struct pf_stat st;
	int r = pf_fstatat(P, &ROOT, NULL, path, &st, AT_SYMLINK_NOFOLLOW);
	if (r != 0 && r != -ENOENT)
		pft_fail(__FILE__, __LINE__, "pf_fstatat(\"%s\"): %d", path,
			 r);
	return r == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *pft_list(const char *path)
{
	pf_file *d = pft_open(__FILE__, __LINE__, &ROOT, NULL, path,
			      O_RDONLY | O_DIRECTORY, 0);
	char buf[4096];
	char **names = NULL;
	size_t n = 0, total = 1;
	ssize_t r;
	while ((r = pf_getdents64(P, d, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < r;) {
			struct pf_dirent64 *e = (void *)(buf + off);
			if (e->d_reclen == 0)
				pft_fail(__FILE__, __LINE__, "d_reclen 0");
			off += e->d_reclen;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n++] = strdup(e->d_name);
			total += strlen(e->d_name) + 1;
		}
	}
	if (r < 0)
		pft_fail(__FILE__, __LINE__, "pf_getdents64(%s): %zd", path, r);
	pf_close(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	char *out = calloc(1, total);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, names[i]);
		free(names[i]);
	}
	free(names);
	return out;
}

void pft_pattern(void *buf, size_t len, uint64_t seed, uint64_t offset)
{
	unsigned char *p = buf;
	for (size_t i = 0; i < len; i++) {
		uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull ^ seed;
		x ^= x >> 29;
		p[i] = (unsigned char)(x ^ (x >> 17));
	}
}

int pft_ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	if (a.tv_nsec != b.tv_nsec)
		return a.tv_nsec < b.tv_nsec ? -1 : 1;
	return 0;
}

struct timespec pft_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return t;
}

int pft_recent(struct timespec t)
{
	struct timespec n = pft_now();
	long long d = (long long)n.tv_sec - (long long)t.tv_sec;
	return d > -10 && d < 10;
}

void pft_set_old_times(const char *path)
{
	struct timespec ts[2] = { { PFT_OLD_SEC, 0 }, { PFT_OLD_SEC, 0 } };
	int r = pf_utimensat(P, &ROOT, NULL, path, ts, AT_SYMLINK_NOFOLLOW);
	if (r)
		pft_fail(__FILE__, __LINE__, "pf_utimensat(%s): %d", path, r);
}
