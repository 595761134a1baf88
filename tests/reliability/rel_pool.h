/* SPDX-License-Identifier: BSD-3-Clause */
/* The pool side of rel.h (needs libpmemfile-core). */
#ifndef PF_REL_POOL_H
#define PF_REL_POOL_H

#include <pmemfile/core.h>

#include "rel.h"

/* root with every capability */
extern struct pf_caller rel_root;

/* Runs op through the pf_* API; same return convention as the model. */
long rel_pool_apply(pf_pool *p, const struct rel_op *op);

/* Canonical dump of the whole tree (same format as rel_model_dump).
 * *err (optional) gets the first error met while walking. */
char *rel_pool_dump(pf_pool *p, int *err);
/* The same without reading file contents (every h= is the empty hash). */
char *rel_pool_dump_meta(pf_pool *p, int *err);

/* pf_fsck printing each problem to stderr; returns what pf_fsck returns. */
int rel_fsck(const char *path, const char *label);

/* Copies a file with read/write. 0 or -errno. */
int rel_copy_file(const char *from, const char *to);

#endif
