/* SPDX-License-Identifier: BSD-3-Clause */
/* The supervisor's private runtime directory (rundir.c). */
#ifndef PF_RUNDIR_H
#define PF_RUNDIR_H

#include <stddef.h>

/* How deep the tree goes: root/x/N/file. */
#define RUNDIR_DEPTH 3

/* The subdirectory `name` of the runtime directory (made if need be, and
 * the directory itself on first use): 0 with its path in out, or -errno. */
int rundir_sub(const char *name, char *out, size_t size);
/* Is path inside the runtime directory? */
int rundir_owns(const char *path);
/* rm -r of path, depth levels down (0: path alone). */
void rundir_remove(const char *path, int depth);
/* Removes the whole directory. */
void rundir_shutdown(void);

#endif
