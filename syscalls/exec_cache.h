/* SPDX-License-Identifier: BSD-3-Clause */
/* Host copies of pool files being executed (exec_cache.c). */
#ifndef PF_EXEC_CACHE_H
#define PF_EXEC_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "syscalls.h"

/*
 * An O_RDONLY|O_CLOEXEC fd of a host copy of pool file f (any open mode,
 * O_PATH too), named as the last name of `given` (the path it is executed
 * by: the process's name) and shown by /proc/PID/exe as vpath (symlinks
 * resolved): the cached copy while the file is unchanged, else a new one. The caller closes it. -errno: -ENOMEM (no
 * room for the copy), -EACCES (nowhere to put it), -EIO.
 */
int exec_cache_get(struct mount *m, pf_file *f, const char *given,
		   const char *vpath);
/* How many copies there are (0: no pool file was executed). */
int exec_cache_count(void);
/* 1 if a process is executing the copy of pool inode ino (writers of the
 * file then get ETXTBSY, as the kernel gives them). */
int exec_cache_running(const struct mount *m, uint64_t ino);
/* If host (a /proc/PID/exe link) is a copy: 1 with the pool file's
 * virtual path in out. */
int exec_cache_vpath(const char *host, char *out, size_t size);
/*
 * A path that names host program interp under the last name of `given`
 * (a symbolic link in the directory, made once): executing it runs interp
 * with the process named as Linux names it after a script. 0 with the
 * path in out (PATH_MAX bytes), or -errno (then execute interp itself).
 */
int exec_cache_alias(const char *interp, const char *given, char *out);
/* Removes every copy and the directory. */
void exec_cache_shutdown(void);

#endif
