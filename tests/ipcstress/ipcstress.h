/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pf-ipcstress: FIFOs and UNIX sockets named in the directory under test,
 * used by 2-4 cooperating processes in a schedule drawn from a seed.
 *
 * A coordinator (the first process) keeps a model of the names, the
 * inodes they name and the descriptors every worker holds, draws each
 * operation from the seed and the model, and has exactly one worker run
 * it (two for a FIFO open that waits for its peer). Workers answer over a
 * private socketpair with the op's log line and result; the next op is
 * drawn only after that. Nothing runs at the same time as anything else,
 * so results do not depend on timing, and the same seed gives the same op
 * log natively (tmpfs) and under pmemfile-run (a pool).
 *
 * No operation may wait: reads, writes and accepts look first (poll,
 * MSG_DONTWAIT, RWF_NOWAIT), blocking FIFO opens and connects are drawn
 * only when the model says a peer is there, and an alarm ends any wait the
 * model got wrong after a few seconds (logged as EINTR, counted on
 * stderr).
 */
#ifndef PF_IPCSTRESS_H
#define PF_IPCSTRESS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "fsstress.h" /* rng, fnv */

#define MAX_WORKERS 4
#define NSLOT 8 /* descriptors a worker may hold */
#define NFILE 3 /* regular files f0..f2 made at the start (SCM_RIGHTS) */
#define NNAME 16 /* names ops draw from (ipc_names in model.c) */
#define UNPRIV_ID 1000
#define BLOCK_ALARM 5 /* seconds a wait the model got wrong may last */

enum op {
	OP_MKFIFO,
	OP_OPEN, /* FIFO (or whatever the name is) */
	OP_OPEN_WAIT, /* blocking open; two of them make a rendezvous */
	OP_WRITE,
	OP_READ,
	OP_CLOSE,
	OP_POLL,
	OP_STAT,
	OP_FSTAT,
	OP_RENAME,
	OP_LINK,
	OP_UNLINK,
	OP_CHMOD,
	OP_SOCKET,
	OP_BIND,
	OP_LISTEN,
	OP_CONNECT,
	OP_ACCEPT,
	OP_SENDTO,
	OP_SENDFD,
	OP_NAMES,
	OP_SHUTDOWN,
	OP_REOPEN, /* open, close, and at once the other end: ENXIO, EOF */
	OP_RESPAWN, /* a worker exits (its descriptors close) and a new one
		     * takes its place */
	OP_SYMLINK,
	OP_CHURN, /* a new name made, used, unlinked and closed; maybe one
		   * object kept, unnamed */
	OP_QUIT,
	OP_COUNT
};

struct cmd {
	int op;
	int unpriv; /* run as UNPRIV_ID (setfsuid/setfsgid) */
	int slot, slot2;
	int flags; /* open flags, socket type, rename flags, how... */
	int mode;
	int len;
	uint64_t dseed; /* data written */
	char name[32], name2[32];
};

struct reply {
	long ret; /* >= 0, or -errno */
	int blocked; /* an alarm ended a wait */
	char text[1536];
};

/* worker.c: serve commands from fd ctl until OP_QUIT; never returns */
__attribute__((noreturn)) void worker_main(int ctl);

/* run.c: the coordinator */
struct ipcrun {
	struct rng rng;
	int nworkers;
	int ctl[MAX_WORKERS]; /* -1: none */
	pid_t pid[MAX_WORKERS];
	unsigned long nops;
	FILE *log;
	uint64_t hash;
	unsigned long count[OP_COUNT], ok[OP_COUNT], blocked;
};
int coordinator_run(struct ipcrun *r);
/* model.c: the model the ops are drawn from (updated from results only) */
void model_init(void);
void model_free(void);
/* the next op for the worker returned; ni, ni2: the names it uses */
int model_draw(struct ipcrun *r, struct cmd *c, int *ni, int *ni2);
/* an empty slot of worker w (or any, when all are full) */
int model_slot_free(struct ipcrun *r, int w);
void model_update(int w, const struct cmd *c, long ret, int ni, int ni2);
/* worker w exited: it holds nothing */
void model_exit(int w);
/* main.c: a worker w forked (its control socket in r->ctl[w]), 0 or -1;
 * told to quit before, reaped: 0, or -1 when it did not exit 0 */
int worker_spawn(struct ipcrun *r, int w);
int worker_reap(struct ipcrun *r, int w);
/* the closing listing: every name's type, mode, links, owner */
void list_names(struct ipcrun *r);
void log_line(struct ipcrun *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
extern const char *const ipc_names[NNAME];
/* the last component of the directory under test (model.c) */
extern const char *ipc_dir_base;
extern const char *const op_names[OP_COUNT];

#endif
