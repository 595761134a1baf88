/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pmemfile: works on a pmemfile pool without running any program.
 *
 *   pmemfile fsck POOL               check every invariant (e2fsck codes)
 *   pmemfile ls [-l] POOL [PATH]     list a directory
 *   pmemfile cat POOL PATH           file contents to stdout
 *   pmemfile stat POOL PATH          inode attributes
 *   pmemfile put POOL HOSTFILE PATH  copy a host file in ("-": stdin)
 *   pmemfile put -r POOL HOSTDIR PATH  copy a tree in (tree.c)
 *   pmemfile get POOL PATH HOSTFILE  copy a file out ("-": stdout)
 *   pmemfile get -r POOL PATH HOSTDIR  copy a tree out
 *   pmemfile mkdir [-p] POOL PATH    make a directory
 *   pmemfile rm [-r] POOL PATH       remove a file or an empty directory
 *   pmemfile df POOL                 space and inodes
 *
 * One function per subcommand, dispatched from a table. Operations run
 * with the invoking process's real uid, gid and groups, and with every
 * capability if that uid is 0. Exit status: 0 done, 1 failed, 2 bad usage;
 * fsck: 0 clean, 1 problems found, 4 too damaged to walk, 8 operational
 * error, 16 bad usage (as e2fsck).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <pmemfile/core.h>

#include "tool.h"

#define PROG "pmemfile"

struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(int argc, char **argv);
};

static const struct command *current;
static struct pf_caller caller;
static uint32_t groups[256];
static mode_t cmask;            /* the process umask, applied to new modes */

void tool_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, PROG ": %s: ", current ? current->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(void)
{
	fprintf(stderr, "Usage: " PROG " %s %s\n", current->name,
		current->args);
	return 2;
}

static void init_caller(void)
{
	gid_t g[256];
	int n = getgroups(256, g);
	caller.fsuid = (uint32_t)getuid();
	caller.fsgid = (uint32_t)getgid();
	caller.ngroups = n > 0 ? (uint32_t)n : 0;
	for (int i = 0; i < n; i++)
		groups[i] = (uint32_t)g[i];
	caller.groups = groups;
	caller.caps = caller.fsuid == 0 ? ~0ULL : 0;
	cmask = umask(022);
	umask(cmask);
}

static pf_pool *open_pool(const char *path)
{
	char msg[256] = "";
	pf_pool *pool = NULL;
	int r = pf_pool_open(path, PF_OPEN_ISOLATED, &pool, msg, sizeof(msg));
	if (r == 0)
		return pool;
	if (r == -EINVAL)
		tool_error("%s: not a pmemfile pool%s%s", path,
			   msg[0] ? ": " : "", msg);
	else if (r == -EPROTO)
		tool_error("%s: unknown pool layout version%s%s", path,
			   msg[0] ? ": " : "", msg);
	else if (r == -EBUSY)
		tool_error("%s: the pool is in use by another process", path);
	else
		tool_error("%s: %s%s%s", path, strerror(-r), msg[0] ? ": " : "",
			   msg);
	return NULL;
}

/* Applies getopt-free option parsing: leading "-x" flags from `allowed`. */
static int parse_flags(int *argc, char ***argv, const char *allowed,
		       int *flags)
{
	while (*argc > 0 && (*argv)[0][0] == '-' && (*argv)[0][1]) {
		const char *a = (*argv)[0];
		if (strcmp(a, "--") == 0) {
			(*argc)--;
			(*argv)++;
			break;
		}
		for (a++; *a; a++) {
			const char *p = strchr(allowed, *a);
			if (!p) {
				tool_error("unknown option -%c", *a);
				return -1;
			}
			*flags |= 1 << (p - allowed);
		}
		(*argc)--;
		(*argv)++;
	}
	return 0;
}

/* ---- fsck ---------------------------------------------------------------- */

static void fsck_report(void *arg, const char *message)
{
	int *n = arg;
	(*n)++;
	printf("%s\n", message);
}

static int cmd_fsck(int argc, char **argv)
{
	int flags = 0;
	if (parse_flags(&argc, &argv, "", &flags) || argc != 1) {
		usage_error();
		return 16;      /* e2fsck: usage or syntax error */
	}
	/*
	 * In a child: libpmemobj may fault walking a pool whose own metadata
	 * is damaged (see PF_OPEN_ISOLATED); that is a verdict, not a crash.
	 */
	fflush(stdout);
	pid_t pid = fork();
	if (pid > 0) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st))
			return WEXITSTATUS(st);
		printf("%s: libpmemobj's metadata (pool header, lanes or heap) "
		       "is damaged: walking it faulted (%s)\n", argv[0],
		       strsignal(WTERMSIG(st)));
		return 4;       /* e2fsck: errors left uncorrected */
	}
	int reported = 0;
	int r = pf_fsck(argv[0], fsck_report, &reported);
	if (r < 0) {
		tool_error("%s: cannot check: %s", argv[0], strerror(-r));
		return 8;
	}
	if (r == 0) {
		printf("%s: clean\n", argv[0]);
		return 0;
	}
	printf("%s: %d problem%s found\n", argv[0], r, r == 1 ? "" : "s");
	return 1;
}

/* ---- ls ------------------------------------------------------------------ */

static void mode_string(uint32_t mode, char s[11])
{
	const char *types = "?pc?d?b?-?l?s???";
	s[0] = types[(mode >> 12) & 15];
	for (int i = 0; i < 9; i++)
		s[1 + i] = (mode & (0400 >> i)) ? "rwxrwxrwx"[i] : '-';
	if (mode & S_ISUID)
		s[3] = (mode & S_IXUSR) ? 's' : 'S';
	if (mode & S_ISGID)
		s[6] = (mode & S_IXGRP) ? 's' : 'S';
	if (mode & S_ISVTX)
		s[9] = (mode & S_IXOTH) ? 't' : 'T';
	s[10] = 0;
}

static void format_time(struct timespec t, char *buf, size_t len)
{
	struct tm tm;
	time_t sec = t.tv_sec;
	localtime_r(&sec, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static void print_long(pf_pool *pool, pf_file *dir, const char *path,
		       const char *name)
{
	struct pf_stat st;
	int r = pf_fstatat(pool, &caller, dir, path, &st, AT_SYMLINK_NOFOLLOW);
	if (r) {
		tool_error("%s: %s", name, strerror(-r));
		return;
	}
	char mode[11], when[32];
	mode_string(st.mode, mode);
	format_time(st.mtime, when, sizeof(when));
	printf("%s %3u %5u %5u ", mode, st.nlink, st.uid, st.gid);
	if (S_ISCHR(st.mode) || S_ISBLK(st.mode))
		printf("%4u, %4u", major(st.rdev), minor(st.rdev));
	else
		printf("%10" PRIu64, st.size);
	printf(" %s %s", when, name);
	if (S_ISLNK(st.mode)) {
		char target[PF_PATH_MAX];
		ssize_t n = pf_readlinkat(pool, &caller, dir, path, target,
					  sizeof(target) - 1);
		if (n >= 0)
			printf(" -> %.*s", (int)n, target);
	}
	putchar('\n');
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_ls(int argc, char **argv)
{
	int flags = 0;
	if (parse_flags(&argc, &argv, "la", &flags) || argc < 1 || argc > 2)
		return usage_error();
	int longfmt = flags & 1, all = flags & 2;
	const char *path = argc == 2 ? argv[1] : "/";
	pf_pool *pool = open_pool(argv[0]);
	if (!pool)
		return 1;
	int ret = 1;
	struct pf_stat st;
	pf_file *d = NULL;
	char **names = NULL;
	size_t n = 0;
	int r = pf_fstatat(pool, &caller, NULL, path, &st, 0);
	if (r == 0 && !S_ISDIR(st.mode)) {
		if (longfmt)
			print_long(pool, NULL, path, path);
		else
			printf("%s\n", path);
		ret = 0;
		goto out;
	}
	if (r == 0)
		r = pf_openat(pool, &caller, NULL, path,
			      O_RDONLY | O_DIRECTORY, 0, &d);
	if (r) {
		tool_error("%s: %s", path, strerror(-r));
		goto out;
	}
	char buf[16384];
	ssize_t got;
	while ((got = pf_getdents64(pool, d, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < got;) {
			struct pf_dirent64 *e = (void *)(buf + off);
			off += e->d_reclen;
			if (e->d_name[0] == '.' && !all)
				continue;
			names = realloc(names, (n + 1) * sizeof(*names));
			names[n++] = strdup(e->d_name);
		}
	}
	if (got < 0) {
		tool_error("%s: %s", path, strerror((int)-got));
		goto out;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		if (longfmt)
			print_long(pool, d, names[i], names[i]);
		else
			printf("%s\n", names[i]);
	}
	ret = 0;
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	pf_close(d);
	pf_pool_close(pool);
	return ret;
}

/* ---- cat / get / put ------------------------------------------------------ */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Copies pool file `path` to host fd `out`. */
static int copy_out(pf_pool *pool, const char *path, int out,
		    const char *outname)
{
	pf_file *f;
	int r = pf_openat(pool, &caller, NULL, path, O_RDONLY, 0, &f);
	if (r) {
		tool_error("%s: %s", path, strerror(-r));
		return 1;
	}
	struct pf_stat st;
	if (pf_fstat(pool, f, &st) == 0 && S_ISDIR(st.mode)) {
		tool_error("%s: %s", path, strerror(EISDIR));
		pf_close(f);
		return 1;
	}
	static char buf[1 << 20];
	ssize_t n;
	int ret = 0;
	while ((n = pf_read(pool, f, buf, sizeof(buf))) > 0) {
		r = write_all(out, buf, (size_t)n);
		if (r) {
			tool_error("%s: %s", outname, strerror(-r));
			ret = 1;
			break;
		}
	}
	if (n < 0) {
		tool_error("%s: %s", path, strerror((int)-n));
		ret = 1;
	}
	pf_close(f);
	return ret;
}

static int cmd_cat(int argc, char **argv)
{
	if (argc < 2)
		return usage_error();
	pf_pool *pool = open_pool(argv[0]);
	if (!pool)
		return 1;
	int ret = 0;
	for (int i = 1; i < argc; i++)
		ret |= copy_out(pool, argv[i], STDOUT_FILENO, "stdout");
	pf_pool_close(pool);
	return ret;
}

static int cmd_get(int argc, char **argv)
{
	int flags = 0;
	if (parse_flags(&argc, &argv, "r", &flags) || argc != 3)
		return usage_error();
	if (flags) {
		pf_pool *pool = open_pool(argv[0]);
		int ret = pool ? tree_get(pool, &caller, argv[1], argv[2]) : 1;
		pf_pool_close(pool);
		return ret;
	}
	int out = STDOUT_FILENO;
	if (strcmp(argv[2], "-") != 0) {
		out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			   0666);
		if (out < 0) {
			tool_error("%s: %s", argv[2], strerror(errno));
			return 1;
		}
	}
	pf_pool *pool = open_pool(argv[0]);
	int ret = pool ? copy_out(pool, argv[1], out, argv[2]) : 1;
	pf_pool_close(pool);
	if (out != STDOUT_FILENO && close(out) && !ret) {
		tool_error("%s: %s", argv[2], strerror(errno));
		ret = 1;
	}
	return ret;
}

static int cmd_put(int argc, char **argv)
{
	int flags = 0;
	if (parse_flags(&argc, &argv, "r", &flags) || argc != 3)
		return usage_error();
	if (flags) {
		pf_pool *pool = open_pool(argv[0]);
		int ret = pool ? tree_put(pool, &caller, argv[1], argv[2]) : 1;
		pf_pool_close(pool);
		return ret;
	}
	int in = STDIN_FILENO;
	mode_t mode = 0644;
	if (strcmp(argv[1], "-") != 0) {
		struct stat hst;
		in = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (in < 0 || fstat(in, &hst)) {
			tool_error("%s: %s", argv[1], strerror(errno));
			if (in >= 0)
				close(in);
			return 1;
		}
		if (S_ISDIR(hst.st_mode)) {
			tool_error("%s: %s", argv[1], strerror(EISDIR));
			close(in);
			return 1;
		}
		mode = hst.st_mode & 0777;
	}
	mode &= ~cmask;
	pf_pool *pool = open_pool(argv[0]);
	if (!pool) {
		if (in != STDIN_FILENO)
			close(in);
		return 1;
	}
	int ret = 1;
	pf_file *f = NULL;
	int r = pf_openat(pool, &caller, NULL, argv[2],
			  O_WRONLY | O_CREAT | O_TRUNC, mode, &f);
	if (r) {
		tool_error("%s: %s", argv[2], strerror(-r));
		goto out;
	}
	static char buf[1 << 20];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			tool_error("%s: %s", argv[1], strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = pf_write(pool, &caller, f, buf + done,
					     (size_t)(n - done));
			if (w < 0) {
				tool_error("%s: %s", argv[2],
					   strerror((int)-w));
				goto out;
			}
			done += w;
		}
	}
	ret = 0;
out:
	pf_close(f);
	pf_pool_close(pool);
	if (in != STDIN_FILENO)
		close(in);
	return ret;
}

/* ---- stat ---------------------------------------------------------------- */

static const char *type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "regular file";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symbolic link";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	case S_IFCHR: return "character special file";
	case S_IFBLK: return "block special file";
	default: return "unknown";
	}
}

static void print_time(const char *label, struct timespec t)
{
	char buf[64], zone[16];
	struct tm tm;
	time_t sec = t.tv_sec;
	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	printf("%s: %s.%09ld %s\n", label, buf, (long)t.tv_nsec, zone);
}

/* The names of path's attributes (NUL-separated) in list: their length,
 * or -errno. */
static ssize_t list_xattrs(pf_pool *pool, const char *path, char *list,
			   size_t size)
{
	return pf_listxattrat(pool, &caller, NULL, path, AT_SYMLINK_NOFOLLOW,
			      list, size);
}

static int cmd_stat(int argc, char **argv)
{
	if (argc < 2)
		return usage_error();
	pf_pool *pool = open_pool(argv[0]);
	if (!pool)
		return 1;
	int ret = 0;
	for (int i = 1; i < argc; i++) {
		struct pf_stat st;
		int r = pf_fstatat(pool, &caller, NULL, argv[i], &st,
				   AT_SYMLINK_NOFOLLOW);
		if (r) {
			tool_error("%s: %s", argv[i], strerror(-r));
			ret = 1;
			continue;
		}
		char mode[11];
		mode_string(st.mode, mode);
		printf("  File: %s", argv[i]);
		if (S_ISLNK(st.mode)) {
			char t[PF_PATH_MAX];
			ssize_t n = pf_readlinkat(pool, &caller, NULL, argv[i],
						  t, sizeof(t));
			if (n >= 0)
				printf(" -> %.*s", (int)n, t);
		}
		printf("\n  Size: %-15" PRIu64 " Blocks: %-10" PRIu64
		       " IO Block: %-6u %s\n", st.size, st.blocks, st.blksize,
		       type_name(st.mode));
		printf("Device: %" PRIx64 "h  Inode: %-11" PRIu64
		       " Links: %u", st.dev, st.ino, st.nlink);
		if (S_ISCHR(st.mode) || S_ISBLK(st.mode))
			printf("  Device type: %u,%u", major(st.rdev),
			       minor(st.rdev));
		printf("\nAccess: (%04o/%s)  Uid: %5u  Gid: %5u\n",
		       st.mode & 07777, mode, st.uid, st.gid);
		print_time("Access", st.atime);
		print_time("Modify", st.mtime);
		print_time("Change", st.ctime);
		print_time(" Birth", st.btime);
		static char names[PF_XATTR_LIST_MAX];
		ssize_t n = list_xattrs(pool, argv[i], names, sizeof(names));
		if (n > 0) {
			printf(" Xattr:");
			for (ssize_t o = 0; o < n;
			     o += (ssize_t)strlen(names + o) + 1)
				printf(" %s", names + o);
			printf("\n");
		}
	}
	pf_pool_close(pool);
	return ret;
}

/* ---- extended attributes -------------------------------------------------- */

/* name="text" as getfattr(1) prints it (\ooo for what is not printable),
 * or name=0xHEX */
static void print_xattr(const char *name, const unsigned char *v, size_t n,
			int hex)
{
	printf("%s=", name);
	if (hex) {
		printf("0x");
		for (size_t i = 0; i < n; i++)
			printf("%02x", v[i]);
	} else {
		putchar('"');
		for (size_t i = 0; i < n; i++) {
			if (v[i] == '"' || v[i] == '\\')
				printf("\\%c", v[i]);
			else if (v[i] >= 0x20 && v[i] < 0x7f)
				putchar(v[i]);
			else
				printf("\\%03o", v[i]);
		}
		putchar('"');
	}
	putchar('\n');
}

static int cmd_getfattr(int argc, char **argv)
{
	int flags = 0;
	if (parse_flags(&argc, &argv, "x", &flags) < 0 || argc < 2)
		return usage_error();
	pf_pool *pool = open_pool(argv[0]);
	if (!pool)
		return 1;
	static char list[PF_XATTR_LIST_MAX];
	static unsigned char value[PF_XATTR_SIZE_MAX];
	int ret = 0;
	for (int i = 1; i < argc; i++) {
		ssize_t n = list_xattrs(pool, argv[i], list, sizeof(list));
		if (n < 0) {
			tool_error("%s: %s", argv[i], strerror((int)-n));
			ret = 1;
			continue;
		}
		printf("# file: %s\n", argv[i]);
		for (ssize_t o = 0; o < n; o += (ssize_t)strlen(list + o) + 1) {
			ssize_t v = pf_getxattrat(pool, &caller, NULL, argv[i],
						  AT_SYMLINK_NOFOLLOW, list + o,
						  value, sizeof(value));
			if (v < 0) {
				tool_error("%s: %s: %s", argv[i], list + o,
					   strerror((int)-v));
				ret = 1;
				continue;
			}
			print_xattr(list + o, value, (size_t)v, flags & 1);
		}
		printf("\n");
	}
	pf_pool_close(pool);
	return ret;
}

/* ---- mkdir / rm ---------------------------------------------------------- */

static int mkdir_parents(pf_pool *pool, const char *path)
{
	char *p = strdup(path);
	int r = 0;
	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s && r == 0; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		r = pf_mkdirat(pool, &caller, NULL, p, 0777 & ~cmask);
		if (r == -EEXIST)
			r = 0;
		*s = '/';
	}
	if (r == 0) {
		r = pf_mkdirat(pool, &caller, NULL, p, 0777 & ~cmask);
		struct pf_stat st;
		if (r == -EEXIST &&
		    pf_fstatat(pool, &caller, NULL, p, &st, 0) == 0 &&
		    S_ISDIR(st.mode))
			r = 0;
	}
	free(p);
	return r;
}

static int cmd_mkdir(int argc, char **argv)
{
	int flags = 0;
	if (parse_flags(&argc, &argv, "p", &flags) || argc < 2)
		return usage_error();
	pf_pool *pool = open_pool(argv[0]);
	if (!pool)
		return 1;
	int ret = 0;
	for (int i = 1; i < argc; i++) {
		int r = (flags & 1) ? mkdir_parents(pool, argv[i]) :
			pf_mkdirat(pool, &caller, NULL, argv[i],
				   0777 & ~cmask);
		if (r) {
			tool_error("%s: %s", argv[i], strerror(-r));
			ret = 1;
		}
	}
	pf_pool_close(pool);
	return ret;
}

static int remove_tree(pf_pool *pool, const char *path, int recursive)
{
	struct pf_stat st;
	int r = pf_fstatat(pool, &caller, NULL, path, &st, AT_SYMLINK_NOFOLLOW);
	if (r)
		return r;
	if (!S_ISDIR(st.mode))
		return pf_unlinkat(pool, &caller, NULL, path, 0);
	if (recursive) {
		pf_file *d;
		r = pf_openat(pool, &caller, NULL, path,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0, &d);
		if (r)
			return r;
		char buf[16384];
		ssize_t got;
		/* removing entries while reading: restart until empty */
		while ((got = pf_getdents64(pool, d, buf, sizeof(buf))) > 0) {
			for (ssize_t off = 0; off < got && r == 0;) {
				struct pf_dirent64 *e = (void *)(buf + off);
				off += e->d_reclen;
				if (!strcmp(e->d_name, ".") ||
				    !strcmp(e->d_name, ".."))
					continue;
				char *child;
				if (asprintf(&child, "%s/%s", path,
					     e->d_name) < 0) {
					r = -ENOMEM;
					break;
				}
				r = remove_tree(pool, child, 1);
				free(child);
			}
			if (r)
				break;
		}
		pf_close(d);
		if (r)
			return r;
		if (got < 0)
			return (int)got;
	}
	return pf_unlinkat(pool, &caller, NULL, path, AT_REMOVEDIR);
}

static int cmd_rm(int argc, char **argv)
{
	int flags = 0;
	if (parse_flags(&argc, &argv, "r", &flags) || argc < 2)
		return usage_error();
	pf_pool *pool = open_pool(argv[0]);
	if (!pool)
		return 1;
	int ret = 0;
	for (int i = 1; i < argc; i++) {
		int r = remove_tree(pool, argv[i], flags & 1);
		if (r) {
			tool_error("%s: %s", argv[i], strerror(-r));
			ret = 1;
		}
	}
	pf_pool_close(pool);
	return ret;
}

/* ---- df ------------------------------------------------------------------ */

static int cmd_df(int argc, char **argv)
{
	if (argc != 1)
		return usage_error();
	pf_pool *pool = open_pool(argv[0]);
	if (!pool)
		return 1;
	struct pf_statfs s;
	int r = pf_statfs(pool, &s);
	pf_pool_close(pool);
	if (r) {
		tool_error("%s: %s", argv[0], strerror(-r));
		return 1;
	}
	uint64_t total = s.blocks * s.frsize / 1024;
	uint64_t avail = s.bavail * s.frsize / 1024;
	uint64_t used = (s.blocks - s.bfree) * s.frsize / 1024;
	printf("%-24s %12s %12s %12s %5s\n", "Pool", "1K-blocks", "Used",
	       "Available", "Use%");
	printf("%-24s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %4" PRIu64
	       "%%\n", argv[0], total, used, avail,
	       total ? (used * 100 + total - 1) / total : 0);
	printf("%-24s %12s %12s %12s %5s\n", "", "Inodes", "IUsed", "IFree",
	       "IUse%");
	printf("%-24s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %4" PRIu64
	       "%%\n", "", s.files, s.files - s.ffree, s.ffree,
	       s.files ? ((s.files - s.ffree) * 100 + s.files - 1) / s.files :
	       0);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------ */

static const struct command commands[] = {
	{ "fsck", "POOL", "check the pool (exit 0 clean, 1 problems, 8 error)",
	  cmd_fsck },
	{ "ls", "[-l] [-a] POOL [PATH]", "list a directory", cmd_ls },
	{ "cat", "POOL PATH...", "write files to standard output", cmd_cat },
	{ "stat", "POOL PATH...", "show inode attributes", cmd_stat },
	{ "getfattr", "[-x] POOL PATH...",
	  "show extended attributes (-x: values in hex)", cmd_getfattr },
	{ "put", "[-r] POOL HOSTFILE|HOSTDIR PATH",
	  "copy a host file (-r: a tree, into directory PATH) into the pool",
	  cmd_put },
	{ "get", "[-r] POOL PATH HOSTFILE|HOSTDIR",
	  "copy a pool file (-r: a tree, into directory HOSTDIR) to the host",
	  cmd_get },
	{ "mkdir", "[-p] POOL PATH...", "make directories", cmd_mkdir },
	{ "rm", "[-r] POOL PATH...", "remove files or empty directories",
	  cmd_rm },
	{ "df", "POOL", "show free space and inodes", cmd_df },
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: " PROG " COMMAND ARGS...\n"
		"Work on a pmemfile pool without running a program.\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-5s %-26s %s\n", commands[i].name,
			commands[i].args, commands[i].help);
	fprintf(out, "\n  --help, --version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf(PROG " (pmemfile-run) %s\n", pf_version());
		return 0;
	}
	init_caller();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			current = &commands[i];
			return commands[i].run(argc - 2, argv + 2);
		}
	}
	fprintf(stderr, PROG ": unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
