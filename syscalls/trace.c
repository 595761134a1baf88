/* SPDX-License-Identifier: BSD-3-Clause */
/* --trace: one strace-like line per served call, from the table's arg kinds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "syscalls.h"

static const struct { int flag; const char *name; } oflags[] = {
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
	{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ O_DIRECTORY, "O_DIRECTORY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
	{ O_CLOEXEC, "O_CLOEXEC" }, { O_PATH, "O_PATH" },
	{ O_NOATIME, "O_NOATIME" }, { O_DSYNC, "O_DSYNC" },
	{ __O_TMPFILE, "O_TMPFILE" }, { O_NOCTTY, "O_NOCTTY" },  /* O_LARGEFILE is implied on x86_64 */
};

static size_t put_oflags(char *b, size_t n, long v)
{
	static const char *acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "3" };
	size_t o = (size_t)snprintf(b, n, "%s", acc[v & O_ACCMODE]);
	for (size_t i = 0; i < sizeof(oflags) / sizeof(oflags[0]); i++)
		if ((v & oflags[i].flag) == oflags[i].flag && o < n)
			o += (size_t)snprintf(b + o, n - o, "|%s", oflags[i].name);
	return o;
}

static size_t put_str(char *b, size_t n, const char *s)
{
	size_t o = 0;
	if (o < n)
		b[o++] = '"';
	for (; *s && o + 5 < n; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			o += (size_t)snprintf(b + o, n - o, "\\%c", ch);
		else if (ch < 32 || ch > 126)
			o += (size_t)snprintf(b + o, n - o, "\\x%02x", ch);
		else
			b[o++] = (char)ch;
	}
	if (o < n)
		b[o++] = '"';
	if (o < n)
		b[o] = 0;
	return o;
}

void sc_trace_format(const struct call *c, long result, char *buf, size_t len)
{
	const struct sc_entry *e = &sc_table[c->nr];
	size_t o = (size_t)snprintf(buf, len, "[%d] %s(", (int)c->tid, e->name);
	int s = 0;
	for (int i = 0; e->args && e->args[i] && i < 6 && o < len; i++) {
		long v = (long)c->args[i];
		if (i)
			o += (size_t)snprintf(buf + o, len - o, ", ");
		if (o >= len)
			break;
		switch (e->args[i]) {
		case 'd':
			if ((int)v == AT_FDCWD) {
				o += (size_t)snprintf(buf + o, len - o, "AT_FDCWD");
				break;
			}
			/* fall through */
		case 'f': case 'i':
			o += (size_t)snprintf(buf + o, len - o, "%d", (int)v);
			break;
		case 'u':
			o += (size_t)snprintf(buf + o, len - o, "%lu", (unsigned long)v);
			break;
		case 's':
			if (s < c->nstr)
				o += put_str(buf + o, len - o, c->str[s++]);
			else
				o += (size_t)snprintf(buf + o, len - o, "%#lx", v);
			break;
		case 'o':
			o += put_oflags(buf + o, len - o, v);
			break;
		case 'm':
			if (i > 0 && e->args[i - 1] == 'o' &&
			    !(c->args[i - 1] & (O_CREAT | __O_TMPFILE))) {
				o -= 2;  /* no mode without O_CREAT, as strace */
				break;
			}
			o += (size_t)snprintf(buf + o, len - o, "0%lo", v & 07777);
			break;
		default:
			o += (size_t)snprintf(buf + o, len - o, "%#lx", v);
		}
	}
	if (o >= len)
		return;
	if (result == CALL_CONTINUE)
		snprintf(buf + o, len - o, ") = CONTINUE");
	else if (result < 0 && result > -4096)
		snprintf(buf + o, len - o, ") = -1 %s (%s)",
			 strerrorname_np((int)-result) ? strerrorname_np((int)-result) : "E?",
			 strerror((int)-result));
	else
		snprintf(buf + o, len - o, ") = %ld", result);
}
