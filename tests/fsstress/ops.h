/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to the operations: argument generation and the op signature. */
#ifndef PF_FSSTRESS_OPS_H
#define PF_FSSTRESS_OPS_H

#include <stddef.h>

#include "fsstress.h"

#define PATHBUF 8192

/*
 * An op chooses its arguments, makes its call(s) and updates r->tree.
 * args: what goes into the log line (the arguments); extra: what the
 * call observed beyond its return value (stat fields, a content hash),
 * both compared between file systems. Returns the result, -errno on
 * failure.
 */
typedef long op_fn(struct run *r, char *args, size_t alen,
		   char *extra, size_t elen);

/* paths.c */
/* an existing path of one of types (mostly), or one that must fail */
void gen_path(struct run *r, const char *types, char *out, size_t len);
/* a name that does not exist yet in a random directory (mostly) */
void gen_new(struct run *r, char prefix, char *out, size_t len);
/* a symlink target that stays inside the tree (no "..", not absolute) */
void gen_target(struct run *r, char *out, size_t len);
void join(const char *dir, const char *name, char *out, size_t len);
/* path without trailing slashes, as the tree model names it */
void norm(const char *path, char *out, size_t len);
/* dirname of a normalised path ("." for a name in the root) */
void parent_of(const char *path, char *out, size_t len);

/* ops_ns.c: names */
op_fn op_creat, op_mkdir, op_link, op_symlink, op_mknod, op_rename,
	op_unlink, op_rmdir;
/* ops_attr.c: attributes and data */
op_fn op_chmod, op_chown, op_truncate, op_write, op_read, op_stat, op_readdir,
	op_utimes, op_setxattr, op_getxattr, op_listxattr, op_removexattr;

/* ops_fd.c: descriptions held across operations, and their names */
#define HELD 8
op_fn op_hold, op_fdname;
void held_close(struct run *r);

/* "fixed 100000000.5" or "now" (see FIXED_TIME_LIMIT) */
void time_str(const struct timespec *ts, char *out, size_t len);

#endif
