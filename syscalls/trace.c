/* SPDX-License-Identifier: BSD-3-Clause */
/* --trace: one strace-like line per served call, from the table's arg kinds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "syscalls.h"

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

struct flag_name {
	long flag;
	const char *name;
};
#define FLAG_NAMES(t) t, sizeof(t) / sizeof(t[0])

/* v's flags by name (all of a flag's bits set), '|'-joined, the rest in
 * hex ("0" for none) */
static size_t put_flags(char *b, size_t n, long v, const struct flag_name *t,
			size_t nt)
{
	size_t o = 0;
	const char *sep = "";
	for (size_t i = 0; i < nt && o < n; i++)
		if ((v & t[i].flag) == t[i].flag) {
			o += (size_t)snprintf(b + o, n - o, "%s%s", sep,
					      t[i].name);
			v &= ~t[i].flag;
			sep = "|";
		}
	if ((v || !*sep) && o < n)
		o += (size_t)snprintf(b + o, n - o, "%s%#lx", sep, v);
	return o;
}

/* open flags as strace shows them: the access mode, then the rest by name
 * (several-bit flags first: O_SYNC holds O_DSYNC, O_TMPFILE O_DIRECTORY) */
static size_t put_oflags(char *b, size_t n, long v)
{
	static const char *acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "3" };
	static const struct flag_name of[] = {
		{ O_TMPFILE, "O_TMPFILE" },   { O_SYNC, "O_SYNC" },
		{ O_CREAT, "O_CREAT" },	      { O_EXCL, "O_EXCL" },
		{ O_NOCTTY, "O_NOCTTY" },     { O_TRUNC, "O_TRUNC" },
		{ O_APPEND, "O_APPEND" },     { O_NONBLOCK, "O_NONBLOCK" },
		{ O_DSYNC, "O_DSYNC" },	      { O_DIRECT, "O_DIRECT" },
		{ 0100000, "O_LARGEFILE" },   { O_DIRECTORY, "O_DIRECTORY" },
		{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
		{ O_CLOEXEC, "O_CLOEXEC" },   { O_PATH, "O_PATH" },
	};
	size_t o = (size_t)snprintf(b, n, "%s", acc[v & O_ACCMODE]);
	v &= ~(long)O_ACCMODE;
	if (v && o + 1 < n) {
		b[o++] = '|';
		o += put_flags(b + o, n - o, v, FLAG_NAMES(of));
	}
	return o;
}

/* the *at flags, by name (0x200 is AT_REMOVEDIR for unlinkat, AT_EACCESS
 * for the access calls) */
static size_t put_atflags(char *b, size_t n, long v, const char *call)
{
	static const struct flag_name at[] = {
		{ AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW" },
		{ AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW" },
		{ AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT" },
		{ AT_EMPTY_PATH, "AT_EMPTY_PATH" },
		{ 0x8000, "AT_RECURSIVE" },
	};
	if (!(v & 0x200))
		return put_flags(b, n, v, FLAG_NAMES(at));
	size_t o = (size_t)snprintf(b, n, "%s",
				    strcmp(call, "unlinkat") ? "AT_EACCESS" :
							       "AT_REMOVEDIR");
	v &= ~0x200L;
	if (v && o + 1 < n) {
		b[o++] = '|';
		o += put_flags(b + o, n - o, v, FLAG_NAMES(at));
	}
	return o;
}

/* a mode with its file type, as strace shows mknod's (S_IFIFO|0644) */
static size_t put_mode(char *b, size_t n, long v)
{
	static const char *type[16] = {
		[S_IFIFO >> 12] = "S_IFIFO|",	[S_IFCHR >> 12] = "S_IFCHR|",
		[S_IFDIR >> 12] = "S_IFDIR|",	[S_IFBLK >> 12] = "S_IFBLK|",
		[S_IFREG >> 12] = "S_IFREG|",	[S_IFLNK >> 12] = "S_IFLNK|",
		[S_IFSOCK >> 12] = "S_IFSOCK|",
	};
	const char *t = type[(v & S_IFMT) >> 12];
	return (size_t)snprintf(b, n, "%s0%lo", t ? t : "", v & 07777);
}

/* fcntl's command by name (F_GETFL), as strace */
static size_t put_fcntl_cmd(char *b, size_t n, long v)
{
	static const char *cmd[] = {
		[F_DUPFD] = "F_DUPFD",		 [F_GETFD] = "F_GETFD",
		[F_SETFD] = "F_SETFD",		 [F_GETFL] = "F_GETFL",
		[F_SETFL] = "F_SETFL",		 [F_GETLK] = "F_GETLK",
		[F_SETLK] = "F_SETLK",		 [F_SETLKW] = "F_SETLKW",
		[F_SETOWN] = "F_SETOWN",	 [F_GETOWN] = "F_GETOWN",
		[F_SETSIG] = "F_SETSIG",	 [F_GETSIG] = "F_GETSIG",
		[F_SETOWN_EX] = "F_SETOWN_EX",	 [F_GETOWN_EX] = "F_GETOWN_EX",
		[F_OFD_GETLK] = "F_OFD_GETLK",	 [F_OFD_SETLK] = "F_OFD_SETLK",
		[F_OFD_SETLKW] = "F_OFD_SETLKW",
	};
	static const struct {
		long cmd;
		const char *name;
	} high[] = {
		{ F_SETLEASE, "F_SETLEASE" },
		{ F_GETLEASE, "F_GETLEASE" },
		{ F_NOTIFY, "F_NOTIFY" },
		{ F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC" },
		{ F_SETPIPE_SZ, "F_SETPIPE_SZ" },
		{ F_GETPIPE_SZ, "F_GETPIPE_SZ" },
		{ F_ADD_SEALS, "F_ADD_SEALS" },
		{ F_GET_SEALS, "F_GET_SEALS" },
	};
	if (v >= 0 && (size_t)v < sizeof(cmd) / sizeof(cmd[0]) && cmd[v])
		return (size_t)snprintf(b, n, "%s", cmd[v]);
	for (size_t i = 0; i < sizeof(high) / sizeof(high[0]); i++)
		if (high[i].cmd == v)
			return (size_t)snprintf(b, n, "%s", high[i].name);
	return (size_t)snprintf(b, n, "%#lx", v);
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

static const struct flag_name rename_flags[] = {
	{ RENAME_NOREPLACE, "RENAME_NOREPLACE" },
	{ RENAME_EXCHANGE, "RENAME_EXCHANGE" },
	{ RENAME_WHITEOUT, "RENAME_WHITEOUT" },
};

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
			o += put_mode(buf + o, len - o, v);
			break;
		case 'r':
			o += put_flags(buf + o, len - o, v,
				       FLAG_NAMES(rename_flags));
			break;
		case 'c': o += put_fcntl_cmd(buf + o, len - o, v); break;
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
