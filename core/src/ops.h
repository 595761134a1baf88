/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers of the namespace and attribute operations. */
#ifndef PF_OPS_H
#define PF_OPS_H

#include "internal.h"

/* in a TX: sets a directory's mtime and ctime */
void pf_touch_dir_tx(struct pf_inode *dpi, int64_t now);
/* times_always: false for truncate(2), which leaves a file whose size
 * does not change alone (Linux's vfs_truncate asks for no new times;
 * ftruncate and O_TRUNC do) */
int pf_truncate_vinode(struct pf_pool *p, struct pf_caller *c,
		       struct pf_vinode *vi, off_t len, bool times_always);

#endif
