/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers of the namespace and attribute operations. */
#ifndef PF_OPS_H
#define PF_OPS_H

#include "internal.h"

/* in a TX: sets a directory's mtime and ctime */
void pf_touch_dir_tx(struct pf_inode *dpi, int64_t now);
int pf_truncate_vinode(struct pf_pool *p, struct pf_caller *c,
		       struct pf_vinode *vi, off_t len);

#endif
