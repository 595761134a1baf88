/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The life of a struct call: begun by the loop for each notification,
 * served by one handler, ended after the answer (what the handler held is
 * released then). The loop knows nothing of the fields in between.
 */
#include <string.h>

#include "task.h"

void call_begin(struct call *c, const struct seccomp_notif *req, int listener)
{
	c->req = req;
	c->listener = listener;
	c->tid = (pid_t)req->pid;
	c->nr = req->data.nr;
	memcpy(c->args, req->data.args, sizeof(c->args));
	c->thr = NULL;
	c->proc = NULL;
	c->have_caller = 0;
	c->who_err = 0;
	c->nstr = 0;
	c->nheld = 0;
	c->follow_proc = 0;
	c->rename_noop = 0;
	c->inject_fd = -1;
	c->inject_cloexec = 0;
	c->inject_ofd = NULL;
}

void call_hold(struct call *c, pf_file *f)
{
	if (c->nheld < (int)(sizeof(c->held) / sizeof(c->held[0])))
		c->held[c->nheld++] = f;
}

void call_end(struct call *c)
{
	while (c->nheld > 0)
		pf_close(c->held[--c->nheld]);
	c->proc = NULL;  /* the thread entry's reference */
	call_thread_end(c);
}
