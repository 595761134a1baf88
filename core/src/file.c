/* SPDX-License-Identifier: BSD-3-Clause */
/* Open file descriptions: references, offsets, read/write entry points. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct pf_file *
pf_file_new(struct pf_pool *p, struct pf_vinode *vi, int flags)
{
	struct pf_file *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	atomic_init(&f->ref, 1);
	f->pool = p;
	f->vi = vi;
	pthread_mutex_init(&f->pos_lock, NULL);
	f->path_only = (flags & O_PATH) != 0;
	int acc = flags & O_ACCMODE;
	f->readable = !f->path_only && (acc == O_RDONLY || acc == O_RDWR);
	f->writable = !f->path_only && (acc == O_WRONLY || acc == O_RDWR);
	if (f->path_only)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW;
	atomic_init(&f->flags, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC |
					 O_CLOEXEC));
	return f;
}

pf_file *
pf_file_ref(pf_file *f)
{
	atomic_fetch_add(&f->ref, 1);
	return f;
}

void
pf_close(pf_file *f)
{
	if (!f)
		return;
	if (atomic_fetch_sub(&f->ref, 1) != 1)
		return;
	if (f->writable)
		pf_data_trim(f->pool, f->vi);
	pf_vinode_put(f->pool, f->vi);
	pthread_mutex_destroy(&f->pos_lock);
	free(f);
}

int
pf_file_get_flags(pf_file *f)
{
	return atomic_load(&f->flags);
}

int
pf_file_created(pf_file *f)
{
	return f->created;
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT | O_ASYNC)

int
pf_file_set_flags(pf_pool *p, struct pf_caller *c, pf_file *f, int flags)
{
	(void)p;
	if (f->path_only)
		return -EBADF;
	if ((flags & O_NOATIME) && !(atomic_load(&f->flags) & O_NOATIME) &&
	    !pf_is_owner(c, f->vi->pi) && !(c->caps & PF_CAP_FOWNER))
		return -EPERM;
	int old = atomic_load(&f->flags);
	if (((flags ^ old) & O_APPEND) && (f->vi->pi->flags & PF_FL_APPEND))
		return -EPERM; /* setfl: O_APPEND stays on an append-only file */
	int n;
	do {
		n = (old & ~SETFL_MASK) | (flags & SETFL_MASK);
	} while (!atomic_compare_exchange_weak(&f->flags, &old, n));
	return 0;
}

/* ---- copy helpers ---- */

struct buf_arg {
	char *buf;
};

static ssize_t
buf_read_copy(void *arg, void *mem, size_t len, size_t pos)
{
	struct buf_arg *a = arg;
	if (mem)
		memcpy(a->buf + pos, mem, len);
	else
		memset(a->buf + pos, 0, len);
	return (ssize_t)len;
}

static ssize_t
buf_write_copy_pmem(void *arg, void *mem, size_t len, size_t pos)
{
	struct buf_arg *a = arg;
	pmem_memcpy_nodrain(mem, a->buf + pos, len);
	return (ssize_t)len;
}

static ssize_t
buf_write_copy(void *arg, void *mem, size_t len, size_t pos)
{
	struct buf_arg *a = arg;
	memcpy(mem, a->buf + pos, len);
	return (ssize_t)len;
}

struct iov_arg {
	const struct iovec *iov;
	int cnt;
	int idx;
	size_t in;       /* offset within iov[idx] */
};

static ssize_t
iov_copy(void *arg, void *mem, size_t len, size_t pos, bool write)
{
	struct iov_arg *a = arg;
	size_t done = 0;
	(void)pos;
	while (done < len && a->idx < a->cnt) {
		const struct iovec *v = &a->iov[a->idx];
		size_t n = v->iov_len - a->in;
		if (n > len - done)
			n = len - done;
		char *u = (char *)v->iov_base + a->in;
		if (write)
			memcpy((char *)mem + done, u, n);
		else if (mem)
			memcpy(u, (char *)mem + done, n);
		else
			memset(u, 0, n);
		done += n;
		a->in += n;
		if (a->in == v->iov_len) {
			a->idx++;
			a->in = 0;
		}
	}
	return (ssize_t)done;
}

static ssize_t
iov_read_copy(void *arg, void *mem, size_t len, size_t pos)
{
	return iov_copy(arg, mem, len, pos, false);
}

static ssize_t
iov_write_copy(void *arg, void *mem, size_t len, size_t pos)
{
	return iov_copy(arg, mem, len, pos, true);
}

static ssize_t
iov_total(const struct iovec *iov, int cnt)
{
	if (cnt < 0 || cnt > IOV_MAX)
		return -EINVAL;
	size_t t = 0;
	for (int i = 0; i < cnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - t)
			return -EINVAL;
		t += iov[i].iov_len;
	}
	return (ssize_t)t;
}

/* ---- read ---- */

ssize_t
pf_read_cb(pf_pool *p, pf_file *f, size_t count, off_t offset,
	   pf_copy_fn copy, void *arg)
{
	if (!f->readable)
		return -EBADF;
	struct pf_vinode *vi = f->vi;
	if (S_ISDIR(vi->pi->mode))
		return -EISDIR;
	if (!S_ISREG(vi->pi->mode))
		return -EINVAL;
	if (count > PF_MAX_RW)
		count = PF_MAX_RW;
	bool usepos = offset < 0;
	if (usepos)
		pthread_mutex_lock(&f->pos_lock);
	uint64_t off = usepos ? f->pos : (uint64_t)offset;
	if (off + count > (uint64_t)INT64_MAX) {
		if (usepos)
			pthread_mutex_unlock(&f->pos_lock);
		return -EINVAL;
	}
	pthread_rwlock_rdlock(&vi->lock);
	ssize_t n = pf_data_read(p, vi, count, off, copy, arg);
	if (n >= 0 && !(atomic_load(&f->flags) & O_NOATIME))
		pf_touch_atime(p, vi);
	pthread_rwlock_unlock(&vi->lock);
	if (usepos) {
		if (n > 0)
			f->pos = off + (uint64_t)n;
		pthread_mutex_unlock(&f->pos_lock);
	}
	return n;
}

ssize_t
pf_pread(pf_pool *p, pf_file *f, void *buf, size_t count, off_t offset)
{
	if (offset < 0)
		return -EINVAL;
	struct buf_arg a = { buf };
	return pf_read_cb(p, f, count, offset, buf_read_copy, &a);
}

ssize_t
pf_read(pf_pool *p, pf_file *f, void *buf, size_t count)
{
	struct buf_arg a = { buf };
	return pf_read_cb(p, f, count, -1, buf_read_copy, &a);
}

ssize_t
pf_preadv(pf_pool *p, pf_file *f, const struct iovec *iov, int iovcnt,
	  off_t offset)
{
	if (offset < 0)
		return -EINVAL;
	ssize_t t = iov_total(iov, iovcnt);
	if (t < 0)
		return t;
	struct iov_arg a = { iov, iovcnt, 0, 0 };
	return pf_read_cb(p, f, (size_t)t, offset, iov_read_copy, &a);
}

ssize_t
pf_readv(pf_pool *p, pf_file *f, const struct iovec *iov, int iovcnt)
{
	ssize_t t = iov_total(iov, iovcnt);
	if (t < 0)
		return t;
	struct iov_arg a = { iov, iovcnt, 0, 0 };
	return pf_read_cb(p, f, (size_t)t, -1, iov_read_copy, &a);
}

/* ---- write ---- */

ssize_t
pf_write_cb_flags(pf_pool *p, struct pf_caller *c, pf_file *f, size_t count,
		  off_t offset, unsigned flags, pf_copy_fn copy, void *arg)
{
	if (flags & ~PF_RWF_APPEND)
		return -EOPNOTSUPP;
	if (!f->writable)
		return -EBADF;
	struct pf_vinode *vi = f->vi;
	if (S_ISDIR(vi->pi->mode))
		return -EISDIR;
	if (!S_ISREG(vi->pi->mode))
		return -EINVAL;
	if (count > PF_MAX_RW)
		count = PF_MAX_RW;
	bool usepos = offset < 0;
	bool append = (atomic_load(&f->flags) & O_APPEND) ||
		(flags & PF_RWF_APPEND);
	if (usepos)
		pthread_mutex_lock(&f->pos_lock);
	uint64_t off = usepos ? f->pos : (uint64_t)offset;
	if (off + count > (uint64_t)INT64_MAX) {
		if (usepos)
			pthread_mutex_unlock(&f->pos_lock);
		return -EINVAL;
	}
	uint64_t newpos = off;
	pthread_rwlock_wrlock(&vi->lock);
	ssize_t n = pf_data_write(p, c, vi, count, off, append, &newpos, copy,
				  arg);
	pthread_rwlock_unlock(&vi->lock);
	if (usepos) {
		if (n > 0 || append)
			f->pos = n > 0 ? newpos : f->pos;
		pthread_mutex_unlock(&f->pos_lock);
	}
	return n;
}

ssize_t
pf_write_cb(pf_pool *p, struct pf_caller *c, pf_file *f, size_t count,
	    off_t offset, pf_copy_fn copy, void *arg)
{
	return pf_write_cb_flags(p, c, f, count, offset, 0, copy, arg);
}

static pf_copy_fn
write_copier(pf_pool *p)
{
	return p->is_pmem ? buf_write_copy_pmem : buf_write_copy;
}

ssize_t
pf_pwrite(pf_pool *p, struct pf_caller *c, pf_file *f, const void *buf,
	  size_t count, off_t offset)
{
	if (offset < 0)
		return -EINVAL;
	struct buf_arg a = { (char *)buf };
	return pf_write_cb(p, c, f, count, offset, write_copier(p), &a);
}

ssize_t
pf_write(pf_pool *p, struct pf_caller *c, pf_file *f, const void *buf,
	 size_t count)
{
	struct buf_arg a = { (char *)buf };
	return pf_write_cb(p, c, f, count, -1, write_copier(p), &a);
}

ssize_t
pf_pwritev(pf_pool *p, struct pf_caller *c, pf_file *f,
	   const struct iovec *iov, int iovcnt, off_t offset)
{
	if (offset < 0)
		return -EINVAL;
	ssize_t t = iov_total(iov, iovcnt);
	if (t < 0)
		return t;
	struct iov_arg a = { iov, iovcnt, 0, 0 };
	return pf_write_cb(p, c, f, (size_t)t, offset, iov_write_copy, &a);
}

ssize_t
pf_writev(pf_pool *p, struct pf_caller *c, pf_file *f,
	  const struct iovec *iov, int iovcnt)
{
	ssize_t t = iov_total(iov, iovcnt);
	if (t < 0)
		return t;
	struct iov_arg a = { iov, iovcnt, 0, 0 };
	return pf_write_cb(p, c, f, (size_t)t, -1, iov_write_copy, &a);
}

/* ---- the rest ---- */

off_t
pf_lseek(pf_pool *p, pf_file *f, off_t offset, int whence)
{
	if (f->path_only)
		return -EBADF;
	struct pf_vinode *vi = f->vi;
	bool dir = S_ISDIR(vi->pi->mode);
	off_t ret;
	pthread_mutex_lock(&f->pos_lock);
	switch (whence) {
	case SEEK_SET:
		ret = offset;
		break;
	case SEEK_CUR:
		if (offset > 0 && (off_t)f->pos > INT64_MAX - offset)
			ret = -EINVAL;
		else
			ret = (off_t)f->pos + offset;
		break;
	case SEEK_END:
		if (dir) {
			ret = -EINVAL;
			break;
		}
		if (offset > 0 && (off_t)vi->pi->size > INT64_MAX - offset)
			ret = -EINVAL;  /* past the largest offset */
		else
			ret = (off_t)vi->pi->size + offset;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (dir) {
			ret = -EINVAL;
			break;
		}
		pthread_rwlock_rdlock(&vi->lock);
		ret = pf_data_seek(p, vi, offset, whence);
		pthread_rwlock_unlock(&vi->lock);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret < 0 && ret != -EOVERFLOW && ret != -ENXIO)
		ret = -EINVAL;
	if (ret >= 0)
		f->pos = (uint64_t)ret;
	pthread_mutex_unlock(&f->pos_lock);
	return ret;
}

int
pf_fsync(pf_pool *p, pf_file *f)
{
	(void)p;
	return f->path_only ? -EBADF : 0;
}

int
pf_fdatasync(pf_pool *p, pf_file *f)
{
	return pf_fsync(p, f);
}

ssize_t
pf_getdents64(pf_pool *p, pf_file *f, void *buf, size_t size)
{
	if (f->path_only)
		return -EBADF;
	if (!S_ISDIR(f->vi->pi->mode))
		return -ENOTDIR;
	pthread_mutex_lock(&f->pos_lock);
	ssize_t r = pf_dir_getdents(p, f, buf, size);
	pthread_mutex_unlock(&f->pos_lock);
	return r;
}

/* kills set-id bits after a truncate by a caller without CAP_FSETID */
static void
kill_suid(struct pf_pool *p, const struct pf_caller *c, struct pf_inode *pi)
{
	uint32_t m = pf_killed_mode(c, pi);
	if (m != pi->mode) {
		pi->mode = m;
		pf_persist(p, &pi->mode, sizeof(pi->mode));
	}
}

/* truncate a regular file; the caller checked access */
int pf_truncate_vinode(struct pf_pool *p, struct pf_caller *c,
		       struct pf_vinode *vi, off_t len, bool times_always);
int
pf_truncate_vinode(struct pf_pool *p, struct pf_caller *c,
		   struct pf_vinode *vi, off_t len, bool times_always)
{
	if (len < 0)
		return -EINVAL;
	pthread_rwlock_wrlock(&vi->lock);
	int r = 0;
	/* truncate(2) to the same size asks for no times (vfs_truncate),
	 * but tmpfs sets them while the file has data allocated
	 * (shmem_truncate_range runs whenever info->alloced) */
	if (times_always || vi->pi->size != (uint64_t)len || vi->pi->alloc)
		r = pf_data_truncate(p, vi, (uint64_t)len);
	if (!r)
		kill_suid(p, c, vi->pi);
	pthread_rwlock_unlock(&vi->lock);
	return r;
}

int
pf_ftruncate(pf_pool *p, struct pf_caller *c, pf_file *f, off_t len)
{
	if (f->path_only)
		return -EBADF;
	if (len < 0)
		return -EINVAL;
	if (!S_ISREG(f->vi->pi->mode) || !f->writable)
		return -EINVAL;
	if (f->vi->pi->flags & PF_FL_APPEND)
		return -EPERM;
	return pf_truncate_vinode(p, c, f->vi, len, true);
}

int
pf_fallocate(pf_pool *p, struct pf_caller *c, pf_file *f, int mode,
	     off_t offset, off_t len)
{
	(void)c;
	if (f->path_only)
		return -EBADF;
	int m = mode & ~FALLOC_FL_KEEP_SIZE;
	if (m != 0 && m != FALLOC_FL_ZERO_RANGE && m != FALLOC_FL_PUNCH_HOLE)
		return -EOPNOTSUPP;
	if (m == FALLOC_FL_PUNCH_HOLE && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (!f->writable)
		return -EBADF;
	struct pf_vinode *vi = f->vi;
	if (((mode & ~FALLOC_FL_KEEP_SIZE) && (vi->pi->flags & PF_FL_APPEND)) ||
	    (vi->pi->flags & PF_FL_IMMUTABLE))
		return -EPERM; /* vfs_fallocate */
	if (S_ISDIR(vi->pi->mode))
		return -EISDIR;
	if (!S_ISREG(vi->pi->mode))
		return -ENODEV;
	if ((uint64_t)len > (uint64_t)INT64_MAX - (uint64_t)offset)
		return -EFBIG;
	pthread_rwlock_wrlock(&vi->lock);
	int r = pf_data_fallocate(p, vi, mode, (uint64_t)offset, (uint64_t)len);
	if (!r)
		kill_suid(p, c, vi->pi);        /* file_modified(), as Linux */
	pthread_rwlock_unlock(&vi->lock);
	return r;
}
