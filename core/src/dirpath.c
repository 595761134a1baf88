/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The path of a directory, rebuilt from the pool: what getcwd(2) and
 * readlink("/proc/self/fd/N") must show after the directory or one of its
 * ancestors was renamed, or when it was reached through a symlink.
 *
 * A directory inode has a parent link but no name; its name is the entry
 * that lists it in the parent. Walking up costs one parent scan per level,
 * so the caller's last known path serves as a hint: a level whose hinted
 * name still leads to the child costs one hashed lookup.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* Takes the last component off hint[0..*hlen): returns it and its length. */
static const char *
hint_pop(const char *hint, size_t *hlen, size_t *nlen)
{
	size_t e = *hlen;
	while (e > 0 && hint[e - 1] == '/')
		e--;
	size_t s = e;
	while (s > 0 && hint[s - 1] != '/')
		s--;
	*nlen = e - s;
	*hlen = s;
	return hint + s;
}

/* The name under which parent lists child, hint first. Caller: rename_lock. */
static int
name_in_parent(struct pf_pool *p, struct pf_vinode *parent,
	       struct pf_vinode *child, const char *hn, size_t hnl,
	       char name[PF_NAME_MAX + 1], size_t *len)
{
	pthread_rwlock_rdlock(&parent->lock);
	int ret = -ENOENT;
	PMEMoid o;
	if (hnl > 0 && hnl <= PF_NAME_MAX &&
	    pf_dir_lookup(p, parent, hn, hnl, &o, NULL) == 0 &&
	    o.off == child->off) {
		memcpy(name, hn, hnl);
		name[hnl] = 0;
		*len = hnl;
		ret = 0;
	}
	if (ret)
		ret = pf_dir_name_of(p, parent, child->off, name, len);
	pthread_rwlock_unlock(&parent->lock);
	/* a live directory its parent does not list: damaged */
	return ret == -ENOENT ? -EIO : ret;
}

ssize_t
pf_dir_path(pf_pool *p, pf_file *dir, const char *hint, char *buf,
	    size_t size)
{
	struct pf_vinode *cur = dir ? dir->vi : p->root;
	if (!S_ISDIR(cur->pi->mode))
		return -ENOTDIR;
	char tmp[PF_PATH_MAX];
	size_t pos = sizeof(tmp) - 1;
	tmp[pos] = 0;
	size_t hlen = hint ? strlen(hint) : 0;
	int ret = 0;
	/* cross-directory renames change parent links under rename_lock;
	 * a rename within one directory changes the name under its lock */
	pthread_mutex_lock(&p->rename_lock);
	cur = pf_vinode_ref(cur);
	while (cur != p->root) {
		if (cur->pi->nlink == 0) {
			ret = -ENOENT;
			break;
		}
		struct pf_vinode *parent;
		ret = pf_vinode_get(p, cur->pi->parent, &parent);
		if (ret)
			break;
		if (parent == cur) {   /* a second root: damaged */
			pf_vinode_put(p, parent);
			ret = -EIO;
			break;
		}
		size_t hnl;
		const char *hn = hint_pop(hint ? hint : "", &hlen, &hnl);
		char name[PF_NAME_MAX + 1];
		size_t nl;
		ret = name_in_parent(p, parent, cur, hn, hnl, name, &nl);
		pf_vinode_put(p, cur);
		cur = parent;
		if (ret)
			break;
		if (nl + 1 > pos) {  /* longer than a path can be (or a loop) */
			ret = -ENAMETOOLONG;
			break;
		}
		pos -= nl;
		memcpy(tmp + pos, name, nl);
		tmp[--pos] = '/';
	}
	pf_vinode_put(p, cur);
	pthread_mutex_unlock(&p->rename_lock);
	if (ret)
		return ret;
	if (pos == sizeof(tmp) - 1)
		tmp[--pos] = '/';
	size_t len = sizeof(tmp) - 1 - pos;
	if (len + 1 > size)
		return -ERANGE;
	memcpy(buf, tmp + pos, len + 1);
	return (ssize_t)len;
}
