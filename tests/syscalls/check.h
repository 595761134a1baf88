/*
 * check.h: tiny assertion helpers for the syscall-level tests.
 *
 * Every test program takes DIR (the directory under test: the pool's mount
 * point under pmemfile-run, a tmpfs directory natively) and HOST (a host
 * directory outside every pool). PFTEST_POOL=1 in the environment says the
 * program runs under pmemfile-run, for the few checks whose documented
 * answer differs from a native file system (pmemfile(7): EXDEV across the
 * mount, ENODEV for mmap, ENXIO for FIFOs...). The first failed check prints
 * what was expected and what came back, and exits 1.
 */
#ifndef PFTEST_CHECK_H
#define PFTEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

extern const char *g_dir;   /* directory under test */
extern const char *g_host;  /* host directory, outside every pool */
extern int g_pool;          /* running under pmemfile-run */

void pft_init(int argc, char **argv);
/* path(name): "g_dir/name" in one of 8 rotating static buffers (not for
 * use from several threads at once). */
const char *path(const char *name);
/* hpath(name): "g_host/name", same buffers. */
const char *hpath(const char *name);
/* write_file(p, data): create/truncate p with data, 0644; aborts on error. */
void write_file(const char *p, const char *data);
/* read_file(p, buf, size): whole file into buf (NUL-terminated); length. */
long read_file(const char *p, char *buf, size_t size);

/* SCM_RIGHTS over a unix socket: pft_send_fd returns 0 when the one-byte
 * message with fd went out; pft_recv_fd returns the fd received, or -1. */
int pft_send_fd(int sock, int fd);
int pft_recv_fd(int sock);
/* un_addr(sa, p): sa is the AF_UNIX address of path p; its length. */
socklen_t un_addr(struct sockaddr_un *sa, const char *p);

/* Children: wait_child(pid) is the child's exit status (a check fails if
 * it did not exit); wait_ok(pid) wants status 0. */
int wait_child(pid_t pid);
void wait_ok(pid_t pid);
/* now(): CLOCK_MONOTONIC in seconds; nap(ms): sleep ms milliseconds. */
double now(void);
void nap(int ms);
/* become_nobody(): this process becomes uid/gid 65534 with no groups (no
 * capabilities left); a check fails if it cannot. */
void become_nobody(void);

/* After printing a failure: exit(1), or with PFTEST_KEEP_GOING=1 in the
 * environment (diagnosis only) count it and go on. */
void pft_failed(void);

#define PFT_FAIL(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	pft_failed(); \
} while (0)

/* macros laid out by hand */
/* clang-format off */
/* CHECK(cond): cond must hold. */
#define CHECK(cond) do { \
	if (!(cond)) \
		PFT_FAIL("CHECK(%s) failed (errno %d: %s)", #cond, errno, \
			strerror(errno)); \
} while (0)

/*
 * The order is pftest's everywhere: what is expected first, then what the
 * call gave (EQ(expected, got), ERR(err, call)). got is still evaluated
 * first, so errno is the call's.
 */

/* CHECK_EQ(want, got): integer equality. */
#define CHECK_EQ(want, got) do { \
	long long g_ = (long long)(got); \
	int e_ = errno; \
	long long w_ = (long long)(want); \
	if (g_ != w_) \
		PFT_FAIL("%s: expected %s = %lld, got %lld (errno %d: %s)", \
			#got, #want, w_, g_, e_, strerror(e_)); \
} while (0)

/* CHECK_OK(expr): a syscall-style expr must not return -1; yields it. */
#define CHECK_OK(expr) ({ \
	errno = 0; \
	long long r_ = (long long)(expr); \
	if (r_ == -1) \
		PFT_FAIL("%s: expected success, got -1 errno %d (%s)", #expr, \
			errno, strerror(errno)); \
	r_; \
})

/* CHECK_ERR(err, expr): expr must return -1 with errno err. */
#define CHECK_ERR(err, expr) do { \
	errno = 0; \
	long long r_ = (long long)(expr); \
	int e_ = errno; \
	if (r_ != -1 || e_ != (err)) \
		PFT_FAIL("%s: expected -1 errno %s (%d), got %lld errno %d (%s)", \
			#expr, #err, (err), r_, e_, strerror(e_)); \
} while (0)

/* CHECK_ERR2(e1, e2, expr): either errno is allowed (man page says so). */
#define CHECK_ERR2(e1, e2, expr) do { \
	errno = 0; \
	long long r_ = (long long)(expr); \
	int e_ = errno; \
	if (r_ != -1 || (e_ != (e1) && e_ != (e2))) \
		PFT_FAIL("%s: expected -1 errno %s or %s, got %lld errno %d (%s)", \
			#expr, #e1, #e2, r_, e_, strerror(e_)); \
} while (0)

/*
 * CHECK_ERR for one row of a table of cases (as libseccomp's regression
 * tables: one call, many arguments and errnos); what names the row.
 */
#define CHECK_ERR_ROW(what, err, expr) do { \
	errno = 0; \
	long long r_ = (long long)(expr); \
	int e_ = errno; \
	if (r_ != -1 || e_ != (err)) \
		PFT_FAIL("%s: expected -1 errno %s, got %lld errno %d (%s)", \
			(what), strerrorname_np(err), r_, e_, strerror(e_)); \
} while (0)
#define ROWS(t) (sizeof(t) / sizeof((t)[0]))

#define CHECK_STR(want, got) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ == NULL || strcmp(g_, w_) != 0) \
		PFT_FAIL("%s: expected \"%s\", got \"%s\"", #got, w_, \
			g_ ? g_ : "(null)"); \
} while (0)

#define CHECK_MEM(want, got, n) do { \
	if (memcmp((got), (want), (n)) != 0) \
		PFT_FAIL("%s: %zu bytes differ from %s", #got, (size_t)(n), #want); \
} while (0)

/* clang-format on */

/* Each program lists its test functions; main runs them in order. */
struct pft_case {
	const char *name;
	void (*fn)(void);
};
int pft_run(const struct pft_case *cases, int argc, char **argv);

#endif
