/* SPDX-License-Identifier: BSD-3-Clause */
/* The op table and the loop that draws operations from it. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/fsuid.h>

#include "ops.h"

static const struct {
	const char *name;
	op_fn *fn;
	unsigned weight;
} ops[] = {
	{ "creat", op_creat, 8 },	  { "mkdir", op_mkdir, 5 },
	{ "link", op_link, 3 },		  { "symlink", op_symlink, 3 },
	{ "mknod", op_mknod, 1 },	  { "rename", op_rename, 10 },
	{ "unlink", op_unlink, 5 },	  { "rmdir", op_rmdir, 4 },
	{ "chmod", op_chmod, 2 },	  { "chown", op_chown, 2 },
	{ "truncate", op_truncate, 3 },	  { "write", op_write, 8 },
	{ "read", op_read, 3 },		  { "stat", op_stat, 3 },
	{ "readdir", op_readdir, 2 },	  { "utimes", op_utimes, 2 },
	{ "setxattr", op_setxattr, 3 },	  { "getxattr", op_getxattr, 2 },
	{ "listxattr", op_listxattr, 1 }, { "removexattr", op_removexattr, 2 },
	{ "hold", op_hold, 3 },		  { "fdname", op_fdname, 4 },
};
#define NOPS (sizeof(ops) / sizeof(ops[0]))
_Static_assert(NOPS <= 32, "struct run counts at most 32 op kinds");

/* every so often the model is replaced by the tree itself (sorted) */
#define RESCAN_EVERY 500

/*
 * Some operations run as an unprivileged user: a file system uid other
 * than 0 also drops the file capabilities (CAP_CHOWN, CAP_DAC_OVERRIDE,
 * CAP_FOWNER, CAP_FSETID...), so permission checks, sticky directories,
 * set-id clearing and EPERM/EACCES are exercised and compared too.
 */
static const unsigned users[] = { 1, 1000, 65534 };

static void become(unsigned uid, unsigned gid)
{
	/* the group first: it cannot change once the uid is not 0 */
	setfsgid(gid);
	setfsuid(uid);
}

static unsigned pick_op(struct run *r)
{
	unsigned total = 0;
	for (unsigned i = 0; i < NOPS; i++)
		total += ops[i].weight;
	unsigned k = rng_below(&r->rng, total);
	for (unsigned i = 0; i < NOPS; i++) {
		if (k < ops[i].weight)
			return i;
		k -= ops[i].weight;
	}
	return 0;
}

int ops_run(struct run *r)
{
	if (!getcwd(r->root, sizeof(r->root)))
		snprintf(r->root, sizeof(r->root), "?");
	for (unsigned long n = 0; n < r->nops; n++) {
		if (n % RESCAN_EVERY == 0)
			tree_scan(&r->tree);
		unsigned k = pick_op(r);
		char args[2 * PATHBUF + 64] = "", extra[256] = "", res[64];
		char as[32] = "";
		unsigned uid = 0, gid = 0;
		if (rng_pct(&r->rng, 15)) {
			uid = users[rng_below(&r->rng, 3)];
			gid = users[rng_below(&r->rng, 3)];
			snprintf(as, sizeof(as), " as %u:%u", uid, gid);
			become(uid, gid);
		}
		errno = 0;
		long ret = ops[k].fn(r, args, sizeof(args), extra, sizeof(extra));
		if (uid || gid)
			become(0, 0);
		r->count[k]++;
		if (ret >= 0)
			r->ok[k]++;
		result_str(ret, res, sizeof(res));
		oplog_line(&r->log, "%lu %s %s%s %s%s%s", n, ops[k].name, args, as,
			   res, *extra ? " " : "", extra);
		if (ret < 0 && !errno_expected((int)-ret)) {
			r->log.unexpected++;
			fprintf(stderr, "pf-fsstress: unexpected error: op %lu %s %s %s\n",
				n, ops[k].name, args, res);
		}
	}
	held_close(r);
	return r->log.unexpected ? 1 : 0;
}

void ops_summary(const struct run *r, FILE *out)
{
	for (unsigned i = 0; i < NOPS; i++)
		fprintf(out, "  %-9s %6lu ops, %6lu succeeded\n", ops[i].name,
			r->count[i], r->ok[i]);
}
