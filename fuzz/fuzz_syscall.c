/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the syscall layer's argument decoding, with random
 * registers and random target memory.
 *
 * The "target" is this process: struct call gets our own tid, so the
 * handlers read and write "target memory" with process_vm_readv/writev on
 * ourselves. The input picks a trapped syscall (path and fd families), six
 * registers, and the contents of a three-page window whose last page is
 * unmapped (strings and buffers can end right at the edge); registers are
 * pointers into the window, into the unmapped page, small integers, or raw
 * values. Paths are built from a dictionary ("/fmnt/", "/fmnt/../",
 * "/proc/self/fd/", ...) plus input bytes, so they hit the mount. The
 * listener is a fake fd: ID_VALID says "still pending" (interposed ioctl)
 * so handlers go past the read; ADDFD says "target gone". The result must
 * be a value, a -errno in range, CONTINUE or INJECT; then --trace
 * formatting runs on the call.
 *
 * Safety: at start-up the fuzzer drops to uid/gid 65534 (when root), since
 * host paths reached through the pool (/fmnt/../x) are performed on the
 * "target's" behalf with its credentials.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>

#include <pmemfile/core.h>

#include "syscalls.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAKE_LISTENER 1000

/* The interposed ioctl: the fake listener answers ID_VALID and ADDFD. */
int
ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	if (fd == FAKE_LISTENER) {
		if (req == SECCOMP_IOCTL_NOTIF_ID_VALID)
			return 0;
		errno = ENOENT;
		return -1;
	}
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

/* every syscall the table traps (sc_table: no list of our own to drift) */
static int nrs[SC_TABLE_SIZE];
static int nnrs;

static char *win;               /* 3 pages; the third is unmapped */
static pf_pool *pool;
static char pool_path[128];

static void
quiet_log(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("PMEM_IS_PMEM_FORCE", "1", 0);
	if (getuid() == 0) {
		if (setgid(65534) || setuid(65534)) {
			perror("dropping privileges");
			abort();
		}
	}
	snprintf(pool_path, sizeof(pool_path), "/dev/shm/pf-fuzz-sc-%d", getpid());
	char msg[256] = "";
	if (pf_pool_create(pool_path, 64u << 20, 1, msg, sizeof(msg)) < 0 ||
	    pf_pool_open(pool_path, 0, &pool, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "fuzz_syscall: %s\n", msg);
		abort();
	}
	unlink(pool_path);      /* the mapping stays; nothing to clean up */
	struct pf_caller root = { .fsuid = 65534, .fsgid = 65534 };
	(void)root;
	sc_log = quiet_log;
	if (sc_init() < 0 || sc_mount_add("/fmnt", pool, NULL) < 0)
		abort();
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++)
		if (sc_table[nr].handler)
			nrs[nnrs++] = nr;
	win = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(win + 2 * 4096, 4096);
	return 0;
}

static const char *dict[] = {
	"/fmnt/", "/fmnt", "/fmnt/../", "/fmnt/a/../../", "/proc/self/fd/",
	"/proc/self/cwd/", "/dev/shm/", "", ".", "..", "a/", "/fmnt/d/",
	"/fmnt/././/", "/dev/fd/", "/fmnt/f",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 16)
		return 0;
	/* window contents: the input after the header, up to two pages,
	 * placed so that it ends at the unmapped page */
	memset(win, 'x', 2 * 4096);
	size_t body = size - 16 < 2 * 4096 ? size - 16 : 2 * 4096;
	memcpy(win + 2 * 4096 - body, data + 16, body);
	/* up to two dictionary prefixes at fixed spots */
	const char *d0 = dict[data[1] % (sizeof(dict) / sizeof(dict[0]))];
	const char *d1 = dict[data[2] % (sizeof(dict) / sizeof(dict[0]))];
	memcpy(win, d0, strlen(d0));
	memcpy(win + 1024, d1, strlen(d1));
	if (data[3] & 1)
		win[64] = 0, win[1024 + 64] = 0;
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	req.id = 1;
	req.pid = (uint32_t)gettid();
	req.data.nr = nrs[data[0] % nnrs];
	for (int i = 0; i < 6; i++) {
		uint8_t k = data[4 + 2 * i], v = data[5 + 2 * i];
		uint64_t a;
		switch (k % 8) {
		case 0: a = (uint64_t)(uintptr_t)win; break;
		case 1: a = (uint64_t)(uintptr_t)(win + 1024); break;
		case 2: a = (uint64_t)(uintptr_t)(win + 2 * 4096 - 1 - v); break;
		case 3: a = (uint64_t)(uintptr_t)(win + 2 * 4096 + v); break;
		case 4: a = v; break;                   /* small integer / fd */
		case 5: a = (uint64_t)(int64_t)(int8_t)v; break;  /* AT_FDCWD.. */
		case 6: a = (uint64_t)v << (k % 64); break;
		default: a = (uint64_t)-100; break;     /* AT_FDCWD */
		}
		req.data.args[i] = a;
	}
	struct call *c = calloc(1, sizeof(*c));
	call_begin(c, &req, FAKE_LISTENER);
	long r = sc_dispatch(c);
	if (r == CALL_INJECT)
		call_after_inject(c, -ENOENT);
	else if (!(r >= 0 || (r >= -4095 && r < 0) || r == CALL_CONTINUE)) {
		fprintf(stderr, "fuzz_syscall: nr %d returned %ld\n", c->nr, r);
		abort();
	}
	char line[PATH_MAX + 512];
	sc_trace_format(c, r == CALL_INJECT ? 3 : r, line, sizeof(line));
	call_end(c);
	free(c);
	return 0;
}
