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

/* the *at flags, by name (0x200 is AT_REMOVEDIR for unlinkat, AT_EACCESS
 * for the access calls) */
static size_t put_atflags(char *b, size_t n, long v, const char *call)
{
	static const struct { long flag; const char *name; } at[] = {
		{ AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW" },
		{ AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW" },
		{ AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT" },
		{ AT_EMPTY_PATH, "AT_EMPTY_PATH" },
		{ 0x8000, "AT_RECURSIVE" },
	};
	size_t o = 0;
	const char *sep = "";
	if (v & 0x200) {
		o += (size_t)snprintf(b, n, "%s", strcmp(call, "unlinkat") ?
				      "AT_EACCESS" : "AT_REMOVEDIR");
		v &= ~0x200L;
		sep = "|";
	}
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]) && o < n; i++)
		if (v & at[i].flag) {
			o += (size_t)snprintf(b + o, n - o, "%s%s", sep, at[i].name);
			v &= ~at[i].flag;
			sep = "|";
		}
	if ((v || !*sep) && o < n)
		o += (size_t)snprintf(b + o, n - o, "%s%#lx", sep, v);
	return o;
}

/*
 * The first bytes of a buffer in the target, as strace shows them
 * ("hi\n"...): at most 32, then "...". For display only: read after the
 * call, so another thread may have changed them since.
 */
#define TRACE_BYTES 32
static size_t put_buffer(char *b, size_t n, struct call *c, unsigned long addr,
			 long count)
{
	unsigned char data[TRACE_BYTES];
	size_t want = count < TRACE_BYTES ? (size_t)count : TRACE_BYTES;
	if (count < 0 || call_read(c, addr, data, want) < 0)
		return (size_t)snprintf(b, n, "%#lx", addr);
	size_t o = 0;
	if (o < n)
		b[o++] = '"';
	for (size_t i = 0; i < want && o + 6 < n; i++) {
		unsigned char ch = data[i];
		const char *esc = ch == '\n' ? "\\n" : ch == '\t' ? "\\t" :
			ch == '\r' ? "\\r" : ch == '"' ? "\\\"" :
			ch == '\\' ? "\\\\" : NULL;
		if (esc)
			o += (size_t)snprintf(b + o, n - o, "%s", esc);
		else if (ch < 32 || ch > 126)  /* octal, 3 digits before one */
			o += (size_t)snprintf(b + o, n - o, i + 1 < want &&
					      data[i + 1] >= '0' && data[i + 1] <= '7' ?
					      "\\%03o" : "\\%o", ch);
		else
			b[o++] = (char)ch;
	}
	if (o < n)
		b[o++] = '"';
	if ((size_t)count > want && o < n)
		o += (size_t)snprintf(b + o, n - o, "...");
	if (o < n)
		b[o] = 0;
	return o;
}

void sc_trace_format(struct call *c, long result, char *buf, size_t len)
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
		case 'a':
			o += put_atflags(buf + o, len - o, v, e->name);
			break;
		case 'b':  /* a buffer the call reads: the count is next */
			o += put_buffer(buf + o, len - o, c, (unsigned long)v,
					i < 5 ? (long)c->args[i + 1] : 0);
			break;
		case 'B':  /* a buffer the call fills: what it returned */
			if (result >= 0 && result != CALL_CONTINUE)
				o += put_buffer(buf + o, len - o, c,
						(unsigned long)v, result);
			else
				o += (size_t)snprintf(buf + o, len - o, "%#lx", v);
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
