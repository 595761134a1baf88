/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pftest: the tiny harness of the core's unit tests.
 *
 * Each test executable is a table of cases. Every case runs in its own
 * forked child with a fresh pool (/dev/shm/pf-test-<prog>-<pid>-<n>) opened
 * in the global P, so a failed assertion, a crash or a hang (alarm) in one
 * case does not hide the others. An assertion failure prints
 * file:line, the expression, expected and got (with errno names) and exits
 * the child with status 1. The executable exits non-zero if any case
 * failed. Run one case with `./test-xxx case_name`.
 */
#ifndef PFTEST_H
#define PFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pmemfile/core.h>

#define PFT_NOPOOL 0x1          /* the case makes its own pools */
#define PFT_DAMAGES 0x2         /* the case damages its pool: no fsck after */

struct pft_case {
	const char *name;
	void (*fn)(void);
	unsigned flags;
	unsigned timeout;       /* seconds; 0: 60 */
};
#define PFT_CASE(fn) { #fn, fn, 0, 0 }
#define PFT_CASE_NOPOOL(fn) { #fn, fn, PFT_NOPOOL, 0 }
#define PFT_CASE_DAMAGES(fn) { #fn, fn, PFT_DAMAGES, 0 }

int pft_main(int argc, char **argv, const struct pft_case *cases,
	     size_t ncases);
#define PFT_MAIN(...)                                                     \
	int main(int argc, char **argv)                                   \
	{                                                                 \
		static const struct pft_case cases_[] = { __VA_ARGS__ }; \
		return pft_main(argc, argv, cases_,                       \
				sizeof(cases_) / sizeof(cases_[0]));      \
	}

/* The current case's pool, its path, and a size for extra pools. */
extern pf_pool *P;
extern char pft_pool_path[256];
#define PFT_POOL_SIZE (64ull << 20)

/* A path next to the pool (removed with it at the end of the case). */
const char *pft_side_path(const char *suffix);

/* Re-opens the current pool (close + open): checks persistence. */
void pft_reopen(void);

/* ---- assertions ---------------------------------------------------------- */

__attribute__((noreturn, format(printf, 3, 4)))
void pft_fail(const char *file, int line, const char *fmt, ...);
__attribute__((noreturn))
void pft_fail_eq(const char *file, int line, const char *expr,
		 long long expected, long long got);

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond))                                              \
			pft_fail(__FILE__, __LINE__, "CHECK(%s) failed",  \
				 #cond);                                  \
	} while (0)

#define EQ(expected, got)                                                 \
	do {                                                              \
		long long e_ = (long long)(expected);                     \
		long long g_ = (long long)(got);                          \
		if (e_ != g_)                                             \
			pft_fail_eq(__FILE__, __LINE__, #got, e_, g_);    \
	} while (0)

/*
 * EQ for one row of a table of cases (as libseccomp's regression tables:
 * one call, many arguments and errnos); what names the row in a failure.
 */
#define EQ_ROW(what, expected, got)                                            \
	do {                                                                   \
		long long e_ = (long long)(expected);                          \
		long long g_ = (long long)(got);                               \
		if (e_ != g_)                                                  \
			pft_fail_eq(__FILE__, __LINE__, (what), e_, g_);       \
	} while (0)
#define ROWS(t) (sizeof(t) / sizeof((t)[0]))

/* The call returns 0 / a non-negative value / -err. */
#define OK(call) EQ(0, (call))
#define ERR(err, call) EQ(-(err), (call))
#define NONNEG(call)                                                      \
	({                                                                \
		long long v_ = (long long)(call);                         \
		if (v_ < 0)                                               \
			pft_fail_eq(__FILE__, __LINE__, #call, 0, v_);    \
		v_;                                                       \
	})

#define STREQ(expected, got)                                              \
	do {                                                              \
		const char *e_ = (expected), *g_ = (got);                 \
		if (strcmp(e_, g_) != 0)                                  \
			pft_fail(__FILE__, __LINE__,                      \
				 "%s: expected \"%s\", got \"%s\"", #got, \
				 e_, g_);                                 \
	} while (0)

#define MEMEQ(expected, got, len)                                         \
	do {                                                              \
		if (memcmp((expected), (got), (len)) != 0)                \
			pft_fail(__FILE__, __LINE__,                      \
				 "%s: %zu bytes differ from %s", #got,    \
				 (size_t)(len), #expected);               \
	} while (0)

/* ---- callers ------------------------------------------------------------- */

extern struct pf_caller ROOT;           /* uid 0, every capability */
/* An unprivileged caller (no capabilities, no supplementary groups). */
struct pf_caller pft_user(uint32_t uid, uint32_t gid);

/* ---- helpers (they assert success) --------------------------------------- */

#define OPEN(path, flags, mode) \
	pft_open(__FILE__, __LINE__, &ROOT, NULL, (path), (flags), (mode))
#define OPEN_AS(c, path, flags, mode) \
	pft_open(__FILE__, __LINE__, (c), NULL, (path), (flags), (mode))
pf_file *pft_open(const char *file, int line, struct pf_caller *c,
		  pf_file *dir, const char *path, int flags, mode_t mode);

/* Creates (or truncates) path with len bytes of data, mode 0644, as ROOT. */
#define PUT(path, data, len) \
	pft_put(__FILE__, __LINE__, (path), (data), (len))
#define PUTS(path, str) PUT((path), (str), strlen(str))
void pft_put(const char *file, int line, const char *path, const void *data,
	     size_t len);

/* Reads a whole file as ROOT; returns a malloc'd buffer (NUL-terminated). */
#define GET(path, lenp) pft_get(__FILE__, __LINE__, (path), (lenp))
char *pft_get(const char *file, int line, const char *path, size_t *len);

/* The file's contents equal the string. */
#define CONTENT(path, str)                                                \
	do {                                                              \
		size_t l_;                                                \
		char *d_ = GET((path), &l_);                              \
		if (l_ != strlen(str) || memcmp(d_, (str), l_) != 0)      \
			pft_fail(__FILE__, __LINE__,                      \
				 "content of %s: expected \"%s\", got "   \
				 "\"%.*s\"", (path), (str), (int)l_, d_); \
		free(d_);                                                 \
	} while (0)

/* fstatat as ROOT (flags: AT_SYMLINK_NOFOLLOW...). */
#define STAT(path) pft_stat(__FILE__, __LINE__, (path), 0)
#define LSTAT(path) pft_stat(__FILE__, __LINE__, (path), AT_SYMLINK_NOFOLLOW)
struct pf_stat pft_stat(const char *file, int line, const char *path,
			int flags);
/* Whether path exists (lstat as ROOT). */
int pft_exists(const char *path);

#define MKDIR(path) OK(pf_mkdirat(P, &ROOT, NULL, (path), 0755))

/* Every name in a directory (without . and ..), sorted, joined by ' '. */
char *pft_list(const char *path);

/* Fills buf with a deterministic pattern for (seed, offset). */
void pft_pattern(void *buf, size_t len, uint64_t seed, uint64_t offset);

/* Timestamps. */
int pft_ts_cmp(struct timespec a, struct timespec b);
struct timespec pft_now(void);
/* |t - now| below 10 s. */
int pft_recent(struct timespec t);
/* Sets atime and mtime of path (as ROOT, no follow) to fixed old values. */
void pft_set_old_times(const char *path);
#define PFT_OLD_SEC 1000000000 /* 2001-09-09 */
#define IS_OLD(t) ((t).tv_sec == PFT_OLD_SEC && (t).tv_nsec == 0)

#endif
