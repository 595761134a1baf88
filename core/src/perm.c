/* SPDX-License-Identifier: BSD-3-Clause */
/* POSIX permission checks with explicit credentials (generic_permission). */
#include <errno.h>

#include "internal.h"

bool
pf_in_group(const struct pf_caller *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool
pf_is_owner(const struct pf_caller *c, const struct pf_inode *pi)
{
	return c->fsuid == pi->uid;
}

/* mask: 4 read, 2 write, 1 execute/search. 0, -EACCES, or -EPERM for
 * writing an immutable inode. */
int
pf_may(const struct pf_caller *c, const struct pf_inode *pi, int mask)
{
	uint32_t mode = pi->mode;
	uint32_t bits;
	if ((mask & 2) && (pi->flags & PF_FL_IMMUTABLE))
		return -EPERM; /* inode_permission: before DAC, for root too */
	if (c->fsuid == pi->uid)
		bits = (mode >> 6) & 7;
	else if (pf_in_group(c, pi->gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	if ((bits & (uint32_t)mask) == (uint32_t)mask)
		return 0;
	bool isdir = S_ISDIR(mode);
	if (c->caps & PF_CAP_DAC_OVERRIDE) {
		if (!(mask & 1) || isdir || (mode & 0111))
			return 0;
	}
	if (c->caps & PF_CAP_DAC_READ_SEARCH) {
		int rest = mask & ~4;
		if (isdir)
			rest &= ~1;
		if (!rest)
			return 0;
	}
	return -EACCES;
}

/* sticky-directory rule for unlink/rename of victim from dir, and the
 * inode flags may_delete checks (false: EPERM) */
bool
pf_may_delete(const struct pf_caller *c, const struct pf_inode *dir,
	      const struct pf_inode *victim)
{
	if ((dir->flags & PF_FL_APPEND) ||
	    (victim->flags & (PF_FL_APPEND | PF_FL_IMMUTABLE)))
		return false;
	if (!(dir->mode & S_ISVTX))
		return true;
	if (c->fsuid == victim->uid || c->fsuid == dir->uid)
		return true;
	return (c->caps & PF_CAP_FOWNER) != 0;
}
