/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Path resolution inside a pool: ".", "..", symlinks (ELOOP after
 * PF_SYMLOOP_MAX), search permission on every directory walked, and the
 * PF_ESCAPED protocol for paths that leave the pool.
 *
 * Each step looks the name up under the directory's read lock and takes a
 * reference on the child before dropping it, so the child cannot be freed
 * under us. Nothing is locked when pf_resolve returns.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

const char pf_path_self[] = "";

void
pf_path_result_put(struct pf_pool *p, struct pf_path_result *r)
{
	pf_vinode_put(p, r->parent);
	pf_vinode_put(p, r->target);
	r->parent = r->target = NULL;
}

static int
escape(struct pf_caller *c, const char *a, const char *b, bool slash)
{
	if (!c->escape || c->escape_size == 0)
		return -EXDEV;
	size_t la = strlen(a), lb = b ? strlen(b) : 0;
	size_t need = la + (lb ? 1 + lb : 0) + (slash && !lb ? 1 : 0) + 1;
	if (need > c->escape_size || need > PF_PATH_MAX)
		return -ENAMETOOLONG;
	char *e = c->escape;
	memcpy(e, a, la);
	if (lb) {
		if (la && e[la - 1] != '/')
			e[la++] = '/';
		memcpy(e + la, b, lb);
		la += lb;
	} else if (slash && la && e[la - 1] != '/') {
		e[la++] = '/';
	}
	e[la] = 0;
	return -PF_ESCAPED;
}

static __thread uint64_t followed;

uint64_t
pf_symlinks_followed(void)
{
	return followed;
}

int
pf_resolve(struct pf_pool *p, struct pf_caller *c, struct pf_file *dir,
	   const char *path, int flags, struct pf_path_result *r)
{
	char bufs[2][PF_PATH_MAX + PF_SYMLINK_MAX + 2];
	int which = 0;
	int nlinks = 0;
	int ret = 0;

	r->parent = r->target = NULL;
	r->name = r->namebuf;
	r->namelen = 0;
	r->namebuf[0] = 0;
	r->trailing_slash = false;
	if (!path)
		return -EFAULT;
	struct pf_vinode *base = dir ? dir->vi : p->root;
	if (path == pf_path_self) {
		/* the shape of resolving "/": a target, no parent */
		r->target = pf_vinode_ref(base);
		r->namebuf[0] = '.';
		r->namebuf[1] = 0;
		r->namelen = 1;
		return 0;
	}
	size_t plen = strnlen(path, PF_PATH_MAX);
	if (plen >= PF_PATH_MAX)
		return -ENAMETOOLONG;
	if (plen == 0) {
		if (!(flags & PF_RES_EMPTY))
			return -ENOENT;
		r->target = pf_vinode_ref(base);
		return 0;
	}
	if (dir && path[0] != '/' && !S_ISDIR(base->pi->mode))
		return -ENOTDIR;
	uint32_t rf = c->resolve;
	if (path[0] == '/' && (rf & PF_RESOLVE_BENEATH))
		return -EXDEV;
	memcpy(bufs[0], path, plen + 1);
	char *rest = bufs[0];
	struct pf_vinode *cur = pf_vinode_ref(
		path[0] == '/' && !(rf & PF_RESOLVE_IN_ROOT) ? p->root : base);

	for (;;) {
		while (*rest == '/')
			rest++;
		if (*rest == 0) {
			/* path was "/" or ended after a symlink to "dir/" */
			r->target = cur;
			cur = NULL;
			r->namebuf[0] = '.';
			r->namebuf[1] = 0;
			r->namelen = 1;
			r->trailing_slash = true;
			return 0;
		}
		const char *comp = rest;
		size_t clen = 0;
		while (comp[clen] && comp[clen] != '/')
			clen++;
		rest += clen;
		bool slash = *rest == '/';
		while (*rest == '/')
			rest++;
		bool last = *rest == 0;

		if (!S_ISDIR(cur->pi->mode)) {
			ret = -ENOTDIR;
			goto fail;
		}
		ret = pf_may(c, cur->pi, 1);
		if (ret)
			goto fail;
		if (clen > PF_NAME_MAX) {
			ret = -ENAMETOOLONG;
			goto fail;
		}
		if (last) {
			memcpy(r->namebuf, comp, clen);
			r->namebuf[clen] = 0;
			r->namelen = clen;
			r->trailing_slash = slash;
		}
		if (clen == 1 && comp[0] == '.') {
			if (last) {
				r->target = cur;
				cur = NULL;
				return 0;
			}
			continue;
		}
		struct pf_vinode *child = NULL;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			if (cur == base && (rf & PF_RESOLVE_BENEATH)) {
				ret = -EXDEV;
				goto fail;
			}
			if (cur == base && (rf & PF_RESOLVE_IN_ROOT)) {
				if (last) {
					r->target = cur;
					return 0;
				}
				continue; /* ".." at the root is the root */
			}
			if (cur == p->root) {
				ret = (rf & PF_RESOLVE_NO_XDEV) ?
					-EXDEV :
					escape(c, "..", rest, slash);
				goto fail;
			}
			pthread_rwlock_rdlock(&cur->lock);
			PMEMoid par = cur->pi->parent;
			ret = pf_vinode_get(p, par, &child);
			pthread_rwlock_unlock(&cur->lock);
			if (ret)
				goto fail;
			pf_vinode_put(p, cur);
			cur = child;
			if (last) {
				r->target = cur;
				cur = NULL;
				return 0;
			}
			continue;
		}
		if (last && slash &&
		    (flags & (PF_RES_PARENT | PF_RES_FOLLOW)) ==
			    (PF_RES_PARENT | PF_RES_FOLLOW)) {
			/* open(O_CREAT) of a name that ends in a slash, which
			 * comes here only from a symlink's body ("d -> d/"):
			 * Linux's open_last_lookups answers EISDIR before it
			 * looks the name up, so a link to itself is EISDIR
			 * there, not ELOOP (found by fsstress-random) */
			r->parent = cur;
			return 0;
		}
		pthread_rwlock_rdlock(&cur->lock);
		PMEMoid oid;
		if (cur->pi->nlink == 0)
			ret = -ENOENT;
		else
			ret = pf_dir_lookup(p, cur, comp, clen, &oid, NULL);
		if (ret == 0)
			ret = pf_vinode_get(p, oid, &child);
		pthread_rwlock_unlock(&cur->lock);
		if (ret == -ENOENT && last && (flags & PF_RES_PARENT)) {
			r->parent = cur;
			return 0;
		}
		if (ret)
			goto fail;
		bool follow = !last || (flags & PF_RES_FOLLOW) ||
			(slash && !(flags & PF_RES_PARENT));
		if (S_ISLNK(child->pi->mode) && follow) {
			if (rf & PF_RESOLVE_NO_SYMLINKS) {
				pf_vinode_put(p, child);
				ret = -ELOOP;
				goto fail;
			}
			followed++;
			if (++nlinks > PF_SYMLOOP_MAX) {
				pf_vinode_put(p, child);
				ret = -ELOOP;
				goto fail;
			}
			struct pf_symlink *sl = pf_direct(p, child->pi->data);
			size_t tlen = child->pi->size;
			size_t rlen = strlen(rest);
			char *nb = bufs[which ^ 1];
			if (!sl || tlen == 0) {
				pf_vinode_put(p, child);
				ret = -ENOENT;
				goto fail;
			}
			if (tlen + 1 + rlen + 1 > PF_PATH_MAX) {
				pf_vinode_put(p, child);
				ret = -ENAMETOOLONG;
				goto fail;
			}
			memcpy(nb, sl->target, tlen);
			size_t n = tlen;
			if (rlen || slash)
				nb[n++] = '/';
			memcpy(nb + n, rest, rlen + 1);
			/* following a link reads it: relatime, as Linux's
			 * pick_link (readlinkat does the same) */
			pthread_rwlock_rdlock(&child->lock);
			pf_touch_atime(p, child);
			pthread_rwlock_unlock(&child->lock);
			pf_vinode_put(p, child);
			which ^= 1;
			rest = nb;
			if (nb[0] == '/' && (rf & PF_RESOLVE_IN_ROOT)) {
				/* again from the root */
				pf_vinode_put(p, cur);
				cur = pf_vinode_ref(base);
				continue;
			}
			if (nb[0] == '/') {
				ret = rf &
						(PF_RESOLVE_BENEATH |
						 PF_RESOLVE_NO_XDEV) ?
					-EXDEV :
					escape(c, nb, NULL, false);
				goto fail;
			}
			continue;
		}
		if (last) {
			if (slash && !S_ISDIR(child->pi->mode) &&
			    !(flags & PF_RES_PARENT)) {
				pf_vinode_put(p, child);
				ret = -ENOTDIR;
				goto fail;
			}
			r->parent = cur;
			r->target = child;
			return 0;
		}
		pf_vinode_put(p, cur);
		cur = child;
	}
fail:
	pf_vinode_put(p, cur);
	return ret;
}
