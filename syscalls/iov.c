/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pf_read_cb/pf_write_cb callbacks: one process_vm_readv/writev per
 * contiguous piece of pool memory, straight into or out of the target's
 * buffers (one copy).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "iov.h"

/* x86_64 TASK_SIZE_MAX: the kernel's access_ok() limit */
#define USER_END 0x00007ffffffff000ull

/* As access_ok(): the whole range, before any clamping to RW_MAX. */
static int user_range_ok(uint64_t addr, uint64_t len)
{
	return len == 0 || (addr < USER_END && len <= USER_END - addr);
}

int tbuf_single(struct tbuf *t, struct call *c, uint64_t addr, size_t len)
{
	if (!user_range_ok(addr, len))
		return -EFAULT;
	t->c = c;
	t->iov[0].iov_base = (void *)(uintptr_t)addr;
	t->iov[0].iov_len = len > (size_t)RW_MAX ? (size_t)RW_MAX : len;
	t->cnt = 1;
	t->total = t->iov[0].iov_len;
	return 0;
}

int tbuf_iov(struct tbuf *t, struct call *c, uint64_t addr, uint64_t cnt)
{
	t->c = c;
	if (cnt > IOV_MAX_TARGET)
		return -EINVAL;
	t->cnt = (int)cnt;
	t->total = 0;
	if (cnt == 0)
		return 0;
	int r = call_read(c, addr, t->iov, cnt * sizeof(struct iovec));
	if (r < 0)
		return r;
	for (int i = 0; i < t->cnt; i++) {
		if ((ssize_t)t->iov[i].iov_len < 0)
			return -EINVAL;
		if (!user_range_ok((uintptr_t)t->iov[i].iov_base,
				   t->iov[i].iov_len))
			return -EFAULT;
		if (t->total + t->iov[i].iov_len > (size_t)RW_MAX) {
			t->iov[i].iov_len = (size_t)RW_MAX - t->total;
			t->cnt = i + 1;
		}
		t->total += t->iov[i].iov_len;
	}
	return 0;
}

/* Remote iovecs covering [pos, pos+len) of t; returns their count. */
static int slice(struct tbuf *t, size_t pos, size_t len, struct iovec *out)
{
	int n = 0;
	size_t off = 0;
	for (int i = 0; i < t->cnt && len > 0; i++) {
		size_t l = t->iov[i].iov_len;
		if (pos >= off + l) {
			off += l;
			continue;
		}
		size_t skip = pos > off ? pos - off : 0;
		size_t take = l - skip < len ? l - skip : len;
		out[n].iov_base = (char *)t->iov[i].iov_base + skip;
		out[n].iov_len = take;
		n++;
		len -= take;
		pos += take;
		off += l;
	}
	return n;
}

static ssize_t move(struct tbuf *t, void *local, size_t len, size_t pos,
		    int to_target)
{
	struct iovec r[IOV_MAX_TARGET];
	int n = slice(t, pos, len, r);
	if (n == 0)
		return 0;
	struct iovec l = { local, len };
	ssize_t got = to_target
		? process_vm_writev(t->c->tid, &l, 1, r, (unsigned long)n, 0)
		: process_vm_readv(t->c->tid, &l, 1, r, (unsigned long)n, 0);
	if (got < 0)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	return got;
}

static const char zeros[65536];

ssize_t tbuf_to_target(void *arg, void *pool_mem, size_t len, size_t pos)
{
	struct tbuf *t = arg;
	if (pool_mem)
		return move(t, pool_mem, len, pos, 1);
	size_t done = 0;
	while (done < len) {  /* a hole: zeros */
		size_t l = len - done < sizeof(zeros) ? len - done : sizeof(zeros);
		ssize_t r = move(t, (void *)zeros, l, pos + done, 1);
		if (r <= 0)
			return done ? (ssize_t)done : r;
		done += (size_t)r;
		if ((size_t)r < l)
			break;
	}
	return (ssize_t)done;
}

ssize_t tbuf_from_target(void *arg, void *pool_mem, size_t len, size_t pos)
{
	return move(arg, pool_mem, len, pos, 0);
}

long rw_form_call(struct call *c, enum rw_form form, rw_fn fn)
{
	int vector = form == RW_V || form == RW_PV || form == RW_PV2;
	if (form == RW_PLAIN || form == RW_V)
		return fn(c, vector, -1, 0);
	/* x86_64: the offset is args[3] (preadv's high half, args[4], unused) */
	int64_t off = (int64_t)c->args[3];
	if (off < (form == RW_PV2 ? -1 : 0))
		return call_fd_refuse(c, (int)c->args[0], -EINVAL);
	return fn(c, vector, (off_t)off,
		  form == RW_PV2 ? (unsigned)c->args[5] : 0);
}
