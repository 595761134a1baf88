/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * execve and execveat of files in DIR: ELF programs (this program, copied
 * into DIR) by absolute and relative path, through PATH, symlinks, dirfds,
 * AT_EMPTY_PATH and fexecve; #! scripts with host and DIR interpreters,
 * nested, with the script's name as the kernel passes it; every errno the
 * kernel gives before it loads anything; ETXTBSY both ways; exec from
 * posix_spawn (vfork) and from a thread. Natively on tmpfs these are
 * Linux's answers; in a pool they must be the same.
 *
 * The exec'd program is this one: with PFT_REPORT=FILE in its environment
 * it writes what it was given (argv, its name, /proc/self/exe, PFT_X) to
 * FILE and exits 42.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "check.h"

extern char **environ;

static char *g_self; /* this program */
static char g_report[4096];

/* The report: one line per argv element, then comm, exe and PFT_X. */
static int report(const char *file)
{
	FILE *f = fopen(file, "w");
	if (!f)
		return 1;
	char comm[32] = "";
	char exe[4096] = "";
	int fd = open("/proc/self/comm", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
	if (n > 0)
		comm[n - 1] = 0;
	if (fd >= 0)
		close(fd);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	/* opening /proc/self/exe opens the program */
	char elf[4] = "";
	fd = open("/proc/self/exe", O_RDONLY);
	if (fd >= 0 && read(fd, elf, 4) != 4)
		elf[0] = 0;
	if (fd >= 0)
		close(fd);
	fprintf(f, "exe=%s\ncomm=%s\nelf=%d\nx=%s\n", exe, comm,
		!memcmp(elf, "\177ELF", 4),
		getenv("PFT_X") ? getenv("PFT_X") : "(unset)");
	fclose(f);
	return 42;
}

static int report_args(const char *file, int argc, char **argv)
{
	FILE *f = fopen(file, "a");
	if (!f)
		return 1;
	if (getenv("PFT_COMM")) {
		char comm[32] = "";
		FILE *c = fopen("/proc/self/comm", "r");
		if (c && fgets(comm, sizeof(comm), c))
			fprintf(f, "comm=%s", comm);
		if (c)
			fclose(c);
	}
	fprintf(f, "argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		fprintf(f, "argv[%d]=%s\n", i, argv[i]);
	fclose(f);
	return 0;
}

/* Runs fn in a child: its exit status (or 128+signal). */
static int in_child(void (*fn)(void *), void *arg)
{
	pid_t p = fork();
	if (p == 0) {
		fn(arg);
		_exit(errno < 100 ? errno : 99);
	}
	int st;
	if (waitpid(p, &st, 0) != p)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct ex {
	int how; /* 0 execve, 1 execveat, 2 execvp, 3 fexecve */
	int dirfd;
	const char *path;
	int flags;
	char *const *argv;
	uid_t uid; /* != 0: switch to it first */
};

static void do_exec(void *a)
{
	struct ex *e = a;
	char *env[] = { "PFT_X=1", NULL, NULL };
	char rep[4200];
	snprintf(rep, sizeof(rep), "PFT_REPORT=%s", g_report);
	env[1] = rep;
	char *argv0[] = { "prog", NULL };
	char *const *argv = e->argv ? e->argv : argv0;
	if (e->uid && setresuid(e->uid, e->uid, e->uid) < 0)
		_exit(98);
	if (e->how == 0)
		execve(e->path, argv, env);
	else if (e->how == 1)
		syscall(SYS_execveat, e->dirfd, e->path, argv, env, e->flags);
	else if (e->how == 3)
		fexecve(e->dirfd, argv, env);
	else {
		setenv("PFT_X", "1", 1);
		setenv("PFT_REPORT", g_report, 1);
		execvp(e->path, argv);
	}
}

static int run_ex(int how, int dirfd, const char *p, int flags)
{
	struct ex e = { how, dirfd, p, flags, NULL, 0 };
	unlink(g_report);
	return in_child(do_exec, &e);
}

static char *slurp(const char *p)
{
	static char buf[65536];
	if (read_file(p, buf, sizeof(buf)) < 0)
		buf[0] = 0;
	return buf;
}

/* The report says the program ran as comm with /proc/self/exe = exe. */
static void expect_ran(int st, const char *comm, const char *exe)
{
	CHECK_EQ(42, st);
	char want[8192];
	snprintf(want, sizeof(want), "exe=%s\ncomm=%s\nelf=1\nx=1\n", exe,
		 comm);
	CHECK_STR(want, slurp(g_report));
}

/* cp g_self DIR/name, mode. */
static void install(const char *name, mode_t mode)
{
	int in = CHECK_OK(open(g_self, O_RDONLY));
	int out =
		CHECK_OK(open(path(name), O_WRONLY | O_CREAT | O_TRUNC, mode));
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHECK_EQ(n, write(out, buf, (size_t)n));
	close(in);
	CHECK_OK(close(out));
	CHECK_OK(chmod(path(name), mode));
}

static void t_elf_paths(void)
{
	CHECK_OK(mkdir(path("bin"), 0755));
	install("bin/prog", 0755);
	char exe[4096];
	snprintf(exe, sizeof(exe), "%s", path("bin/prog"));

	expect_ran(run_ex(0, 0, path("bin/prog"), 0), "prog", exe);
	/* relative, from a cwd in DIR */
	char saved[4096];
	CHECK(getcwd(saved, sizeof(saved)) != NULL);
	CHECK_OK(chdir(path("bin")));
	expect_ran(run_ex(0, 0, "./prog", 0), "prog", exe);
	expect_ran(run_ex(0, 0, "../bin/./prog", 0), "prog", exe);
	CHECK_OK(chdir(saved));
	/* PATH walk: a host directory without it first */
	char pathvar[8192];
	snprintf(pathvar, sizeof(pathvar), "%s:%s", g_host, path("bin"));
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", pathvar, 1);
	expect_ran(run_ex(2, 0, "prog", 0), "prog", exe);
	if (old)
		setenv("PATH", old, 1);
	free(old);
	/* a symlink: named after the link, /proc/self/exe is the file */
	CHECK_OK(symlink("bin/prog", path("link")));
	expect_ran(run_ex(0, 0, path("link"), 0), "link", exe);
	/* a hard link: its own name and path */
	CHECK_OK(link(path("bin/prog"), path("hard")));
	char hexe[4096];
	snprintf(hexe, sizeof(hexe), "%s", path("hard"));
	expect_ran(run_ex(0, 0, path("hard"), 0), "hard", hexe);
	/* execveat: dirfd + name, AT_EMPTY_PATH on an fd, O_PATH fd */
	int d = CHECK_OK(open(path("bin"), O_RDONLY | O_DIRECTORY));
	expect_ran(run_ex(1, d, "prog", 0), "prog", exe);
	int f = CHECK_OK(open(path("bin/prog"), O_RDONLY));
	expect_ran(run_ex(1, f, "", AT_EMPTY_PATH), "prog", exe);
	int pf = CHECK_OK(open(path("bin/prog"), O_PATH));
	expect_ran(run_ex(1, pf, "", AT_EMPTY_PATH), "prog", exe);
	/* fexecve (glibc: execveat(fd, "", AT_EMPTY_PATH)) */
	expect_ran(run_ex(3, f, NULL, 0), "prog", exe);
	close(d);
	close(f);
	close(pf);
}

/* exec by errno: the child's exit status is the errno of the exec */
static void t_errors(void)
{
	CHECK_OK(mkdir(path("e"), 0755));
	install("e/prog", 0755);
	CHECK_EQ(ENOENT, run_ex(0, 0, path("e/missing"), 0));
	CHECK_EQ(ENOENT, run_ex(0, 0, path("e/nodir/prog"), 0));
	CHECK_EQ(ENOTDIR, run_ex(0, 0, path("e/prog/x"), 0));
	CHECK_EQ(ENOTDIR, run_ex(0, 0, path("e/prog/"), 0));
	CHECK_EQ(ENOENT, run_ex(0, 0, "", 0));
	/* not executable, a directory, a FIFO */
	install("e/noexec", 0644);
	CHECK_EQ(EACCES, run_ex(0, 0, path("e/noexec"), 0));
	CHECK_EQ(EACCES, run_ex(0, 0, path("e"), 0));
	CHECK_OK(mkfifo(path("e/fifo"), 0755));
	CHECK_EQ(EACCES, run_ex(0, 0, path("e/fifo"), 0));
	/* unknown content */
	write_file(path("e/junk"), "just text\n");
	CHECK_OK(chmod(path("e/junk"), 0755));
	CHECK_EQ(ENOEXEC, run_ex(0, 0, path("e/junk"), 0));
	write_file(path("e/empty"), "");
	CHECK_OK(chmod(path("e/empty"), 0755));
	CHECK_EQ(ENOEXEC, run_ex(0, 0, path("e/empty"), 0));
	write_file(path("e/bang"), "#!\n");
	CHECK_OK(chmod(path("e/bang"), 0755));
	CHECK_EQ(ENOEXEC, run_ex(0, 0, path("e/bang"), 0));
	/* a missing interpreter, a non-executable one */
	write_file(path("e/nointerp"), "#!/nonexistent/sh\n");
	CHECK_OK(chmod(path("e/nointerp"), 0755));
	CHECK_EQ(ENOENT, run_ex(0, 0, path("e/nointerp"), 0));
	char s[8192];
	snprintf(s, sizeof(s), "#!%s\n", path("e/noexec"));
	write_file(path("e/badinterp"), s);
	CHECK_OK(chmod(path("e/badinterp"), 0755));
	CHECK_EQ(EACCES, run_ex(0, 0, path("e/badinterp"), 0));
	/* symlinks: a loop, and AT_SYMLINK_NOFOLLOW on one */
	CHECK_OK(symlink("loop2", path("e/loop1")));
	CHECK_OK(symlink("loop1", path("e/loop2")));
	CHECK_EQ(ELOOP, run_ex(0, 0, path("e/loop1"), 0));
	CHECK_OK(symlink("prog", path("e/sl")));
	int d = CHECK_OK(open(path("e"), O_RDONLY | O_DIRECTORY));
	CHECK_EQ(ELOOP, run_ex(1, d, "sl", AT_SYMLINK_NOFOLLOW));
	CHECK_EQ(EINVAL, run_ex(1, d, "prog", 0x8000));
	/* a directory fd with AT_EMPTY_PATH; "" without it */
	CHECK_EQ(EACCES, run_ex(1, d, "", AT_EMPTY_PATH));
	CHECK_EQ(ENOENT, run_ex(1, d, "", 0));
	close(d);
	/* a name too long */
	char longp[600];
	memset(longp, 'n', sizeof(longp));
	longp[sizeof(longp) - 1] = 0;
	char lp[8192];
	snprintf(lp, sizeof(lp), "%s/%s", path("e"), longp);
	CHECK_EQ(ENAMETOOLONG, run_ex(0, 0, lp, 0));
	/* open for writing: ETXTBSY (by any process: this one here) */
	int w = CHECK_OK(open(path("e/prog"), O_WRONLY));
	CHECK_EQ(ETXTBSY, run_ex(0, 0, path("e/prog"), 0));
	close(w);
	CHECK_EQ(42, run_ex(0, 0, path("e/prog"), 0));
	/* search permission on the way, as another user */
	if (geteuid() == 0) {
		CHECK_OK(mkdir(path("e/private"), 0700));
		install("e/private/prog", 0755);
		struct ex e = { 0, 0, path("e/private/prog"), 0, NULL, 65534 };
		CHECK_EQ(EACCES, in_child(do_exec, &e));
		install("e/ownerx", 0744);
		struct ex e2 = { 0, 0, path("e/ownerx"), 0, NULL, 65534 };
		CHECK_EQ(EACCES, in_child(do_exec, &e2));
		/* root needs some x bit, not its own */
		install("e/otherx", 0701);
		CHECK_EQ(42, run_ex(0, 0, path("e/otherx"), 0));
	}
}

static int ready_pipe[2];

static void t_busy(void)
{
	CHECK_OK(mkdir(path("b"), 0755));
	install("b/prog", 0755);
	CHECK_OK(pipe(ready_pipe));
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = { "prog", "--wait", NULL };
		close(ready_pipe[0]);
		dup2(ready_pipe[1], 3);
		execv(path("b/prog"), argv);
		_exit(127);
	}
	close(ready_pipe[1]);
	char c;
	CHECK_EQ(1, read(ready_pipe[0], &c, 1)); /* it runs */
	CHECK_ERR(ETXTBSY, open(path("b/prog"), O_WRONLY));
	CHECK_ERR(ETXTBSY, open(path("b/prog"), O_RDWR | O_TRUNC));
	CHECK_ERR(ETXTBSY, truncate(path("b/prog"), 0));
	int r = CHECK_OK(open(path("b/prog"), O_RDONLY));
	close(r);
	/* unlink and rename of a running program are fine */
	CHECK_OK(rename(path("b/prog"), path("b/prog2")));
	CHECK_ERR(ETXTBSY, open(path("b/prog2"), O_WRONLY));
	kill(p, SIGTERM);
	int st;
	CHECK_EQ(p, waitpid(p, &st, 0));
	close(ready_pipe[0]);
	int w = CHECK_OK(open(path("b/prog2"), O_WRONLY));
	close(w);
}

/* argv as the interpreter sees it, from the report file */
static void expect_args(int st, const char *want)
{
	CHECK_EQ(0, st);
	CHECK_STR(want, slurp(g_report));
}

static void exec_args(void *a)
{
	struct ex *e = a;
	char rep[4200];
	snprintf(rep, sizeof(rep), "PFT_ARGS=%s", g_report);
	char *env[] = { rep, e->uid ? "PFT_COMM=1" : NULL, NULL };
	if (e->how == 0)
		execve(e->path, e->argv, env);
	else
		syscall(SYS_execveat, e->dirfd, e->path, e->argv, env,
			e->flags);
}

static int run_args(int how, int dirfd, const char *p, int flags,
		    char *const *argv)
{
	struct ex e = { how, dirfd, p, flags, argv, 0 };
	unlink(g_report);
	return in_child(exec_args, &e);
}

static void script(const char *name, const char *first_line)
{
	char s[8192];
	snprintf(s, sizeof(s), "%s\necho not reached\n", first_line);
	write_file(path(name), s);
	CHECK_OK(chmod(path(name), 0755));
}

static void t_scripts(void)
{
	char want[16384], line[8192];
	CHECK_OK(mkdir(path("s"), 0755));
	install("s/interp", 0755);
	/* a DIR interpreter with an argument (spaces around it trimmed) */
	snprintf(line, sizeof(line), "#!  %s   -x y  ", path("s/interp"));
	script("s/one", line);
	char *argv[] = { "ONE", "a", "b c", NULL };
	snprintf(
		want, sizeof(want),
		"argc=5\nargv[0]=%s\nargv[1]=-x y\nargv[2]=%s\nargv[3]=a\nargv[4]=b c\n",
		path("s/interp"), path("s/one"));
	expect_args(run_args(0, 0, path("s/one"), 0, argv), want);
	/* relative name from a DIR cwd: passed as given */
	char saved[4096];
	CHECK(getcwd(saved, sizeof(saved)) != NULL);
	CHECK_OK(chdir(path("s")));
	snprintf(
		want, sizeof(want),
		"argc=5\nargv[0]=%s\nargv[1]=-x y\nargv[2]=./one\nargv[3]=a\nargv[4]=b c\n",
		path("s/interp"));
	expect_args(run_args(0, 0, "./one", 0, argv), want);
	/* a relative interpreter, from the cwd */
	script("s/rel", "#!./interp");
	snprintf(want, sizeof(want),
		 "argc=3\nargv[0]=./interp\nargv[1]=./rel\nargv[2]=a\n");
	char *argv2[] = { "REL", "a", NULL };
	expect_args(run_args(0, 0, "./rel", 0, argv2), want);
	CHECK_OK(chdir(saved));
	/* through a dirfd: /dev/fd/N/name */
	int d = CHECK_OK(open(path("s"), O_RDONLY | O_DIRECTORY));
	snprintf(
		want, sizeof(want),
		"argc=5\nargv[0]=%s\nargv[1]=-x y\nargv[2]=/dev/fd/%d/one\nargv[3]=a\nargv[4]=b c\n",
		path("s/interp"), d);
	expect_args(run_args(1, d, "one", 0, argv), want);
	/* fexecve: /dev/fd/N; a close-on-exec fd: ENOENT */
	int f = CHECK_OK(open(path("s/one"), O_RDONLY));
	snprintf(
		want, sizeof(want),
		"argc=5\nargv[0]=%s\nargv[1]=-x y\nargv[2]=/dev/fd/%d\nargv[3]=a\nargv[4]=b c\n",
		path("s/interp"), f);
	expect_args(run_args(1, f, "", AT_EMPTY_PATH, argv), want);
	int fc = CHECK_OK(open(path("s/one"), O_RDONLY | O_CLOEXEC));
	CHECK_EQ(ENOENT, run_args(1, fc, "", AT_EMPTY_PATH, argv));
	close(f);
	close(fc);
	close(d);
	/* nested: three -> two -> one -> interp */
	snprintf(line, sizeof(line), "#!%s two-arg", path("s/one"));
	script("s/two", line);
	snprintf(line, sizeof(line), "#!%s", path("s/two"));
	script("s/three", line);
	snprintf(
		want, sizeof(want),
		"argc=7\nargv[0]=%s\nargv[1]=-x y\nargv[2]=%s\nargv[3]=two-arg\n"
		"argv[4]=%s\nargv[5]=%s\nargv[6]=z\n",
		path("s/interp"), path("s/one"), path("s/two"),
		path("s/three"));
	char *argv3[] = { "THREE", "z", NULL };
	expect_args(run_args(0, 0, path("s/three"), 0, argv3), want);
	/* five scripts deep run, six are ELOOP (fs/exec.c) */
	char prev[4096];
	snprintf(prev, sizeof(prev), "%s", path("s/interp"));
	int st = 0;
	for (int i = 1; i <= 6; i++) {
		char name[32];
		snprintf(name, sizeof(name), "s/n%d", i);
		snprintf(line, sizeof(line), "#!%s", prev);
		script(name, line);
		snprintf(prev, sizeof(prev), "%s", path(name));
		char *av[] = { "N", NULL };
		st = run_args(0, 0, path(name), 0, av);
		if (i <= 4)
			CHECK_EQ(0, st);
	}
	CHECK_EQ(ELOOP, st);
	/* a host interpreter: sh with -c-less script; $0 is the path */
	write_file(path("s/sh"), "#!/bin/sh\necho \"$0|$*\" >\"$PFT_ARGS\"\n");
	CHECK_OK(chmod(path("s/sh"), 0755));
	char *argv4[] = { "SH", "p q", NULL };
	snprintf(want, sizeof(want), "%s|p q\n", path("s/sh"));
	expect_args(run_args(0, 0, path("s/sh"), 0, argv4), want);
	/* #!/usr/bin/env NAME */
	write_file(path("s/env"),
		   "#!/usr/bin/env sh\necho \"env:$0|$*\" >\"$PFT_ARGS\"\n");
	CHECK_OK(chmod(path("s/env"), 0755));
	snprintf(want, sizeof(want), "env:%s|p q\n", path("s/env"));
	expect_args(run_args(0, 0, path("s/env"), 0, argv4), want);
	/* the process is named after the script, whatever runs it */
	write_file(path("s/hostcomm"),
		   "#!/bin/sh\ncat /proc/$$/comm >\"$PFT_ARGS\"\n");
	CHECK_OK(chmod(path("s/hostcomm"), 0755));
	expect_args(run_args(0, 0, path("s/hostcomm"), 0, argv4), "hostcomm\n");
	struct ex ec = { 0, 0, path("s/one"), 0, argv4, 1 };
	unlink(g_report);
	snprintf(
		want, sizeof(want),
		"comm=one\nargc=4\nargv[0]=%s\nargv[1]=-x y\nargv[2]=%s\nargv[3]=p q\n",
		path("s/interp"), path("s/one"));
	expect_args(in_child(exec_args, &ec), want);
	/* a script needs no read permission to start (its interpreter does) */
	write_file(path("s/xonly"), "#!/bin/sh\necho ran >\"$PFT_ARGS\"\n");
	CHECK_OK(chmod(path("s/xonly"), 0711));
	CHECK_EQ(0, run_args(0, 0, path("s/xonly"), 0, argv4));
	/* many arguments after a script */
	enum { MANY = 3000 };
	char **big = calloc(MANY + 1, sizeof(*big));
	for (int i = 0; i < MANY; i++) {
		big[i] = malloc(16);
		snprintf(big[i], 16, "arg%d", i);
	}
	write_file(path("s/count"),
		   "#!/bin/sh\necho \"$#|$1|${2999}\" >\"$PFT_ARGS\"\n");
	CHECK_OK(chmod(path("s/count"), 0755));
	expect_args(run_args(0, 0, path("s/count"), 0, big),
		    "2999|arg1|arg2999\n");
	for (int i = 0; i < MANY; i++)
		free(big[i]);
	free(big);
}

/* posix_spawn (vfork in glibc) and exec from a second thread */
static void *thread_exec(void *a)
{
	char *argv[] = { "prog", NULL };
	char rep[4200];
	snprintf(rep, sizeof(rep), "PFT_REPORT=%s", g_report);
	char *env[] = { rep, "PFT_X=t", NULL };
	execve((const char *)a, argv, env);
	return (void *)(long)errno;
}

static void thread_child(void *a)
{
	pthread_t t;
	void *ret;
	if (pthread_create(&t, NULL, thread_exec, a) == 0 &&
	    pthread_join(t, &ret) == 0)
		errno = (int)(long)ret;
}

static void t_spawn_threads(void)
{
	CHECK_OK(mkdir(path("p"), 0755));
	install("p/prog", 0755);
	char rep[4200];
	snprintf(rep, sizeof(rep), "PFT_REPORT=%s", g_report);
	char *env[] = { rep, "PFT_X=s", NULL };
	char *argv[] = { "prog", NULL };
	for (int i = 0; i < 20; i++) {
		pid_t p;
		unlink(g_report);
		CHECK_EQ(
			0,
			posix_spawn(&p, path("p/prog"), NULL, NULL, argv, env));
		int st;
		CHECK_EQ(p, waitpid(p, &st, 0));
		CHECK_EQ(42, WEXITSTATUS(st));
	}
	pid_t p;
	CHECK_EQ(ENOENT,
		 posix_spawn(&p, path("p/missing"), NULL, NULL, argv, env));
	unlink(g_report);
	int st = in_child(thread_child, (void *)path("p/prog"));
	CHECK_EQ(42, st);
	char want[8192];
	snprintf(want, sizeof(want), "exe=%s\ncomm=prog\nelf=1\nx=t\n",
		 path("p/prog"));
	CHECK_STR(want, slurp(g_report));
}

/* A program that was replaced while it ran: the next exec runs the new one. */
static void t_replaced(void)
{
	CHECK_OK(mkdir(path("r"), 0755));
	write_file(path("r/v"), "#!/bin/sh\necho one >\"$PFT_ARGS\"\n");
	CHECK_OK(chmod(path("r/v"), 0755));
	char *argv[] = { "v", NULL };
	expect_args(run_args(0, 0, path("r/v"), 0, argv), "one\n");
	install("r/p", 0755);
	CHECK_EQ(42, run_ex(0, 0, path("r/p"), 0));
	/* now a different program under the same name: a script */
	CHECK_OK(unlink(path("r/p")));
	write_file(path("r/p"), "#!/bin/sh\necho two >\"$PFT_ARGS\"\n");
	CHECK_OK(chmod(path("r/p"), 0755));
	expect_args(run_args(0, 0, path("r/p"), 0, argv), "two\n");
	/* overwritten in place (same inode) */
	install("r/q", 0755);
	CHECK_EQ(42, run_ex(0, 0, path("r/q"), 0));
	write_file(path("r/q"), "#!/bin/sh\necho three >\"$PFT_ARGS\"\n");
	expect_args(run_args(0, 0, path("r/q"), 0, argv), "three\n");
}

/*
 * A second thread rewrites the path while the first executes it: one of
 * the two programs runs, whole (never a mix, never a hang).
 */
static char race_buf[4096];
static volatile int race_stop;

static void *flipper(void *a)
{
	const char *const *alt = a;
	for (unsigned i = 0; !race_stop; i++)
		memcpy(race_buf, alt[i & 1], strlen(alt[i & 1]) + 1);
	return NULL;
}

static void race_child(void *a)
{
	static const char *alt[2];
	alt[0] = a;
	alt[1] = "/bin/true";
	memcpy(race_buf, alt[0], strlen(alt[0]) + 1);
	pthread_t t;
	if (pthread_create(&t, NULL, flipper, alt) != 0)
		_exit(97);
	char *argv[] = { "prog", NULL };
	char rep[4200];
	snprintf(rep, sizeof(rep), "PFT_REPORT=%s", g_report);
	char *env[] = { rep, "PFT_X=r", NULL };
	execve(race_buf, argv, env);
	_exit(errno == ENOENT || errno == EFAULT ? 0 : 96);
}

static void t_race(void)
{
	CHECK_OK(mkdir(path("race"), 0755));
	install("race/prog", 0755);
	int pool = 0, host = 0;
	for (int i = 0; i < 200; i++) {
		int st = in_child(race_child, (void *)path("race/prog"));
		if (st == 42)
			pool++;
		else if (st == 0)
			host++;
		else
			PFT_FAIL("round %d: status %d", i, st);
	}
	printf("# race: %d pool, %d host\n", pool, host);
}

/* Signals with handlers rain on a process while it executes a pool file. */
static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	(void)sig;
	got++;
}

static void signal_child(void *a)
{
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_RESTART };
	sigaction(SIGUSR1, &sa, NULL);
	char *argv[] = { "prog", NULL };
	char rep[4200];
	snprintf(rep, sizeof(rep), "PFT_REPORT=%s", g_report);
	char *env[] = { rep, "PFT_X=1", "PFT_IGNORE_USR1=1", NULL };
	for (int i = 0; i < 5; i++)
		usleep(1000);
	execve((const char *)a, argv, env);
}

static void t_signals(void)
{
	CHECK_OK(mkdir(path("sig"), 0755));
	install("sig/prog", 0755);
	char exe[4096];
	snprintf(exe, sizeof(exe), "%s", path("sig/prog"));
	for (int i = 0; i < 30; i++) {
		unlink(g_report);
		pid_t p = fork();
		if (p == 0) {
			signal_child((void *)exe);
			_exit(errno);
		}
		/* until it has exec'd: SIGUSR1 is then ignored (the
		 * program's first act) or kills it before, which shows */
		int st;
		while (waitpid(p, &st, WNOHANG) == 0) {
			kill(p, SIGUSR1);
			usleep(50);
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 42) {
			/* killed by SIGUSR1 after the exec, before the program
			 * ignored it: the same happens natively */
			CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR1);
			continue;
		}
		expect_ran(42, "prog", exe);
	}
}

int main(int argc, char **argv)
{
	if (getenv("PFT_IGNORE_USR1"))
		signal(SIGUSR1, SIG_IGN);
	if (getenv("PFT_REPORT"))
		return argc > 1 && !strcmp(argv[1], "--wait") ?
			(write(3, "r", 1), pause(), 0) :
			report(getenv("PFT_REPORT"));
	if (getenv("PFT_ARGS"))
		return report_args(getenv("PFT_ARGS"), argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--wait")) {
		if (write(3, "r", 1) != 1)
			return 1;
		pause();
		return 0;
	}
	g_self = realpath("/proc/self/exe", NULL);
	if (!g_self) {
		perror("realpath /proc/self/exe");
		return 1;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: %s DIR HOSTDIR [CASE...]\n", argv[0]);
		return 2;
	}
	snprintf(g_report, sizeof(g_report), "%s/report", argv[2]);
	static const struct pft_case cases[] = {
		{ "elf_paths", t_elf_paths },
		{ "errors", t_errors },
		{ "busy", t_busy },
		{ "scripts", t_scripts },
		{ "spawn_threads", t_spawn_threads },
		{ "replaced", t_replaced },
		{ "race", t_race },
		{ "signals", t_signals },
		{ NULL, NULL },
	};
	return pft_run(cases, argc, argv);
}
