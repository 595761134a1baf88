/* SPDX-License-Identifier: BSD-3-Clause */
/* What the pmemfile tool's files share. */
#ifndef PF_TOOL_H
#define PF_TOOL_H

#include <pmemfile/core.h>

/* "pmemfile: SUBCOMMAND: message" on stderr (pmemfile.c). */
void tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tree.c: put -r, get -r. 0 when every entry was copied, else 1 (each
 * failure reported). */
int tree_put(pf_pool *pool, struct pf_caller *caller, const char *hostdir,
	     const char *path);
int tree_get(pf_pool *pool, struct pf_caller *caller, const char *path,
	     const char *hostdir);

#endif
