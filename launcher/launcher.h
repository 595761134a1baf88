/* SPDX-License-Identifier: BSD-3-Clause */
/* pmemfile-run's internal interfaces (launcher/ only). */
#ifndef PF_LAUNCHER_H
#define PF_LAUNCHER_H
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <pmemfile/core.h>

#define EXIT_OWN 125       /* pmemfile-run's own failure */
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127

#define MAX_POOLS 16

struct options {
	const char *pool[MAX_POOLS];
	const char *mount[MAX_POOLS];
	pf_pool *open[MAX_POOLS];
	int npools;
	uint64_t create_size;   /* --create SIZE, 0: do not create */
	const char *log_file;
	int log_level;
	int trace;
	int workers;
	/* --sandbox and its options (sandbox.c) */
	int sandbox;
	const char *rw[64];
	int nrw;
	const char *hide[64];
	int nhide;
	int net; /* 0 (default: none), 'n' none, 'h' host */
	int ephemeral; /* --ephemeral (ephemeral.c) */
	const char *ephemeral_mount;
	const char *report; /* --report FILE (report.c) */
	char **argv;            /* the command */
};

/* options.c */
/* Parses argv; on error prints a one-line message and exits 125. */
void options_parse(struct options *o, int argc, char **argv);

/* log.c */
void log_open(const char *file, int level, int trace);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* --trace: lock, answer the call, then print the line and unlock. */
void log_trace_lock(void);
void log_trace_unlock(const char *line);
int log_tracing(void);
/* Start-up failures only: prints "pmemfile-run: ..." and exits 125. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* pools.c */
/* Opens (creating where asked) every pool and registers the mounts. */
void pools_open(struct options *o);
void pools_close(struct options *o);

/* child.c */
/* Starts argv under the filter; returns its pid and the listener fd. */
pid_t child_start(char **argv, int *listener);

/* ephemeral.c: --ephemeral's pool in o (before pools_open), removed at
 * exit; stale ones of dead pmemfile-runs removed */
void ephemeral_setup(struct options *o);

/* report.c: --report FILE */
void report_setup(struct options *o);
extern int o_report; /* loop.c times each call when set */
void report_pools_before(struct options *o);
/* a notification served: its result and the time it took */
struct call;
void report_call(struct call *c, long r, uint64_t ns);
void report_leftover(long pid, const char *comm);
/* at exit, while the pools are open; status as from waitpid */
void report_write(struct options *o, int status);

/* sandbox.c */
/* Refuses (exit 125) option combinations that make no sense. */
void sandbox_check_options(struct options *o);
/* Builds the Landlock ruleset (after the pools are open); fails closed. */
void sandbox_setup(struct options *o);
/* Never writable by the tree (the report, the runtime directory). */
void sandbox_protect(const char *path);
/* child_start, from the sandbox's helper thread under --sandbox. */
pid_t sandbox_child_start(struct options *o, int *listener);
/* In the child before exec: 0 or -errno. */
int sandbox_child_restrict(void);
/* Runs fn(arg) in a thread of the tree's Landlock domain. */
long sandbox_run(long (*fn)(void *arg), void *arg);
/* Interrupts (SIGUSR2) runners blocked in a host call: at exit. */
void sandbox_kick(void);
void sandbox_stop(void);

/* loop.c */
void workers_start(int listener, int n);
void workers_stop(void);
/* Every few milliseconds from the main loop: keeps someone in RECV. */
void workers_tick(void);
#endif
