/* SPDX-License-Identifier: BSD-3-Clause */
/* Pools: create, open (with orphan recovery), close, statfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pmemfile/testing.h"

#ifndef PF_VERSION_STRING
#define PF_VERSION_STRING "0.1.0"
#endif

#ifdef PF_TEST_HOOKS
void (*pf_hook_fn)(void *);
void *pf_hook_arg;

void
pf_tx_stage(PMEMobjpool *pop, enum pobj_tx_stage stage, void *arg)
{
	(void)pop;
	(void)arg;
	if (stage == TX_STAGE_ONCOMMIT)
		pf_persist_point();
}
#endif

void
pf_test_set_persist_hook(void (*hook)(void *arg), void *arg)
{
#ifdef PF_TEST_HOOKS
	pf_hook_arg = arg;
	pf_hook_fn = hook;
#else
	(void)hook;
	(void)arg;
#endif
}

const char *
pf_version(void)
{
	return PF_VERSION_STRING;
}

int64_t
pf_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Starts writing addr back; persistent after the next pmem_drain (or at
 * once, through msync, on a pool that is not pmem). */
void
pf_flush(struct pf_pool *p, const void *addr, size_t len)
{
	if (p->is_pmem)
		pmem_flush(addr, len);
	else
		pmem_msync(addr, len);
}

void
pf_persist(struct pf_pool *p, const void *addr, size_t len)
{
	pf_flush(p, addr, len);
	if (p->is_pmem)
		pmem_drain();
	pf_persist_point();
}

void
pf_memcpy_persist(struct pf_pool *p, void *dst, const void *src, size_t len)
{
	if (p->is_pmem) {
		pmem_memcpy_persist(dst, src, len);
		pf_persist_point();
	} else {
		memcpy(dst, src, len);
		pf_persist(p, dst, len);
	}
}

void
pf_memset_persist(struct pf_pool *p, void *dst, int c, size_t len)
{
	if (p->is_pmem) {
		pmem_memset_persist(dst, c, len);
		pf_persist_point();
	} else {
		memset(dst, c, len);
		pf_persist(p, dst, len);
	}
}

/* errno of an aborted transaction, mapped to what a syscall may return */
int
pf_tx_errno(void)
{
	int e = pmemobj_tx_errno();
	if (e == 0 || e == ENOMEM)
		return -ENOSPC;
	return -e;
}

static void
set_msg(char *msg, size_t msglen, const char *fmt, const char *a)
{
	if (msg && msglen)
		snprintf(msg, msglen, fmt, a);
}

/* What is in the file at path, for error messages. */
static int
describe_file(const char *path, char *msg, size_t msglen)
{
	char hdr[4096 + 64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = pread(fd, hdr, sizeof(hdr), 0);
	close(fd);
	if (n < 0)
		return -errno;
	if (n < 8) {
		set_msg(msg, msglen, "%s: too small to be a pool (truncated or empty)", path);
		return -EINVAL;
	}
	if (memcmp(hdr, "PMEMOBJ", 7) == 0) {
		if ((size_t)n >= 4096 + 16 && strncmp(hdr + 4096, PF_LAYOUT_NAME,
				16) != 0) {
			char lay[64];
			memcpy(lay, hdr + 4096, 63);
			lay[63] = 0;
			for (char *q = lay; *q; q++)
				if (*q < 32 || *q > 126)
					*q = '?';
			char m[128];
			snprintf(m, sizeof(m), "a pmemobj pool of another layout (\"%s\")", lay);
			set_msg(msg, msglen, "%s", m);
			return -EINVAL;
		}
		set_msg(msg, msglen, "%s: damaged or truncated pmemobj pool", path);
		return -EINVAL;
	}
	if (memcmp(hdr, "PMEMLOG", 7) == 0 || memcmp(hdr, "PMEMBLK", 7) == 0) {
		set_msg(msg, msglen, "%s: a pmemlog/pmemblk pool, not a pmemfile pool", path);
		return -EINVAL;
	}
	if (memcmp(hdr, "PMEMPOOLSET", 11) == 0) {
		set_msg(msg, msglen, "%s: a pool set file (not supported)", path);
		return -EINVAL;
	}
	set_msg(msg, msglen, "%s: not a pmemfile pool (no pool header)", path);
	return -EINVAL;
}

static int
file_holds_pool(const char *path)
{
	char sig[11];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = pread(fd, sig, sizeof(sig), 0);
	close(fd);
	if (n < 7)
		return 0;
	return memcmp(sig, "PMEMOBJ", 7) == 0 || memcmp(sig, "PMEMLOG", 7) == 0
		|| memcmp(sig, "PMEMBLK", 7) == 0
		|| (n == 11 && memcmp(sig, "PMEMPOOLSET", 11) == 0);
}

static void
enable_stats(PMEMobjpool *pop)
{
	enum pobj_stats_enabled en = POBJ_STATS_ENABLED_BOTH;
	pmemobj_ctl_set(pop, "stats.enabled", &en);
}

static int
init_fs_tx(PMEMobjpool *pop)
{
	volatile int ret = 0;
	TX_BEGIN(pop) {
		PMEMoid root = pmemobj_root(pop, sizeof(struct pf_super));
		struct pf_super *s = pmemobj_direct(root);
		pmemobj_tx_add_range(root, 0, sizeof(*s));
		memset(s, 0, sizeof(*s));
		uint64_t id = 0;
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (uint64_t)pf_now() ^ ((uint64_t)getpid() << 32);
		id &= ~0xfull;          /* keep clear of small real dev numbers */
		s->pool_id = id | 0x8;
		s->ctime = (uint64_t)pf_now();
		PMEMoid ino = pmemobj_tx_zalloc(sizeof(struct pf_inode),
						PF_T_INODE);
		struct pf_inode *pi = pmemobj_direct(ino);
		pi->magic = PF_INODE_MAGIC;
		pi->mode = S_IFDIR | 0755;
		pi->nlink = 2;
		pi->uid = geteuid();
		pi->gid = getegid();
		pi->atime = pi->mtime = pi->ctime = pi->btime = pf_now();
		pi->parent = ino;
		s->root = ino;
		s->ninodes = 1;
		s->version = PF_LAYOUT_VERSION;
		s->flags = PF_SUPER_CLEAN;
		s->magic = PF_SUPER_MAGIC;
	} TX_ONABORT {
		ret = pf_tx_errno();
	} TX_END
	return ret;
}

int
pf_pool_create(const char *path, uint64_t size, int force, char *msg,
	       size_t msglen)
{
	struct stat st;
	bool exists = stat(path, &st) == 0;

	if (exists && file_holds_pool(path) && !force) {
		set_msg(msg, msglen, "%s already holds a pool (use force to overwrite)", path);
		return -EEXIST;
	}
	if (size == 0) {
		if (!exists) {
			set_msg(msg, msglen, "%s does not exist and no size was given", path);
			return -EINVAL;
		}
		if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < PF_POOL_MIN_SIZE) {
			char m[128];
			snprintf(m, sizeof(m), "%%s: file too small for a pool (minimum %u MiB)",
				 PF_POOL_MIN_SIZE >> 20);
			set_msg(msg, msglen, m, path);
			return -EINVAL;
		}
	} else if (size < PF_POOL_MIN_SIZE) {
		char m[128];
		snprintf(m, sizeof(m), "pool size too small: the minimum is %u MiB (%u bytes)",
			 PF_POOL_MIN_SIZE >> 20, PF_POOL_MIN_SIZE);
		set_msg(msg, msglen, "%s", m);
		return -EINVAL;
	}
	if (exists && S_ISREG(st.st_mode)) {
		if (size != 0) {
			if (unlink(path) != 0) {
				int e = errno;
				set_msg(msg, msglen, "cannot replace %s", path);
				return -e;
			}
		} else {
			/* reuse the file: wipe any old pool header first */
			int fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd < 0) {
				int e = errno;
				set_msg(msg, msglen, "cannot open %s for writing", path);
				return -e;
			}
			static const char zero[8192];
			ssize_t w = pwrite(fd, zero, sizeof(zero), 0);
			close(fd);
			if (w != (ssize_t)sizeof(zero)) {
				set_msg(msg, msglen, "cannot write %s", path);
				return -EIO;
			}
		}
	}
	PMEMobjpool *pop = pmemobj_create(path, PF_LAYOUT_NAME, size, 0600);
	if (!pop) {
		int e = errno ? errno : EIO;
		const char *why = pmemobj_errormsg();
		if (e == ENOSPC)
			set_msg(msg, msglen, "no space left to create %s", path);
		else if (e == EACCES || e == EROFS || e == EPERM)
			set_msg(msg, msglen, "%s: not writable", path);
		else
			set_msg(msg, msglen, "%s", why && *why ? why : strerror(e));
		return -e;
	}
	enable_stats(pop);
	int ret = init_fs_tx(pop);
	pmemobj_close(pop);
	if (ret)
		set_msg(msg, msglen, "%s: pool too small for the file system", path);
	return ret;
}

/* Frees every inode left on the orphan list. */
static int
free_orphans(struct pf_pool *p)
{
	/* bounded: a damaged list may loop back to a freed inode. By the
	 * count at open: each free lowers p->ninodes, so a pool whose
	 * inodes were mostly orphans would pass that running count */
	const uint64_t max = p->ninodes;
	for (volatile uint64_t n = 0; !OID_IS_NULL(p->super->orphans); n++) {
		PMEMoid o = p->super->orphans;
		const struct pf_inode *pi = (const void *)(p->base + o.off);
		if (n > max || pf_inode_check(p, o) || pi->nlink != 0 ||
		    (!OID_IS_NULL(pi->orphan_next) &&
		     pf_inode_check(p, pi->orphan_next)))
			return -EIO;
		volatile int ret = 0;
		pf_inode_release_batched(p, (struct pf_inode *)pi);
		PF_TX_BEGIN(p) {
			pf_orphan_del_tx(p, o);
			pf_inode_free(p, o, NULL);
		} TX_ONABORT {
			ret = pf_tx_errno();
		} TX_END
		if (ret)
			return ret;
	}
	return 0;
}

static void
count_objects(struct pf_pool *p)
{
	uint64_t ninodes = 0, data = 0;
	for (PMEMoid o = pmemobj_first(p->pop); !OID_IS_NULL(o);
	     o = pmemobj_next(o)) {
		uint64_t t = pmemobj_type_num(o);
		if (t == PF_T_INODE)
			ninodes++;
		else if (t == PF_T_DATA || t == PF_T_XATTR)
			data += pmemobj_alloc_usable_size(o);
	}
	p->ninodes = ninodes;
	p->data_bytes = data;
}

/*
 * Refuses files libpmemobj must not map (it would fault on a short file):
 * directories, files without a pmemobj header, files below its minimum.
 */
int
pf_pool_precheck(const char *path, const struct stat *stp, char *msg,
		 size_t msglen)
{
	struct stat st = *stp;
	if (S_ISDIR(st.st_mode)) {
		set_msg(msg, msglen, "%s: is a directory", path);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		set_msg(msg, msglen, "%s: not a regular file or DAX device", path);
		return -EINVAL;
	}
	if (S_ISREG(st.st_mode)) {
		char sig[8] = "";
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? pread(fd, sig, sizeof(sig), 0) : -1;
		if (fd >= 0)
			close(fd);
		if (n != (ssize_t)sizeof(sig) || memcmp(sig, "PMEMOBJ", 8) != 0 ||
		    (uint64_t)st.st_size < PMEMOBJ_MIN_POOL) {
			int r = describe_file(path, msg, msglen);
			return r ? r : -EINVAL;
		}
	}
	return 0;
}

int
pf_pool_open(const char *path, unsigned flags, pf_pool **out, char *msg,
	     size_t msglen)
{
	*out = NULL;
	if (flags & ~(PF_OPEN_READONLY | PF_OPEN_ISOLATED))
		return -EINVAL;
	if (flags & PF_OPEN_ISOLATED) {
		int r = pf_pool_open_trial(path, msg, msglen);
		if (r)
			return r;
	}
	if (flags & PF_OPEN_READONLY) {
		set_msg(msg, msglen, "%s", "read-only open is not implemented");
		return -EINVAL;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		int e = errno;
		set_msg(msg, msglen, "%s: no such file", path);
		return -e;
	}
	if (access(path, R_OK | W_OK) != 0) {
		int e = errno;
		set_msg(msg, msglen, "%s: permission denied", path);
		return -e;
	}
	int pre = pf_pool_precheck(path, &st, msg, msglen);
	if (pre)
		return pre;
	PMEMobjpool *pop = pmemobj_open(path, PF_LAYOUT_NAME);
	if (!pop) {
		int e = errno;
		if (e == EWOULDBLOCK || e == EAGAIN || e == EBUSY) {
			set_msg(msg, msglen, "%s: pool is in use by another process", path);
			return -EBUSY;
		}
		if (e == ENOENT || e == EACCES || e == EPERM || e == EROFS) {
			set_msg(msg, msglen, "%s", pmemobj_errormsg());
			return -e;
		}
		int r = describe_file(path, msg, msglen);
		return r ? r : -EINVAL;
	}
	if (pmemobj_root_size(pop) != sizeof(struct pf_super)) {
		pmemobj_close(pop);
		set_msg(msg, msglen, "%s: pool has no pmemfile superblock", path);
		return -EINVAL;
	}
	struct pf_super *s = pmemobj_direct(pmemobj_root(pop, 0));
	if (s->magic != PF_SUPER_MAGIC) {
		pmemobj_close(pop);
		set_msg(msg, msglen, "%s: bad superblock magic", path);
		return -EINVAL;
	}
	if (s->version < PF_LAYOUT_VERSION_MIN || s->version > PF_LAYOUT_VERSION) {
		pmemobj_close(pop);
		set_msg(msg, msglen, "%s: unknown pmemfile layout version", path);
		return -EPROTO;
	}
	if (s->version != PF_LAYOUT_VERSION) {
		/* layouts 1 and 2 read as 3 (layout.h); mark it, so that an
		 * older pmemfile, whose fsck would check the fields 2 dropped
		 * or not know 3's attribute blobs, refuses it */
		s->version = PF_LAYOUT_VERSION;
		pmemobj_persist(pop, &s->version, sizeof(s->version));
	}
	struct pf_pool *p = calloc(1, sizeof(*p));
	if (!p) {
		pmemobj_close(pop);
		return -ENOMEM;
	}
	p->pop = pop;
	p->base = (char *)pop;
	p->super = s;
	p->dev = s->pool_id;
	p->size = (uint64_t)st.st_size;
	p->uuid_lo = pmemobj_root(pop, 0).pool_uuid_lo;
	p->is_pmem = pmem_is_pmem(p->base, 4096);
	enable_stats(pop);
	pthread_mutex_init(&p->rename_lock, NULL);
	pthread_mutex_init(&p->orphan_lock, NULL);
	int ret = pf_vinode_table_init(p);
	if (ret)
		goto fail;
	if (!pf_oid_in_pool(p, s->root, sizeof(struct pf_inode)) ||
	    pmemobj_type_num(s->root) != PF_T_INODE) {
		set_msg(msg, msglen, "%s: root directory is damaged", path);
		ret = -EINVAL;
		goto fail;
	}
	count_objects(p);
	ret = free_orphans(p);
	if (ret) {
		set_msg(msg, msglen, ret == -EIO ?
			"%s: the orphan list is damaged (run fsck)" :
			"%s: cannot free orphaned inodes", path);
		goto fail;
	}
	ret = pf_vinode_get(p, s->root, &p->root);
	if (ret) {
		if (ret == -EIO)
			set_msg(msg, msglen, "%s: root directory is damaged (run fsck)", path);
		goto fail;
	}
	if (s->flags & PF_SUPER_CLEAN) {
		s->flags &= ~PF_SUPER_CLEAN;
		pf_persist(p, &s->flags, sizeof(s->flags));
	}
	*out = p;
	return 0;
fail:
	pf_vinode_table_fini(p);
	pmemobj_close(pop);
	free(p);
	return ret;
}

void
pf_pool_close(pf_pool *p)
{
	if (!p)
		return;
	struct pf_super *s = p->super;
	pf_vinode_put(p, p->root);
	pf_vinode_table_fini(p);
	/* exact counters (the running ones drift on aborted transactions) */
	count_objects(p);
	s->ninodes = p->ninodes;
	s->data_bytes = p->data_bytes;
	pf_persist(p, &s->ninodes, 2 * sizeof(uint64_t));
	s->flags |= PF_SUPER_CLEAN;
	pf_persist(p, &s->flags, sizeof(s->flags));
	pmemobj_close(p->pop);
	pthread_mutex_destroy(&p->rename_lock);
	pthread_mutex_destroy(&p->orphan_lock);
	free(p);
}

uint64_t
pf_pool_dev(pf_pool *p)
{
	return p->dev;
}

int
pf_statfs(pf_pool *p, struct pf_statfs *out)
{
	/* file data plus a fixed cost per inode (directory pages and extent
	 * arrays are not counted: they are small and stay after unlinks) */
	uint64_t per_inode = sizeof(struct pf_inode) + 64;
	uint64_t used = p->data_bytes + p->ninodes * per_inode;
	uint64_t total = p->size;
	/* the pool header, lanes and heap metadata are not usable (measured
	 * with libpmemobj 1.12: 3840 KiB, plus zone headers per 16 GiB) */
	uint64_t overhead = (3840u << 10) + (total >> 34) * (64u << 10);
	uint64_t usable = total > overhead ? total - overhead : 0;
	uint64_t avail = usable > used ? usable - used : 0;
	memset(out, 0, sizeof(*out));
	out->bsize = PF_BLKSIZE;
	out->frsize = PF_BLKSIZE;
	out->blocks = usable / PF_BLKSIZE;
	out->bfree = avail / PF_BLKSIZE;
	out->bavail = out->bfree;
	out->files = usable / per_inode;
	out->ffree = out->files > p->ninodes ? out->files - p->ninodes : 0;
	if (out->ffree > avail / per_inode)
		out->ffree = avail / per_inode;
	out->namelen = PF_NAME_MAX;
	out->fsid = p->dev;
	return 0;
}
