/* SPDX-License-Identifier: BSD-3-Clause */
/* getdents64, and getdents (the old record layout, converted). */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "syscalls.h"

#define DENTS_BUF 32768  /* per call: a worker's stack holds it */

long sys_getdents64(struct call *c)
{
	struct ofd *o;
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	char buf[DENTS_BUF] __attribute__((aligned(8)));
	size_t size = (size_t)(unsigned)c->args[2];
	if (size > sizeof(buf))
		size = sizeof(buf);
	long ret = pf_getdents64(o->m->pool, o->file, buf, size);
	if (ret > 0) {
		r = call_write(c, c->args[1], buf, (size_t)ret);
		if (r < 0)
			ret = r;
	}
	ofd_put(o);
	return errno_filter(ret);
}

long sys_getdents(struct call *c)
{
	struct ofd *o;
	long r = call_pool_fd(c, (int)c->args[0], &o);
	if (r)
		return r;
	char in[DENTS_BUF] __attribute__((aligned(8)));
	char out[DENTS_BUF] __attribute__((aligned(8)));
	size_t size = (size_t)(unsigned)c->args[2];
	if (size > sizeof(out))
		size = sizeof(out);
	/* old records are at most 8 bytes longer each: ask for less */
	long n = pf_getdents64(o->m->pool, o->file, in, size * 3 / 4 > 64 ? size * 3 / 4 : size);
	long ret = n;
	size_t o_len = 0;
	int64_t resume = -1;
	for (long pos = 0; n > 0 && pos < n;) {
		struct pf_dirent64 *d = (struct pf_dirent64 *)(in + pos);
		size_t namelen = strlen(d->d_name);
		/* d_ino, d_off, d_reclen, name, NUL, d_type; 8-aligned */
		size_t rec = (8 + 8 + 2 + namelen + 2 + 7) & ~(size_t)7;
		if (o_len + rec > size)
			break;  /* resume after the last record returned */
		char *r0 = out + o_len;
		memset(r0, 0, rec);
		memcpy(r0, &d->d_ino, 8);
		memcpy(r0 + 8, &d->d_off, 8);
		unsigned short rl = (unsigned short)rec;
		memcpy(r0 + 16, &rl, 2);
		memcpy(r0 + 18, d->d_name, namelen);
		r0[rec - 1] = (char)d->d_type;
		o_len += rec;
		resume = d->d_off;
		pos += d->d_reclen;
	}
	if (n > 0) {
		if (o_len == 0) {
			ret = -EINVAL;
		} else {
			pf_lseek(o->m->pool, o->file, resume, SEEK_SET);
			r = call_write(c, c->args[1], out, o_len);
			ret = r < 0 ? r : (long)o_len;
		}
	}
	ofd_put(o);
	return errno_filter(ret);
}
