/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The coordinator's run: each op drawn by the model (model.c) is sent to
 * its worker, the answer logged and fed back to the model before the next
 * is drawn; the closing listing of the directory.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipcstress.h"

void log_line(struct ipcrun *r, const char *fmt, ...)
{
	char b[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(b) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(b) - 2)
		n = sizeof(b) - 2;
	b[n++] = '\n';
	r->hash = fnv(r->hash, b, (size_t)n);
	if (r->log)
		fwrite(b, 1, (size_t)n, r->log);
}

static int exchange(struct ipcrun *r, int w, const struct cmd *c,
		    struct reply *rp)
{
	if (send(r->ctl[w], c, sizeof(*c), 0) != (ssize_t)sizeof(*c))
		return -1;
	return 0;
}

static int answer(struct ipcrun *r, int w, unsigned long n, struct reply *rp)
{
	if (recv(r->ctl[w], rp, sizeof(*rp), 0) != (ssize_t)sizeof(*rp)) {
		fprintf(stderr, "pf-ipcstress: worker %d is gone at op %lu\n",
			w, n);
		return -1;
	}
	rp->text[sizeof(rp->text) - 1] = 0;
	log_line(r, "%lu w%d %s", n, w, rp->text);
	if (rp->blocked) {
		r->blocked++;
		fprintf(stderr,
			"pf-ipcstress: op %lu waited (the model is wrong)\n",
			n);
	}
	return 0;
}

int coordinator_run(struct ipcrun *r)
{
	model_init();
	for (unsigned long n = 0; n < r->nops; n++) {
		struct cmd c;
		int ni, ni2;
		int w = model_draw(r, &c, &ni, &ni2);
		r->count[c.op]++;
		struct reply rp, rp2;
		if (c.op == OP_RESPAWN) {
			/* the exit closes everything it held before wait
			 * returns (exit_files comes before exit_notify) */
			struct cmd q = { .op = OP_QUIT };
			long ret = 0;
			if (send(r->ctl[w], &q, sizeof(q), 0) !=
				    (ssize_t)sizeof(q) ||
			    worker_reap(r, w) < 0 || worker_spawn(r, w) < 0)
				ret = -1;
			log_line(r, "%lu w%d respawn = %ld", n, w, ret);
			if (ret < 0)
				return 2;
			model_exit(w);
			r->ok[c.op]++;
			continue;
		}
		if (c.op == OP_OPEN_WAIT) {
			/* two workers, one blocking open each: whichever
			 * comes first waits for the other */
			int w2 = (w + 1 +
				  (int)rng_below(&r->rng,
						 (uint32_t)r->nworkers - 1)) %
				r->nworkers;
			struct cmd c2 = c;
			c2.slot = model_slot_free(r, w2);
			c2.flags = c.flags == O_RDONLY ? O_WRONLY : O_RDONLY;
			if (exchange(r, w, &c, &rp) ||
			    exchange(r, w2, &c2, &rp2) ||
			    answer(r, w, n, &rp) || answer(r, w2, n, &rp2))
				return 2;
			model_update(w, &c, rp.ret, ni, ni2);
			model_update(w2, &c2, rp2.ret, ni, ni2);
		} else {
			if (exchange(r, w, &c, &rp) || answer(r, w, n, &rp))
				return 2;
			model_update(w, &c, rp.ret, ni, ni2);
		}
		if (rp.ret >= 0)
			r->ok[c.op]++;
	}
	struct cmd q = { .op = OP_QUIT };
	for (int w = 0; w < r->nworkers; w++)
		send(r->ctl[w], &q, sizeof(q), 0);
	model_free();
	return 0;
}

static int dirent_visible(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

static void list_dir(struct ipcrun *r, const char *dir)
{
	struct dirent **v;
	int n = scandir(dir, &v, dirent_visible, alphasort);
	if (n < 0) {
		log_line(r, "scandir %s = -1 %s", dir, strerrorname_np(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		char p[512];
		struct stat st;
		snprintf(p, sizeof(p), "%s/%s", dir, v[i]->d_name);
		if (lstat(p, &st) < 0)
			log_line(r, "%s = -1 %s", p, strerrorname_np(errno));
		else
			log_line(r, "%s %c 0%o nlink %lu uid %u size %lld", p,
				 S_ISFIFO(st.st_mode)	      ? 'p' :
					 S_ISSOCK(st.st_mode) ? 's' :
					 S_ISDIR(st.st_mode)  ? 'd' :
					 S_ISLNK(st.st_mode)  ? 'l' :
								'f',
				 st.st_mode & 07777, (unsigned long)st.st_nlink,
				 st.st_uid,
				 S_ISREG(st.st_mode) ? (long long)st.st_size :
						       0LL);
		free(v[i]);
	}
	free(v);
}

void list_names(struct ipcrun *r)
{
	log_line(r, "listing");
	list_dir(r, ".");
	list_dir(r, "d");
}
