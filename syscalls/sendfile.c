/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sendfile, copy_file_range, splice, tee between pool and host fds. When
 * neither end is in a pool the kernel does it. Otherwise the supervisor
 * copies through a buffer, using the target's own host fd (pidfd_getfd:
 * the same open file description, so offsets and O_APPEND are shared).
 * A call moves at most SPLICE_MAX bytes; callers loop on short counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "shm.h"
#include "fsize.h"

#define SPLICE_MAX (1 << 20)
#define CHUNK 65536

struct end {
	struct ofd *o;     /* pool end, or NULL */
	int hfd;           /* host end: our copy of the target's fd */
	uint64_t offp;     /* target's loff_t pointer, 0 if none */
	int64_t off;
};

static int get_end(struct call *c, int fd, uint64_t offp, struct end *e)
{
	e->o = NULL;
	e->hfd = -1;
	e->offp = offp;
	e->off = -1;
	int r = call_fd(c, fd, &e->o);
	if (r < 0)
		return r;
	if (offp) {
		int rr = call_read(c, offp, &e->off, sizeof(e->off));
		if (rr < 0)
			return rr;
		if (e->off < 0)
			return -EINVAL;
	}
	return r;  /* 0 pool, 1 host */
}

static int open_host(struct call *c, int fd, struct end *e)
{
	e->hfd = call_getfd(c, fd);
	return e->hfd < 0 ? e->hfd : 0;
}

static void put_end(struct end *e)
{
	ofd_put(e->o);
	if (e->hfd >= 0)
		close(e->hfd);
}

static ssize_t end_read(struct call *c, struct end *e, void *buf, size_t n)
{
	ssize_t r;
	if (e->o)
		r = e->off >= 0 ? pf_pread(e->o->m->pool, e->o->file, buf, n, e->off)
				: pf_read(e->o->m->pool, e->o->file, buf, n);
	else
		r = e->off >= 0 ? pread(e->hfd, buf, n, e->off) : read(e->hfd, buf, n);
	if (r < 0 && !e->o)
		r = -errno;
	if (r > 0 && e->off >= 0)
		e->off += r;
	return r;
}

static ssize_t end_write(struct call *c, struct end *e, const void *buf,
			 size_t n)
{
	ssize_t r;
	if (e->o) {
		struct pf_caller *pc = call_caller(c);
		if (!pc)
			return call_who_err(c);
		struct shm_w w;
		shm_write_begin(e->o->m, e->o->file, &w);
		r = e->off >= 0 ? pf_pwrite(e->o->m->pool, pc, e->o->file, buf, n, e->off)
				: pf_write(e->o->m->pool, pc, e->o->file, buf, n);
		shm_write_done(&w, e->o->file, e->off >= 0 ? e->off : -1,
			       pf_file_get_flags(e->o->file) & O_APPEND, r);
	} else {
		r = e->off >= 0 ? pwrite(e->hfd, buf, n, e->off) : write(e->hfd, buf, n);
		if (r < 0)
			r = -errno;
	}
	if (r > 0 && e->off >= 0)
		e->off += r;
	return r;
}

/*
 * Copies up to len bytes from `in` to `out`. Into a pool file, what was
 * read goes in one write: like write(2), the copy is then all or nothing
 * across a crash (an extension never half there; fsx-crash found one).
 */
static long pump(struct call *c, struct end *in, struct end *out, size_t len)
{
	char chunk[CHUNK];
	if (len > SPLICE_MAX)
		len = SPLICE_MAX;
	char *buf = chunk;
	size_t cap = sizeof(chunk);
	if (out->o && len > sizeof(chunk)) {
		buf = malloc(len);
		if (!buf)
			return -ENOMEM;
		cap = len;
	}
	size_t done = 0;
	while (done < len) {
		/* read up to cap bytes (stopping at a short read), then write */
		size_t got = 0;
		ssize_t r = 0;
		while (got < cap && done + got < len) {
			size_t n = len - done - got < CHUNK ? len - done - got :
							      CHUNK;
			r = end_read(c, in, buf + got, n);
			if (r <= 0)
				break;
			got += (size_t)r;
			if ((size_t)r < n)
				break;
		}
		if (got == 0) {
			if (done == 0 && r < 0) {
				done = (size_t)errno_filter(r);
				goto out;
			}
			break;
		}
		ssize_t w = end_write(c, out, buf, got);
		if (w < 0) {
			if (done == 0) {
				done = (size_t)errno_filter(w);
				goto out;
			}
			break;
		}
		done += (size_t)w;
		if ((size_t)w < got) {
			/* give back what was read but not written */
			size_t back = got - (size_t)w;
			if (in->off >= 0)
				in->off -= (off_t)back;
			else if (in->o)
				pf_lseek(in->o->m->pool, in->o->file,
					 -(off_t)back, SEEK_CUR);
			else
				lseek(in->hfd, -(off_t)back, SEEK_CUR);
			break;
		}
		if (r <= 0 || (size_t)r < CHUNK)
			break; /* a short read: the source has no more now */
	}
out:
	if (buf != chunk)
		free(buf);
	return (long)done;
}

enum kind { K_SENDFILE, K_CFR, K_SPLICE };

/* What validate() needs of one end. */
struct end_info {
	int type;          /* S_IFMT bits */
	int flags;         /* F_GETFL */
	uint64_t ino;      /* pool ends: to tell one file from two */
	/* the file's size */
	int64_t size;
	uint32_t iflags; /* pool ends: PF_FL_* inode flags */
};

static int end_info(struct end *e, struct end_info *i)
{
	if (e->o) {
		struct pf_stat st;
		int r = pf_fstat(e->o->m->pool, e->o->file, &st);
		if (r < 0)
			return r;
		i->type = (int)(st.mode & S_IFMT);
		i->flags = pf_file_get_flags(e->o->file);
		i->ino = st.ino;
		i->size = (int64_t)st.size;
		i->iflags = st.flags;
		return 0;
	}
	struct stat st;
	i->flags = fcntl(e->hfd, F_GETFL);
	if (fstat(e->hfd, &st) < 0 || i->flags < 0)
		return -EBADF;
	i->type = (int)(st.st_mode & S_IFMT);
	i->ino = 0;
	i->size = st.st_size;
	i->iflags = 0;
	return 0;
}

/* where an end reads or writes: its explicit offset, else its file's */
static int64_t end_pos(struct end *e)
{
	if (e->offp || e->off >= 0)
		return e->off;
	if (e->o)
		return pf_lseek(e->o->m->pool, e->o->file, 0, SEEK_CUR);
	off_t r = lseek(e->hfd, 0, SEEK_CUR);
	return r < 0 ? -errno : r;
}

/*
 * copy_file_range's length is cut to the input's end of file before the
 * copy starts (generic_copy_file_checks), so a copy into the same file
 * past its end never reads what it wrote; and then the ranges of a copy
 * within one file must not overlap, whether the offsets are explicit or
 * the files' own.
 */
static long cfr_checks(struct end *in, struct end *out, int64_t size,
		       size_t *len, bool same_file)
{
	int64_t pin = end_pos(in), pout = end_pos(out);
	if ((!in->offp && pin < 0) || (!out->offp && pout < 0))
		return pin < 0 ? pin : pout;
	/* explicit offsets are judged as unsigned first: a range that
	 * wraps is EOVERFLOW, then a negative one EINVAL (rw_verify_area) */
	if ((uint64_t)pin + *len < (uint64_t)pin ||
	    (uint64_t)pout + *len < (uint64_t)pout)
		return -EOVERFLOW;
	if (pin < 0 || pout < 0)
		return -EINVAL;
	if (pin >= size)
		*len = 0;
	else if ((uint64_t)(size - pin) < *len)
		*len = (size_t)(size - pin);
	if (same_file && (uint64_t)pin < (uint64_t)pout + *len &&
	    (uint64_t)pout < (uint64_t)pin + *len)
		return -EINVAL;
	return 0;
}

/*
 * What the kernel checks before moving a byte, for each call (do_sendfile
 * and do_splice_direct, generic_copy_file_checks, do_splice).
 */
static long validate(enum kind k, struct end *in, struct end *out,
		     size_t *len)
{
	struct end_info i, o;
	int r = end_info(in, &i);
	if (r == 0)
		r = end_info(out, &o);
	if (r < 0)
		return r;
	int ti = i.type, to = o.type;
	if ((i.flags & O_ACCMODE) == O_WRONLY || (o.flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	switch (k) {
	case K_CFR:
		if (ti == S_IFDIR || to == S_IFDIR)
			return -EISDIR;
		if (ti != S_IFREG || to != S_IFREG)
			return -EINVAL;
		if (o.flags & O_APPEND)
			return -EBADF;
		if (o.iflags & PF_FL_IMMUTABLE)
			return -EPERM; /* generic_copy_file_checks */
		return cfr_checks(in, out, i.size, len,
				  in->o && out->o && in->o->m == out->o->m &&
					  i.ino == o.ino);
	case K_SPLICE:
		if (ti != S_IFIFO && to != S_IFIFO)
			return -EINVAL;
		if ((ti == S_IFIFO && in->offp) || (to == S_IFIFO && out->offp))
			return -ESPIPE;
		if (to != S_IFIFO && (o.flags & O_APPEND))
			return -EINVAL; /* do_splice: no appending output */
		break;
	case K_SENDFILE:
		/* the input must be seekable file data, the output not
		 * append-only */
		if (ti == S_IFDIR || ti == S_IFIFO || ti == S_IFSOCK ||
		    (o.flags & O_APPEND))
			return -EINVAL;
		break;
	}
	return 0;
}

static long two_ends(struct call *c, enum kind k, int fd_in, uint64_t offp_in,
		     int fd_out, uint64_t offp_out, size_t len)
{
	struct end in, out;
	int ri = get_end(c, fd_in, 0, &in);
	if (ri < 0)
		return ri;
	int ro = get_end(c, fd_out, 0, &out);
	if (ro < 0) {
		put_end(&in);
		return ro;
	}
	long ret;
	if (ri && ro) {
		ret = CALL_CONTINUE;
		goto out;
	}
	/* now that it is ours, read the offsets */
	in.offp = offp_in;
	if (offp_in && (ret = call_read(c, offp_in, &in.off, sizeof(in.off))) < 0)
		goto out;
	out.offp = offp_out;
	if (offp_out && (ret = call_read(c, offp_out, &out.off, sizeof(out.off))) < 0)
		goto out;
	if (k != K_CFR &&
	    ((offp_in && in.off < 0) || (offp_out && out.off < 0))) {
		ret = -EINVAL;
		goto out;
	}
	if ((ri && (ret = open_host(c, fd_in, &in)) < 0) ||
	    (ro && (ret = open_host(c, fd_out, &out)) < 0))
		goto out;
	ret = validate(k, &in, &out, &len);
	if (ret < 0)
		goto out;
	/* into a pool file: RLIMIT_FSIZE, as generic_write_check_limits */
	int cut = 0;
	if (out.o &&
	    (ret = cut = (int)fsize_write(c, out.o, out.off, 0, &len)) < 0)
		goto out;
	if (in.o)
		shm_sync_ofd(in.o); /* what mappings stored is read at once */
	ret = pump(c, &in, &out, len);
	/* sendfile's next chunk would meet the limit: SIGXFSZ, as Linux */
	if (cut && k == K_SENDFILE && ret == (long)len)
		fsize_signal(c);
	/* the offsets go back as the kernel's put_user: if that fails, the
	 * call fails with EFAULT though the data moved */
	if (ret > 0 && offp_in &&
	    call_write(c, offp_in, &in.off, sizeof(in.off)) < 0)
		ret = -EFAULT;
	if (ret > 0 && offp_out &&
	    call_write(c, offp_out, &out.off, sizeof(out.off)) < 0)
		ret = -EFAULT;
out:
	put_end(&in);
	put_end(&out);
	return ret;
}

long sys_sendfile(struct call *c)
{
	/* sendfile(out_fd, in_fd, offset, count): offset is the input's */
	return two_ends(c, K_SENDFILE, (int)c->args[1], c->args[2],
			(int)c->args[0], 0, (size_t)c->args[3]);
}

long sys_copy_file_range(struct call *c)
{
	if (c->args[5] != 0) {
		struct end a, b;
		int r1 = get_end(c, (int)c->args[0], 0, &a);
		int r2 = get_end(c, (int)c->args[2], 0, &b);
		if (r1 >= 0)
			put_end(&a);
		if (r2 >= 0)
			put_end(&b);
		if (r1 == 1 && r2 == 1)
			return CALL_CONTINUE;
		return -EINVAL;
	}
	return two_ends(c, K_CFR, (int)c->args[0], c->args[1], (int)c->args[2],
			c->args[3], (size_t)c->args[4]);
}

long sys_splice(struct call *c)
{
	return two_ends(c, K_SPLICE, (int)c->args[0], c->args[1],
			(int)c->args[2], c->args[3], (size_t)c->args[4]);
}

long sys_tee(struct call *c)
{
	struct end a, b;
	int r1 = get_end(c, (int)c->args[0], 0, &a);
	if (r1 < 0)
		return r1;
	int r2 = get_end(c, (int)c->args[1], 0, &b);
	put_end(&a);
	if (r2 < 0)
		return r2;
	put_end(&b);
	return r1 == 1 && r2 == 1 ? CALL_CONTINUE : -EINVAL;
}
