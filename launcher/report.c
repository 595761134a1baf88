/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --report FILE: a JSON document written at exit (keys in
 * pmemfile-run(1), REPORT). What the workers see is counted as it
 * happens, with atomics (no lock on the per-call path): per syscall the
 * notifications, CONTINUEs, errors by errno and the time from RECV to the
 * answer, in a histogram of 8 buckets per power of two (p99 is the upper
 * bound of its bucket: within 12.5%). Unsupported calls and the sandbox's
 * refusals are rare: a short list under a lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "launcher.h"
#include "syscalls.h"

#define NBUCKET 512 /* 64 octaves x 8 */

struct sc_stat {
	uint64_t count, continued, total_ns;
	uint32_t err[134];
	uint32_t hist[NBUCKET];
};

static struct sc_stat *stats; /* [SC_TABLE_SIZE] when --report */
static const char *report_path;
static int dir_fd = -1;
static char report_name[NAME_MAX + 1];
static struct timespec t_start;

struct seen {
	int nr, err;
	long pid;
	char comm[17];
	char what[PATH_MAX];
	uint64_t count;
};
#define MAX_SEEN 1024
static struct seen unsupported[MAX_SEEN], denied[MAX_SEEN];
static int nunsupported, ndenied;
static struct {
	long pid;
	char comm[17];
} left[MAX_SEEN];
static int nleft;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread int unsupported_pending;

struct usage {
	uint64_t bytes, inodes;
	int ok;
};
static struct usage before[MAX_POOLS];

static void comm_of(long pid, char *out)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%ld/comm", pid);
	out[0] = 0;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, 16);
	close(fd);
	out[n > 0 ? n : 0] = 0;
	out[strcspn(out, "\n")] = 0;
}

static void on_unsupported(const struct call *c)
{
	(void)c;
	unsupported_pending = 1;
}

static void on_deny(struct call *c, const char *what, int err)
{
	pthread_mutex_lock(&seen_lock);
	struct seen *s = NULL;
	for (int i = 0; i < ndenied && !s; i++)
		if (denied[i].nr == c->nr && denied[i].err == err &&
		    strcmp(denied[i].what, what) == 0)
			s = &denied[i];
	if (!s && ndenied < MAX_SEEN) {
		s = &denied[ndenied++];
		s->nr = c->nr;
		s->err = err;
		s->pid = c->tid;
		snprintf(s->what, sizeof(s->what), "%s", what);
		comm_of(c->tid, s->comm);
	}
	if (s)
		s->count++;
	pthread_mutex_unlock(&seen_lock);
}

static struct usage usage_of(pf_pool *p)
{
	struct pf_statfs st;
	struct usage u = { 0 };
	if (p && pf_statfs(p, &st) == 0) {
		u.bytes = (st.blocks - st.bfree) * st.bsize;
		u.inodes = st.files - st.ffree;
		u.ok = 1;
	}
	return u;
}

void report_setup(struct options *o)
{
	if (!o->report)
		return;
	/*
	 * The directory is opened now (a path we cannot use is a start-up
	 * failure). The report is written at exit, when no process of the
	 * tree is left, to a new file in that directory renamed over the
	 * name: whatever the tree put there meanwhile (a --rw directory) is
	 * replaced, never followed or written into.
	 */
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", o->report);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	if (slash == dir)
		dir_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	else if (slash) {
		*slash = 0;
		dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	} else
		dir_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0 || !*base)
		die("--report %s: %s", o->report,
		    *base ? strerror(errno) : "not a file name");
	if (strlen(base) > NAME_MAX)
		die("--report %s: %s", o->report, strerror(ENAMETOOLONG));
	memcpy(report_name, base, strlen(base) + 1);
	int fd = openat(dir_fd, report_name,
			O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		die("--report %s: %s", o->report, strerror(errno));
	close(fd);
	stats = calloc(SC_TABLE_SIZE, sizeof(*stats));
	if (!stats)
		die("out of memory");
	report_path = o->report;
	o_report = 1;
	sc_on_unsupported = on_unsupported;
	sc_sandbox.on_deny = on_deny;
	clock_gettime(CLOCK_MONOTONIC, &t_start);
}

void report_pools_before(struct options *o)
{
	for (int i = 0; stats && i < o->npools; i++)
		before[i] = usage_of(o->open[i]);
}

static int bucket(uint64_t ns)
{
	if (ns < 8)
		return (int)ns;
	int oct = 63 - __builtin_clzll(ns);
	return oct * 8 + (int)((ns >> (oct - 3)) & 7);
}

static uint64_t bucket_top(int b)
{
	if (b < 8)
		return (uint64_t)b + 1;
	int oct = b / 8;
	return ((uint64_t)(8 + b % 8 + 1)) << (oct - 3);
}

void report_call(struct call *c, long r, uint64_t ns)
{
	if (!stats || c->nr < 0 || c->nr >= SC_TABLE_SIZE)
		return;
	struct sc_stat *s = &stats[c->nr];
	__atomic_add_fetch(&s->count, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->total_ns, ns, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->hist[bucket(ns)], 1, __ATOMIC_RELAXED);
	if (r == CALL_CONTINUE)
		__atomic_add_fetch(&s->continued, 1, __ATOMIC_RELAXED);
	else if (r < 0 && r > -134)
		__atomic_add_fetch(&s->err[-r], 1, __ATOMIC_RELAXED);
	if (unsupported_pending) {
		unsupported_pending = 0;
		pthread_mutex_lock(&seen_lock);
		int found = 0;
		for (int i = 0; i < nunsupported; i++)
			if (unsupported[i].nr == c->nr &&
			    unsupported[i].err == (int)-r) {
				unsupported[i].count++;
				found = 1;
			}
		if (!found && nunsupported < MAX_SEEN) {
			struct seen *u = &unsupported[nunsupported++];
			u->nr = c->nr;
			u->err = r < 0 && r > -134 ? (int)-r : 0;
			u->pid = c->tid;
			u->count = 1;
			comm_of(c->tid, u->comm);
		}
		pthread_mutex_unlock(&seen_lock);
	}
}

void report_leftover(long pid, const char *comm)
{
	if (!stats)
		return;
	pthread_mutex_lock(&seen_lock);
	for (int i = 0; i < nleft; i++)
		if (left[i].pid == pid) {
			pthread_mutex_unlock(&seen_lock);
			return;
		}
	if (nleft < MAX_SEEN) {
		left[nleft].pid = pid;
		snprintf(left[nleft].comm, sizeof(left[nleft].comm), "%s",
			 comm);
		nleft++;
	}
	pthread_mutex_unlock(&seen_lock);
}

/* a JSON string */
static void js(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p); /* bytes, not UTF-8 */
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static const char *ename(int e)
{
	const char *n = e ? strerrorname_np(e) : NULL;
	return n ? n : "0";
}

static const char *name_of(int nr)
{
	if (nr >= 0 && nr < SC_TABLE_SIZE && sc_table[nr].name)
		return sc_table[nr].name;
	return nr == __NR_connect ? "connect" : "?";
}

static void usage_json(FILE *f, struct usage u)
{
	if (!u.ok)
		fputs("null", f);
	else
		fprintf(f, "{\"bytes_used\": %llu, \"inodes_used\": %llu}",
			(unsigned long long)u.bytes,
			(unsigned long long)u.inodes);
}

static void seen_json(FILE *f, const char *key, struct seen *v, int n,
		      int with_what)
{
	fprintf(f, "  \"%s\": [", key);
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s\n    {\"syscall\": ", i ? "," : "");
		js(f, name_of(v[i].nr));
		if (with_what) {
			fputs(", \"what\": ", f);
			js(f, v[i].what);
		}
		fprintf(f, ", \"errno\": \"%s\", \"pid\": %ld, \"command\": ",
			ename(v[i].err), v[i].pid);
		js(f, v[i].comm);
		fprintf(f, ", \"count\": %llu}",
			(unsigned long long)v[i].count);
	}
	fprintf(f, "%s],\n", n ? "\n  " : "");
}

void report_write(struct options *o, int status)
{
	if (!stats)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double wall = (double)(now.tv_sec - t_start.tv_sec) +
		(double)(now.tv_nsec - t_start.tv_nsec) / 1e9;
	char tmp[NAME_MAX + 64];
	snprintf(tmp, sizeof(tmp), ".%.200s.%d.tmp", report_name,
		 (int)getpid());
	unlinkat(dir_fd, tmp, 0);
	int fd = openat(dir_fd, tmp,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		if (fd >= 0)
			close(fd);
		log_msg(1, "--report %s: %s", report_path, strerror(errno));
		return;
	}
	fputs("{\n  \"version\": 1,\n  \"command\": [", f);
	for (int i = 0; o->argv[i]; i++) {
		fputs(i ? ", " : "", f);
		js(f, o->argv[i]);
	}
	fputs("],\n", f);
	if (WIFSIGNALED(status))
		fprintf(f,
			"  \"exit\": {\"status\": %d, \"signal\": \"%s\"},\n",
			128 + WTERMSIG(status),
			sigabbrev_np(WTERMSIG(status)) ?: "?");
	else
		fprintf(f, "  \"exit\": {\"status\": %d, \"signal\": null},\n",
			WEXITSTATUS(status));
	fprintf(f, "  \"wall_seconds\": %.6f,\n", wall);
	fprintf(f, "  \"sandbox\": %s,\n", o->sandbox ? "true" : "false");
	fputs("  \"syscalls\": {", f);
	int first = 1;
	for (int nr = 0; nr < SC_TABLE_SIZE; nr++) {
		struct sc_stat *s = &stats[nr];
		if (!s->count)
			continue;
		uint64_t rank = s->count - s->count / 100, seen = 0, p99 = 0;
		for (int b = 0; b < NBUCKET; b++) {
			seen += s->hist[b];
			if (seen >= rank) {
				p99 = bucket_top(b);
				break;
			}
		}
		fprintf(f, "%s\n    ", first ? "" : ",");
		first = 0;
		js(f, name_of(nr));
		fprintf(f,
			": {\"count\": %llu, \"continued\": %llu, \"errors\": {",
			(unsigned long long)s->count,
			(unsigned long long)s->continued);
		int fe = 1;
		for (int e = 1; e < 134; e++)
			if (s->err[e]) {
				fprintf(f, "%s\"%s\": %u", fe ? "" : ", ",
					ename(e), s->err[e]);
				fe = 0;
			}
		fprintf(f, "}, \"total_ns\": %llu, \"p99_ns\": %llu}",
			(unsigned long long)s->total_ns,
			(unsigned long long)p99);
	}
	fputs("\n  },\n", f);
	pthread_mutex_lock(&seen_lock);
	seen_json(f, "unsupported", unsupported, nunsupported, 0);
	seen_json(f, "denied", denied, ndenied, 1);
	fputs("  \"left_running\": [", f);
	for (int i = 0; i < nleft; i++) {
		fprintf(f, "%s\n    {\"pid\": %ld, \"command\": ", i ? "," : "",
			left[i].pid);
		js(f, left[i].comm);
		fputc('}', f);
	}
	fprintf(f, "%s],\n", nleft ? "\n  " : "");
	pthread_mutex_unlock(&seen_lock);
	struct twin_stats ts;
	twin_get_stats(&ts);
	fprintf(f,
		"  \"twins\": {\"made\": %lu, \"peak\": %lu, \"left\": %lu},\n",
		ts.made, ts.peak, ts.left);
	fputs("  \"pools\": [", f);
	for (int i = 0; i < o->npools; i++) {
		fprintf(f, "%s\n    {\"pool\": ", i ? "," : "");
		js(f, o->pool[i]);
		fputs(", \"mount\": ", f);
		js(f, o->mount[i]);
		fputs(", \"before\": ", f);
		usage_json(f, before[i]);
		fputs(", \"after\": ", f);
		usage_json(f, usage_of(o->open[i]));
		fputc('}', f);
	}
	fprintf(f, "%s]\n}\n", o->npools ? "\n  " : "");
	if (fclose(f) != 0 || renameat(dir_fd, tmp, dir_fd, report_name) < 0) {
		log_msg(1, "--report %s: %s", report_path, strerror(errno));
		unlinkat(dir_fd, tmp, 0);
	}
}
