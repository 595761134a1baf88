/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-notify-rtt: what the seccomp user-notification mechanism itself costs
 * on this machine, so that every other figure can be read as "n round
 * trips".
 *
 * A child installs a filter (NEW_LISTENER | WAIT_KILLABLE_RECV, as the
 * supervisor does) that traps a few syscalls, hands the listener to the
 * parent over a socketpair, and then runs the phases the parent orders,
 * timing every trapped call itself. The parent serves the notifications:
 *
 *   getppid()                 answered with a value (SEND)
 *   getpgid(0)                answered with FLAG_CONTINUE
 *   openat(9999, ...)         answered with a memfd: ADDFD|SEND in one
 *                             ioctl, or ADDFD then SEND (two ioctls)
 *   write(9999, buf, 4096)    the parent times process_vm_readv of the
 *                             4 KiB (and /proc/PID/mem, process_vm_writev,
 *                             NOTIF_ID_VALID) while the child waits
 *
 * each with and without SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, unpinned and
 * with supervisor and target pinned to the same or to different CPUs.
 * Also: a null syscall natively, and an untrapped syscall under the filter.
 *
 * Output lines: "op target median_ns p90_ns samples" (see bench.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

#define MAGIC_FD 9999
#define ANSWER 4242
#define MAX_SAMPLES 200000

enum kind { K_SEND, K_CONTINUE, K_ADDFD_SEND, K_ADDFD_THEN_SEND, K_READV,
	    K_ALLOWED, K_QUIT };

struct cmd {
	int kind;
	int cpu;                 /* -1: no pinning */
	int rounds;
	int extra;               /* untimed calls after the rounds */
};

/* Shared between parent and child (MAP_SHARED). */
struct shared {
	int nsamples;
	int error;               /* the child saw a wrong answer */
	uint64_t ns[MAX_SAMPLES];
};

static struct shared *sh;
static int cmd_wr, done_rd;     /* the supervisor's ends of the pipes */
static int rounds = 20000;

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	if (cpu < 0) {
		for (int i = 0; i < CPU_SETSIZE && i < 1024; i++)
			CPU_SET(i, &set);
	} else {
		CPU_SET(cpu, &set);
	}
	sched_setaffinity(0, sizeof(set), &set);
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* ---- the target ---- */

/* arg 0 == v. (Designated: libseccomp's SCMP_A0() leaves datum_b to the
 * implicit zero, which clang's -Wmissing-field-initializers reports.) */
static struct scmp_arg_cmp a0_eq(uint64_t v)
{
	return (struct scmp_arg_cmp){ .arg = 0, .op = SCMP_CMP_EQ, .datum_a = v };
}

static int install_filter(void)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);

	if (!f)
		return -ENOMEM;
	seccomp_rule_add(f, SCMP_ACT_NOTIFY, SCMP_SYS(getppid), 0);
	seccomp_rule_add(f, SCMP_ACT_NOTIFY, SCMP_SYS(getpgid), 0);
	seccomp_rule_add(f, SCMP_ACT_NOTIFY, SCMP_SYS(openat), 1,
			 a0_eq(MAGIC_FD));
	seccomp_rule_add(f, SCMP_ACT_NOTIFY, SCMP_SYS(write), 1,
			 a0_eq(MAGIC_FD));

	/* Export the BPF and load it ourselves: libseccomp 2.5 cannot ask for
	 * WAIT_KILLABLE_RECV, which the supervisor uses. */
	int mfd = memfd_create("bpf", MFD_CLOEXEC);

	if (mfd < 0 || seccomp_export_bpf(f, mfd) < 0)
		return -EIO;
	off_t len = lseek(mfd, 0, SEEK_END);
	struct sock_filter *insns = malloc((size_t)len);

	if (!insns || pread(mfd, insns, (size_t)len, 0) != len)
		return -EIO;
	close(mfd);
	seccomp_release(f);

	struct sock_fprog prog = {
		.len = (unsigned short)(len / sizeof(*insns)),
		.filter = insns,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER |
			  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);

	if (fd < 0 && errno == EINVAL)
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			     SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	free(insns);
	return fd < 0 ? -errno : (int)fd;
}

static void send_fd(int sock, int fd)
{
	char dummy = 'L';
	struct iovec iov = { .iov_base = &dummy, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &msg, 0) != 1)
		_exit(3);
}

static void target_phase(const struct cmd *c)
{
	static char page[4096] __attribute__((aligned(4096)));
	int n = c->rounds;

	memset(page, 'p', sizeof(page));
	if (n > MAX_SAMPLES)
		n = MAX_SAMPLES;
	pin(c->cpu);
	sh->nsamples = 0;
	for (int i = 0; i < n; i++) {
		uint64_t t0 = bench_now_ns();
		long r;

		switch (c->kind) {
		case K_SEND:
			r = syscall(SYS_getppid);
			if (r != ANSWER)
				sh->error = 1;
			break;
		case K_CONTINUE:
			r = syscall(SYS_getpgid, 0);
			if (r != getpgrp())
				sh->error = 2;
			break;
		case K_ADDFD_SEND:
		case K_ADDFD_THEN_SEND:
			r = syscall(SYS_openat, MAGIC_FD, "x", O_RDONLY, 0);
			if (r < 0)
				sh->error = 3;
			break;
		case K_READV:
			r = syscall(SYS_write, MAGIC_FD, page, sizeof(page));
			if (r != sizeof(page))
				sh->error = 4;
			break;
		case K_ALLOWED:
			r = syscall(SYS_getpid);
			break;
		default:
			r = 0;
		}
		uint64_t t1 = bench_now_ns();

		sh->ns[i] = t1 - t0;
		if (c->kind == K_ADDFD_SEND || c->kind == K_ADDFD_THEN_SEND)
			close((int)r);
	}
	sh->nsamples = n;
	for (int i = 0; i < c->extra; i++)
		syscall(SYS_getppid);
}

static void target_main(int sock, int cmd_rd, int done_wr)
{
	int fd = install_filter();

	if (fd < 0) {
		fprintf(stderr, "pf-notify-rtt: seccomp: %s\n", strerror(-fd));
		_exit(4);
	}
	send_fd(sock, fd);
	close(fd);
	for (;;) {
		struct cmd c;

		if (read(cmd_rd, &c, sizeof(c)) != sizeof(c) || c.kind == K_QUIT)
			_exit(0);
		target_phase(&c);
		char ok = 1;

		if (write(done_wr, &ok, 1) != 1)
			_exit(5);
	}
}

/* ---- the supervisor ---- */

static int recv_fd(int sock)
{
	char dummy;
	struct iovec iov = { .iov_base = &dummy, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	int fd;

	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

struct supervisor {
	int listener;
	pid_t child;
	int memfd;
	int memfile;             /* /proc/CHILD/mem */
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
	int pidfd; /* the child's, for pidfd_getfd */
	struct samples readv, memread, writev, idvalid, getfd, fsize;
};

/* Times the ways of reaching the target's 4 KiB while it waits. */
static void time_target_memory(struct supervisor *s, uint64_t addr,
			       uint64_t id)
{
	char buf[4096];

	for (int i = 0; i < 2000; i++) {
		struct iovec local = { buf, sizeof(buf) };
		struct iovec remote = { (void *)(uintptr_t)addr, sizeof(buf) };
		uint64_t t0 = bench_now_ns();
		ssize_t r = process_vm_readv(s->child, &local, 1, &remote, 1, 0);
		uint64_t t1 = bench_now_ns();

		if (r == sizeof(buf))
			samples_add(&s->readv, t1 - t0);
		t0 = bench_now_ns();
		r = pread(s->memfile, buf, sizeof(buf), (off_t)addr);
		t1 = bench_now_ns();
		if (r == sizeof(buf))
			samples_add(&s->memread, t1 - t0);
		t0 = bench_now_ns();
		r = process_vm_writev(s->child, &local, 1, &remote, 1, 0);
		t1 = bench_now_ns();
		if (r == sizeof(buf))
			samples_add(&s->writev, t1 - t0);
		t0 = bench_now_ns();
		r = ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id);
		t1 = bench_now_ns();
		if (r == 0)
			samples_add(&s->idvalid, t1 - t0);
		/* what the supervisor does to learn what a target's fd is
		 * (a pool file or not: syscalls/ofd.c) and, before a write
		 * to a pool file, the writer's RLIMIT_FSIZE */
		struct stat st;
		t0 = bench_now_ns();
		int copy = (int)syscall(SYS_pidfd_getfd, s->pidfd, 1, 0);
		r = copy >= 0 ? fstat(copy, &st) : -1;
		if (copy >= 0)
			close(copy);
		t1 = bench_now_ns();
		if (r == 0)
			samples_add(&s->getfd, t1 - t0);
		struct rlimit rl;
		t0 = bench_now_ns();
		r = prlimit(s->child, RLIMIT_FSIZE, NULL, &rl);
		t1 = bench_now_ns();
		if (r == 0)
			samples_add(&s->fsize, t1 - t0);
	}
}

/* Serves one notification in the way `kind` asks. */
static int serve_one(struct supervisor *s, int kind)
{
	memset(s->req, 0, s->req_size);
	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_RECV, s->req) < 0)
		return -errno;
	memset(s->resp, 0, s->resp_size);
	s->resp->id = s->req->id;

	if (kind == K_CONTINUE) {
		s->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (kind == K_ADDFD_SEND || kind == K_ADDFD_THEN_SEND) {
		struct seccomp_notif_addfd add = {
			.id = s->req->id,
			.flags = kind == K_ADDFD_SEND ? SECCOMP_ADDFD_FLAG_SEND : 0,
			.srcfd = (uint32_t)s->memfd,
			.newfd_flags = O_CLOEXEC,
		};
		int r = ioctl(s->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);

		if (r < 0)
			return -errno;
		if (kind == K_ADDFD_SEND)
			return 0;
		s->resp->val = r;
	} else if (kind == K_READV) {
		time_target_memory(s, s->req->data.args[1], s->req->id);
		s->resp->val = (int64_t)s->req->data.args[2];
	} else {
		s->resp->val = ANSWER;
	}
	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SEND, s->resp) < 0)
		return -errno;
	return 0;
}

/* Orders one phase, serves it, and reports the child's timings. */
static void phase(struct supervisor *s, int kind, int n, int cpu_sup,
		  int cpu_target, int sync, const char *op,
		  const char *target)
{
	uint64_t flags = sync ? SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP : 0;

	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) < 0) {
		if (sync) {
			char why[128];

			snprintf(why, sizeof(why), "NOTIF_SET_FLAGS: %s",
				 strerror(errno));
			bench_report_na(op, target, why);
			return;
		}
	}
	pin(cpu_sup);

	struct cmd c = { .kind = kind, .cpu = cpu_target, .rounds = n };

	if (write(cmd_wr, &c, sizeof(c)) != sizeof(c))
		die("write cmd");
	if (kind != K_ALLOWED) {
		for (int i = 0; i < n; i++) {
			int r = serve_one(s, kind);

			if (r < 0) {
				fprintf(stderr, "pf-notify-rtt: %s: %s\n", op,
					strerror(-r));
				exit(2);
			}
		}
	}
	char ok;

	if (read(done_rd, &ok, 1) != 1)
		die("read done");
	pin(-1);

	struct samples smp;

	samples_init(&smp);
	int warm = n / 20;

	for (int i = warm; i < sh->nsamples; i++)
		samples_add(&smp, sh->ns[i]);
	if (kind == K_READV) {
		/* The waits only hosted the supervisor-side timings. */
	} else if (sh->error) {
		char why[64];

		snprintf(why, sizeof(why), "wrong answer in the target (%d)",
			 sh->error);
		bench_report_na(op, target, why);
		sh->error = 0;
	} else {
		bench_report(op, target, &smp);
	}
	samples_free(&smp);
}

/* ---- several workers blocked in RECV on one listener ---- */

struct pool_worker {
	pthread_t tid;
	struct supervisor *s;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	int limit;
};

static atomic_int served;

static void *pool_worker_main(void *arg)
{
	struct pool_worker *w = arg;

	for (;;) {
		memset(w->req, 0, w->s->req_size);
		if (ioctl(w->s->listener, SECCOMP_IOCTL_NOTIF_RECV, w->req) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		int idx = atomic_fetch_add(&served, 1);

		memset(w->resp, 0, w->s->resp_size);
		w->resp->id = w->req->id;
		w->resp->val = ANSWER;
		ioctl(w->s->listener, SECCOMP_IOCTL_NOTIF_SEND, w->resp);
		if (idx >= w->limit)
			return NULL;     /* one of the releasing calls */
	}
}

/*
 * SEND round trips served by `nworkers` threads all waiting in RECV, as the
 * supervisor's worker pool does. The target ends with one untimed call per
 * worker; each worker leaves after answering one of those.
 */
static void pool_phase(struct supervisor *s, int nworkers, int n, int sync,
		       const char *op, const char *target)
{
	uint64_t flags = sync ? SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP : 0;
	struct pool_worker *ws = calloc((size_t)nworkers, sizeof(*ws));

	if (!ws)
		die("calloc");
	if (ioctl(s->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags) < 0 && sync) {
		bench_report_na(op, target, "NOTIF_SET_FLAGS failed");
		free(ws);
		return;
	}
	atomic_store(&served, 0);
	for (int i = 0; i < nworkers; i++) {
		ws[i].s = s;
		ws[i].req = malloc(s->req_size);
		ws[i].resp = malloc(s->resp_size);
		ws[i].limit = n;
		if (!ws[i].req || !ws[i].resp)
			die("malloc");
		pthread_create(&ws[i].tid, NULL, pool_worker_main, &ws[i]);
	}
	struct cmd c = { .kind = K_SEND, .cpu = -1, .rounds = n,
			 .extra = nworkers };
	char ok;

	if (write(cmd_wr, &c, sizeof(c)) != sizeof(c))
		die("write cmd");
	if (read(done_rd, &ok, 1) != 1)
		die("read done");
	for (int i = 0; i < nworkers; i++) {
		pthread_join(ws[i].tid, NULL);
		free(ws[i].req);
		free(ws[i].resp);
	}
	free(ws);

	struct samples smp;

	samples_init(&smp);
	for (int i = n / 20; i < sh->nsamples; i++)
		samples_add(&smp, sh->ns[i]);
	if (sh->error) {
		bench_report_na(op, target, "wrong answer in the target");
		sh->error = 0;
	} else {
		bench_report(op, target, &smp);
	}
	samples_free(&smp);
}

static void null_syscall(void)
{
	struct samples smp;

	samples_init(&smp);
	for (int i = 0; i < rounds; i++) {
		uint64_t t0 = bench_now_ns();

		syscall(SYS_getppid);
		samples_add(&smp, bench_now_ns() - t0);
	}
	bench_report("null_syscall", "native", &smp);
	samples_free(&smp);

	samples_init(&smp);
	for (int i = 0; i < 1000; i++) {
		uint64_t t0 = bench_now_ns();

		samples_add(&smp, bench_now_ns() - t0);
	}
	printf("# clock_overhead %llu ns\n",
	       (unsigned long long)samples_quantile(&smp, 0.5));
	samples_free(&smp);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (rounds < 20)
		rounds = 20;
	if (rounds > MAX_SAMPLES)
		rounds = MAX_SAMPLES;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	printf("# pf-notify-rtt: %d rounds per figure, %ld CPUs\n", rounds,
	       ncpu);
	null_syscall();

	int sv[2], cmdp[2], donep[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
	    pipe2(cmdp, O_CLOEXEC) < 0 || pipe2(donep, O_CLOEXEC) < 0)
		die("socketpair/pipe");
	fflush(stdout);
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		target_main(sv[1], cmdp[0], donep[1]);
	}
	close(sv[1]);
	cmd_wr = cmdp[1];
	done_rd = donep[0];

	struct supervisor s;

	memset(&s, 0, sizeof(s));
	s.child = pid;
	s.listener = recv_fd(sv[0]);
	if (s.listener < 0) {
		int st;

		waitpid(pid, &st, 0);
		printf("notify_send all n/a n/a 0 # no listener (seccomp filter failed)\n");
		return 1;
	}
	struct seccomp_notif_sizes sizes;

	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		die("SECCOMP_GET_NOTIF_SIZES");
	s.req_size = sizes.seccomp_notif;
	s.resp_size = sizes.seccomp_notif_resp;
	s.req = malloc(s.req_size);
	s.resp = malloc(s.resp_size);
	s.memfd = memfd_create("placeholder", MFD_CLOEXEC);
	char mempath[64];

	snprintf(mempath, sizeof(mempath), "/proc/%d/mem", (int)pid);
	s.memfile = open(mempath, O_RDWR | O_CLOEXEC);
	s.pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (!s.req || !s.resp || s.memfd < 0 || s.memfile < 0 || s.pidfd < 0)
		die("setup");
	samples_init(&s.readv);
	samples_init(&s.memread);
	samples_init(&s.writev);
	samples_init(&s.idvalid);
	samples_init(&s.getfd);
	samples_init(&s.fsize);

	phase(&s, K_ALLOWED, rounds, -1, -1, 0, "untrapped_syscall_under_filter", "native");
	for (int sync = 0; sync <= 1; sync++) {
		const char *t = sync ? "syncwake" : "nosync";

		phase(&s, K_SEND, rounds, -1, -1, sync, "notify_send", t);
		phase(&s, K_CONTINUE, rounds, -1, -1, sync, "notify_continue", t);
		phase(&s, K_ADDFD_SEND, rounds, -1, -1, sync, "notify_addfd_send", t);
		phase(&s, K_ADDFD_THEN_SEND, rounds, -1, -1, sync, "notify_addfd_then_send", t);
	}
	if (ncpu >= 2) {
		for (int sync = 0; sync <= 1; sync++) {
			char t[64];

			snprintf(t, sizeof(t), "%s-samecpu", sync ? "syncwake" : "nosync");
			phase(&s, K_SEND, rounds / 2, 0, 0, sync, "notify_send", t);
			snprintf(t, sizeof(t), "%s-cpuapart", sync ? "syncwake" : "nosync");
			/* Slow, and at the mercy of other load: fewer rounds. */
			phase(&s, K_SEND, rounds / 10, 0, 1, sync, "notify_send", t);
		}
	}
	for (int sync = 0; sync <= 1; sync++) {
		const char *t = sync ? "syncwake" : "nosync";

		pool_phase(&s, 2, rounds, sync, "notify_send_2workers", t);
		pool_phase(&s, 4, rounds, sync, "notify_send_4workers", t);
	}
	/* Target memory while the target waits in a trapped write(). */
	phase(&s, K_READV, 5, -1, -1, 1, "target_memory", "syncwake");
	bench_report("process_vm_readv_4k", "native", &s.readv);
	bench_report("proc_mem_pread_4k", "native", &s.memread);
	bench_report("process_vm_writev_4k", "native", &s.writev);
	bench_report("notif_id_valid", "native", &s.idvalid);
	bench_report("fd_identify", "native", &s.getfd);
	bench_report("prlimit_fsize", "native", &s.fsize);

	struct cmd quit = { .kind = K_QUIT };
	int st;

	if (write(cmd_wr, &quit, sizeof(quit)) != sizeof(quit))
		die("write quit");
	waitpid(pid, &st, 0);
	return 0;
}
