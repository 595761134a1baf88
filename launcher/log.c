/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging and --trace output. Only the launcher prints. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launcher.h"

static FILE *out;
static int level = 2;
static int tracing;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void log_open(const char *file, int lvl, int trace)
{
	level = lvl;
	tracing = trace;
	out = stderr;
	if (file) {
		out = fopen(file, "ae");
		if (!out) {
			out = stderr;
			die("cannot open log file %s: %s", file, strerror(errno));
		}
		setvbuf(out, NULL, _IOLBF, 0);
	}
}

void log_msg(int lvl, const char *fmt, ...)
{
	if (lvl > level)
		return;
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&lock);
	fputs("pmemfile-run: ", out ? out : stderr);
	vfprintf(out ? out : stderr, fmt, ap);
	fputc('\n', out ? out : stderr);
	pthread_mutex_unlock(&lock);
	va_end(ap);
}

/* 0 no tracing, 1 served calls, 2 also calls handed back (--log-level 4) */
int log_tracing(void)
{
	return tracing ? 1 + (level >= 4) : 0;
}

void log_trace_lock(void)
{
	pthread_mutex_lock(&lock);
}

void log_trace_unlock(const char *line)
{
	fprintf(out ? out : stderr, "%s\n", line);
	pthread_mutex_unlock(&lock);
}

void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("pmemfile-run: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(EXIT_OWN);
}
