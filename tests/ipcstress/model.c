/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The coordinator's model of names, inodes and every worker's
 * descriptors, the drawing of each op from the seed and that model, and
 * the model's update from the op's result. The model only steers the
 * drawing (so that most ops hit real objects, and no op waits): it is
 * updated from results alone, so two runs with the same results draw the
 * same ops.
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

const char *const ipc_names[NNAME] = {
	"n0",	"n1",	"n2",	"n3",	"n4", "n5", "n6", "n7",
	"d/n0", "d/n1", "d/n2", "d/n3", "f0", "f1", "f2", "x/n0",
};
#define FIRST_FILE 12 /* f0 */
#define MISSING 15 /* x/n0: its directory never exists */

const char *const op_names[OP_COUNT] = {
	"mkfifo",  "open",   "open-wait", "write",    "read",	 "close",
	"poll",	   "stat",   "fstat",	  "rename",   "link",	 "unlink",
	"chmod",   "socket", "bind",	  "listen",   "connect", "accept",
	"sendto",  "sendfd", "names",	  "shutdown", "reopen",	 "respawn",
	"symlink", "churn",  "quit",
};

/* relative weights of the ops, in enum order */
static const unsigned weight[OP_COUNT] = {
	[OP_MKFIFO] = 6,   [OP_OPEN] = 12,   [OP_OPEN_WAIT] = 4,
	[OP_WRITE] = 14,   [OP_READ] = 14,   [OP_CLOSE] = 5,
	[OP_POLL] = 3,	   [OP_STAT] = 5,    [OP_FSTAT] = 3,
	[OP_RENAME] = 4,   [OP_LINK] = 3,    [OP_UNLINK] = 5,
	[OP_CHMOD] = 4,	   [OP_SOCKET] = 7,  [OP_BIND] = 6,
	[OP_LISTEN] = 6,   [OP_CONNECT] = 9, [OP_ACCEPT] = 7,
	[OP_SENDTO] = 6,   [OP_SENDFD] = 4,  [OP_NAMES] = 3,
	[OP_SHUTDOWN] = 1, [OP_REOPEN] = 4,  [OP_RESPAWN] = 1,
	[OP_SYMLINK] = 3,  [OP_CHURN] = 4,
};

struct mslot {
	char kind; /* 0 empty, 'p' from open(), 's' a socket */
	int ino; /* the inode it was opened by or bound to, -1 */
	int acc; /* open(): 1 read, 2 write, 3 both */
	int stype, nb, listening, connected;
};

struct mino {
	char type; /* 'p' FIFO, 's' socket, 'f' file, 'l' symlink */
	char text[32]; /* a symlink's body */
	int lw, ls; /* the listening slot bound to it, lw -1: none */
	int backlog, queued;
	int stype; /* a socket's type */
};

static struct mslot ms[MAX_WORKERS][NSLOT];
static unsigned churn_next; /* churn's names: c0, c1... each used once */
static struct mino *ino;
static int nino, cap_ino;
static int name_ino[NNAME];

const char *ipc_dir_base = "";

/*
 * The name a symlink's body leads to from name i (its directory), or -1.
 * A link made in d/ and renamed to the top goes up out of the directory
 * under test: "../BASE/n1" (BASE its last component) is n1 again.
 */
static int link_target(int i, const char *text)
{
	char p[80], up[80];
	int in_d = !strncmp(ipc_names[i], "d/", 2);
	snprintf(p, sizeof(p), "%s%s", in_d ? "d/" : "", text);
	snprintf(up, sizeof(up), "../%s/", ipc_dir_base);
	const char *q = !strncmp(p, "d/../", 5) ? p + 5 :
		!strncmp(p, up, strlen(up))	? p + strlen(up) :
						  p;
	for (int k = 0; k < NNAME; k++)
		if (!strcmp(ipc_names[k], q))
			return k;
	return -1;
}

/* the inode name i leads to, symlinks followed (-1: none, or a loop) */
static int name_res(int i)
{
	int k = name_ino[i];
	for (int depth = 0; k >= 0 && ino[k].type == 'l'; depth++) {
		i = depth < 8 ? link_target(i, ino[k].text) : -1;
		k = i >= 0 ? name_ino[i] : -1;
	}
	return k;
}

/* the body of a symlink at name `from` that leads to name `to` */
static void link_text(int from, int to, char *out, size_t size)
{
	int up = !!strchr(ipc_names[from], '/');
	snprintf(out, size, "%s%s", up ? "../" : "", ipc_names[to]);
}

static int ino_new(char type)
{
	if (nino == cap_ino) {
		cap_ino = cap_ino ? cap_ino * 2 : 64;
		ino = realloc(ino, (size_t)cap_ino * sizeof(*ino));
		if (!ino) {
			perror("pf-ipcstress");
			exit(2);
		}
	}
	ino[nino] = (struct mino){ .type = type, .lw = -1 };
	return nino++;
}

/* ---- drawing ---------------------------------------------------------- */

static int pick(struct ipcrun *r, const int *v, int n)
{
	return n ? v[rng_below(&r->rng, (uint32_t)n)] : -1;
}

/* a slot of worker w holding kind (0: any non-empty), or -1 */
static int slot_used(struct ipcrun *r, int w, char kind)
{
	int v[NSLOT], n = 0;
	for (int s = 0; s < NSLOT; s++)
		if (ms[w][s].kind && (!kind || ms[w][s].kind == kind))
			v[n++] = s;
	return pick(r, v, n);
}

static int name_pick(struct ipcrun *r, char type);

/* a slot data can go through (acc 1: in, 2: out), most of the time */
static int data_pick(struct ipcrun *r, int w, int acc)
{
	int v[NSLOT], n = 0;
	if (rng_pct(&r->rng, 80))
		for (int s = 0; s < NSLOT; s++) {
			const struct mslot *m = &ms[w][s];
			if ((m->kind == 'p' && (m->acc & acc)) ||
			    (m->kind == 's' &&
			     (m->connected ||
			      (acc == 1 && m->stype == SOCK_DGRAM))))
				v[n++] = s;
		}
	return n ? pick(r, v, n) : slot_used(r, w, 0);
}

/* a socket slot of worker w that ok() likes (most of the time), or any
 * socket slot, or -1 */
static int sock_pick(struct ipcrun *r, int w, int (*ok)(const struct mslot *))
{
	int v[NSLOT], n = 0;
	if (rng_pct(&r->rng, 85))
		for (int s = 0; s < NSLOT; s++)
			if (ms[w][s].kind == 's' && ok(&ms[w][s]))
				v[n++] = s;
	return n ? pick(r, v, n) : slot_used(r, w, 's');
}

static int is_unbound(const struct mslot *m)
{
	return m->ino < 0 && !m->connected;
}

static int is_listenable(const struct mslot *m)
{
	return m->ino >= 0 && m->stype != SOCK_DGRAM;
}

static int is_listening(const struct mslot *m)
{
	return m->listening;
}

static int is_pending(const struct mslot *m)
{
	return m->listening && m->ino >= 0 && ino[m->ino].queued > 0;
}

static int is_connected(const struct mslot *m)
{
	return m->connected;
}

static int is_dgram(const struct mslot *m)
{
	return m->stype == SOCK_DGRAM;
}

static int is_connectable(const struct mslot *m)
{
	return !m->connected && !m->listening;
}

/* a name nothing is at, most of the time */
static int name_free(struct ipcrun *r)
{
	int v[NNAME], n = 0;
	if (rng_pct(&r->rng, 75))
		for (int i = 0; i < FIRST_FILE; i++)
			if (name_ino[i] < 0)
				v[n++] = i;
	return n ? pick(r, v, n) : (int)rng_below(&r->rng, NNAME);
}

/* a name a socket of type stype can reach (a listener, a datagram
 * socket), most of the time */
static int name_reachable(struct ipcrun *r, int stype)
{
	int v[NNAME], n = 0;
	if (rng_pct(&r->rng, 75))
		for (int i = 0; i < FIRST_FILE; i++) {
			int k = name_res(i);
			if (k >= 0 && ino[k].type == 's' &&
			    ino[k].stype == stype &&
			    (stype == SOCK_DGRAM || ino[k].lw >= 0))
				v[n++] = i;
		}
	return n ? pick(r, v, n) : name_pick(r, 's');
}

/* a connectable socket of worker w of a type a listening or datagram name
 * takes, else dflt */
static int connect_pick(struct ipcrun *r, int w, int dflt)
{
	int v[NSLOT], n = 0;
	for (int s = 0; s < NSLOT; s++) {
		const struct mslot *m = &ms[w][s];
		if (m->kind != 's' || !is_connectable(m))
			continue;
		for (int i = 0; i < FIRST_FILE; i++) {
			int k = name_res(i);
			if (k >= 0 && ino[k].type == 's' &&
			    ino[k].stype == m->stype &&
			    (m->stype == SOCK_DGRAM || ino[k].lw >= 0)) {
				v[n++] = s;
				break;
			}
		}
	}
	return n ? pick(r, v, n) : dflt;
}

/* an empty slot, or (all full) any: the worker closes what it held */
static int slot_free(struct ipcrun *r, int w)
{
	int v[NSLOT], n = 0;
	for (int s = 0; s < NSLOT; s++)
		if (!ms[w][s].kind)
			v[n++] = s;
	return n ? pick(r, v, n) : (int)rng_below(&r->rng, NSLOT);
}

/* a name, preferring one whose inode is of type (0: no preference) */
static int name_pick(struct ipcrun *r, char type)
{
	if (type && rng_pct(&r->rng, 70)) {
		int v[NNAME], n = 0;
		for (int i = 0; i < NNAME; i++)
			if (name_res(i) >= 0 && ino[name_res(i)].type == type)
				v[n++] = i;
		if (n)
			return pick(r, v, n);
	}
	if (rng_pct(&r->rng, 4))
		return MISSING;
	if (rng_pct(&r->rng, 6))
		return FIRST_FILE + (int)rng_below(&r->rng, NFILE);
	return (int)rng_below(&r->rng, FIRST_FILE);
}

static int count_ends(int i, int acc)
{
	int n = 0;
	for (int w = 0; w < MAX_WORKERS; w++)
		for (int s = 0; s < NSLOT; s++)
			if (ms[w][s].kind == 'p' && ms[w][s].ino == i &&
			    (ms[w][s].acc & acc))
				n++;
	return n;
}

static void model_close(int w, int s)
{
	struct mslot *m = &ms[w][s];
	if (m->kind == 's' && m->listening && m->ino >= 0 &&
	    ino[m->ino].lw == w && ino[m->ino].ls == s) {
		ino[m->ino].lw = -1;
		ino[m->ino].queued = 0;
	}
	*m = (struct mslot){ .ino = -1 };
}

static const int modes[] = { 0, 0200, 0400, 0600, 0644, 0666, 0755, 0777 };
static const int wlens[] = { 1, 7, 100, 512, 4096 };
static const int rlens[] = { 1, 16, 512, 4096, 65536 };

#define ARRAY_LEN(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define DRAW(a) ((a)[rng_below(&r->rng, (uint32_t)ARRAY_LEN(a))])

static void set_name(char *dst, int i)
{
	snprintf(dst, 32, "%s", ipc_names[i]);
}

/*
 * Fills c for worker w; 0, or -1 when the op has nothing to work on (or
 * could wait) and another is drawn.
 */
static int draw(struct ipcrun *r, int w, struct cmd *c, int *ni, int *ni2)
{
	struct mslot *m;
	int unpriv = rng_below(&r->rng, 6) == 0;
	c->slot = c->slot2 = -1;
	*ni = *ni2 = -1;
	switch (c->op) {
	case OP_MKFIFO:
		*ni = name_free(r);
		c->mode = DRAW(modes);
		c->flags = rng_pct(&r->rng, 50);
		c->unpriv = unpriv;
		break;
	case OP_OPEN: {
		*ni = name_pick(r, 'p');
		c->slot = slot_free(r, w);
		int acc = (int)rng_below(&r->rng, 3); /* O_RDONLY.. O_RDWR */
		c->flags = acc;
		int i = name_res(*ni);
		int peer = 1; /* a blocking open would find its peer */
		if (i >= 0 && ino[i].type == 'p' && acc != O_RDWR)
			peer = count_ends(i, acc == O_RDONLY ? 2 : 1) > 0;
		if (!peer || rng_pct(&r->rng, 50))
			c->flags |= O_NONBLOCK;
		c->unpriv = unpriv;
		break;
	}
	case OP_OPEN_WAIT: /* the rendezvous: see coordinator_run */
		*ni = name_pick(r, 'p');
		c->slot = slot_free(r, w);
		c->flags = rng_pct(&r->rng, 50) ? O_RDONLY : O_WRONLY;
		break;
	case OP_WRITE:
	case OP_READ:
		if ((c->slot = data_pick(r, w, c->op == OP_READ ? 1 : 2)) < 0)
			return -1;
		c->len = c->op == OP_WRITE ? DRAW(wlens) : DRAW(rlens);
		c->dseed = rng_next(&r->rng);
		c->flags = rng_pct(&r->rng, 30); /* MSG_NOSIGNAL */
		break;
	case OP_CLOSE:
	case OP_FSTAT:
		if ((c->slot = slot_used(r, w, 0)) < 0)
			return -1;
		break;
	case OP_POLL:
	case OP_RESPAWN: break;
	case OP_SYMLINK:
		*ni = name_free(r);
		*ni2 = name_pick(r, rng_pct(&r->rng, 50) ? 'p' : 's');
		c->unpriv = unpriv;
		break;
	case OP_REOPEN:
		*ni = name_pick(r, 'p');
		c->flags = rng_pct(&r->rng, 50) ? O_RDONLY : O_RDWR;
		c->len = DRAW(rlens);
		break;
	case OP_STAT:
	case OP_UNLINK:
	case OP_CHMOD:
		*ni = name_pick(r, rng_pct(&r->rng, 50) ? 'p' : 's');
		if (c->op == OP_UNLINK && *ni >= FIRST_FILE && *ni < MISSING)
			*ni -= FIRST_FILE;
		c->mode = DRAW(modes);
		c->unpriv = unpriv;
		break;
	case OP_RENAME:
	case OP_LINK:
		*ni = name_pick(r, rng_pct(&r->rng, 50) ? 'p' : 's');
		*ni2 = name_pick(r, 0);
		if (*ni >= FIRST_FILE && *ni < MISSING)
			*ni -= FIRST_FILE; /* f0..f2 stay: SCM_RIGHTS sends them */
		if (*ni2 >= FIRST_FILE && *ni2 < MISSING)
			*ni2 -= FIRST_FILE;
		c->flags = c->op == OP_RENAME && rng_pct(&r->rng, 30) ?
			RENAME_NOREPLACE :
			0;
		c->unpriv = unpriv;
		break;
	case OP_SOCKET: {
		static const int types[] = { SOCK_STREAM, SOCK_DGRAM,
					     SOCK_SEQPACKET };
		c->slot = slot_free(r, w);
		c->flags = DRAW(types);
		c->mode = rng_pct(&r->rng, 30);
		break;
	}
	case OP_BIND:
	case OP_LISTEN:
	case OP_CONNECT:
	case OP_SENDTO:
	case OP_SENDFD:
	case OP_NAMES:
	case OP_SHUTDOWN:
		c->slot =
			sock_pick(r, w,
				  c->op == OP_BIND	      ? is_unbound :
					  c->op == OP_LISTEN  ? is_listenable :
					  c->op == OP_CONNECT ? is_connectable :
					  c->op == OP_SENDTO  ? is_dgram :
								is_connected);
		if (c->op == OP_CONNECT && rng_pct(&r->rng, 60))
			c->slot = connect_pick(r, w, c->slot);
		if (c->slot < 0)
			return -1;
		m = &ms[w][c->slot];
		c->unpriv = unpriv && c->op != OP_LISTEN && c->op != OP_NAMES &&
			c->op != OP_SHUTDOWN;
		if (c->op == OP_SENDFD)
			*ni = rng_pct(&r->rng, 90) ?
				FIRST_FILE + (int)rng_below(&r->rng, NFILE) :
				name_pick(r, 0);
		else if (c->op == OP_BIND)
			*ni = name_free(r);
		else
			*ni = name_reachable(r, m->stype);
		c->len = c->op == OP_LISTEN ? (int)rng_below(&r->rng, 4) :
					      DRAW(wlens);
		c->dseed = rng_next(&r->rng);
		c->flags = c->op == OP_SHUTDOWN ? (int)rng_below(&r->rng, 3) :
			c->op == OP_SENDTO	? rng_pct(&r->rng, 50) :
						  0;
		if (c->op == OP_CONNECT && !m->nb && m->stype != SOCK_DGRAM) {
			/* a blocking connect to a full listener would wait */
			int i = name_res(*ni);
			if (i >= 0 && ino[i].type == 's' && ino[i].lw >= 0 &&
			    ino[i].stype == m->stype &&
			    ino[i].queued > ino[i].backlog)
				return -1;
		}
		break;
	case OP_ACCEPT:
		if ((c->slot = sock_pick(r, w,
					 rng_pct(&r->rng, 70) ? is_pending :
								is_listening)) <
		    0)
			return -1;
		c->slot2 = slot_free(r, w);
		if (c->slot2 == c->slot)
			return -1;
		c->flags = rng_pct(&r->rng, 30);
		/* look first unless it cannot wait */
		c->mode = !ms[w][c->slot].nb;
		break;
	case OP_CHURN:
		c->slot = slot_free(r, w);
		c->flags = (int)rng_below(&r->rng, 4); /* see do_churn */
		c->mode = rng_pct(&r->rng, 30) ?
			1 + (int)rng_below(&r->rng, 2) :
			0;
		/* a listener kept must lose its name before anything else
		 * could connect to it */
		c->len = (c->mode == 1 && c->flags != 0 && c->flags != 3) ||
			rng_pct(&r->rng, 50);
		c->dseed = rng_next(&r->rng);
		snprintf(c->name, sizeof(c->name), "c%u", churn_next++);
		break;
	default: return -1;
	}
	if (*ni >= 0)
		set_name(c->name, *ni);
	if (*ni2 >= 0)
		set_name(c->name2, *ni2);
	if (c->op == OP_SYMLINK)
		link_text(*ni, *ni2, c->name2, sizeof(c->name2));
	return 0;
}

/* ---- the model's update ---------------------------------------------- */

static void update(int w, const struct cmd *c, long ret, int ni, int ni2)
{
	if (c->op == OP_CLOSE) { /* gone even if close failed */
		model_close(w, c->slot);
		return;
	}
	if (ret < 0)
		return;
	struct mslot *m = c->slot >= 0 ? &ms[w][c->slot] : NULL;
	switch (c->op) {
	case OP_MKFIFO: name_ino[ni] = ino_new('p'); break;
	case OP_SYMLINK:
		name_ino[ni] = ino_new('l');
		snprintf(ino[name_ino[ni]].text, sizeof(ino[0].text), "%s",
			 c->name2);
		break;
	case OP_OPEN:
	case OP_OPEN_WAIT:
		model_close(w, c->slot);
		*m = (struct mslot){ .kind = 'p',
				     .ino = name_res(ni),
				     .acc = (c->flags & O_ACCMODE) + 1 };
		break;
	case OP_RENAME:
		if (name_ino[ni] != name_ino[ni2]) {
			name_ino[ni2] = name_ino[ni];
			name_ino[ni] = -1;
		}
		break;
	case OP_LINK: name_ino[ni2] = name_ino[ni]; break;
	case OP_UNLINK: name_ino[ni] = -1; break;
	case OP_SOCKET:
		model_close(w, c->slot);
		*m = (struct mslot){
			.kind = 's', .ino = -1, .stype = c->flags, .nb = c->mode
		};
		break;
	case OP_BIND:
		m->ino = name_ino[ni] = ino_new('s');
		ino[m->ino].stype = m->stype;
		break;
	case OP_LISTEN:
		m->listening = 1;
		if (m->ino >= 0) {
			ino[m->ino].lw = w;
			ino[m->ino].ls = c->slot;
			ino[m->ino].backlog = c->len;
		}
		break;
	case OP_CONNECT: {
		int i = name_res(ni);
		if (m->stype != SOCK_DGRAM && i >= 0 && ino[i].lw >= 0)
			ino[i].queued++;
		m->connected = 1;
		break;
	}
	case OP_ACCEPT:
		if (m->ino >= 0 && ino[m->ino].queued > 0)
			ino[m->ino].queued--;
		model_close(w, c->slot2);
		ms[w][c->slot2] = (struct mslot){ .kind = 's',
						  .ino = -1,
						  .stype = m->stype,
						  .nb = c->flags,
						  .connected = 1 };
		break;
	case OP_CHURN: {
		if (!c->mode)
			break;
		/* what was kept has no name: no op can reach it by one */
		static const int types[] = { 0, SOCK_STREAM, SOCK_SEQPACKET,
					     SOCK_DGRAM };
		int st = types[c->flags & 3];
		model_close(w, c->slot);
		if (!st) {
			*m = (struct mslot){ .kind = 'p',
					     .ino = ino_new('p'),
					     .acc = c->mode };
		} else if (c->mode == 2) {
			*m = (struct mslot){ .kind = 's',
					     .ino = -1,
					     .stype = st,
					     .connected = 1 };
		} else {
			int i = ino_new('s');
			ino[i].stype = st;
			if (st != SOCK_DGRAM) {
				ino[i].lw = w;
				ino[i].ls = c->slot;
				ino[i].backlog = 4;
			}
			*m = (struct mslot){ .kind = 's',
					     .ino = i,
					     .stype = st,
					     .listening = st != SOCK_DGRAM };
		}
		break;
	}
	default: break;
	}
}

/* ---- the interface (ipcstress.h) --------------------------------------- */

static enum op draw_op(struct ipcrun *r)
{
	unsigned total = 0;
	for (int i = 0; i < OP_COUNT; i++)
		total += weight[i];
	unsigned x = rng_below(&r->rng, total);
	int i = 0;
	while (x >= weight[i])
		x -= weight[i++];
	return (enum op)i;
}

void model_init(void)
{
	for (int i = 0; i < NNAME; i++)
		name_ino[i] = -1;
	for (int i = 0; i < NFILE; i++)
		name_ino[FIRST_FILE + i] = ino_new('f');
	for (int w = 0; w < MAX_WORKERS; w++)
		for (int s = 0; s < NSLOT; s++)
			ms[w][s] = (struct mslot){ .ino = -1 };
}

void model_free(void)
{
	free(ino);
	ino = NULL;
	nino = cap_ino = 0;
}

int model_draw(struct ipcrun *r, struct cmd *c, int *ni, int *ni2)
{
	int w;
	do {
		memset(c, 0, sizeof(*c));
		w = (int)rng_below(&r->rng, (uint32_t)r->nworkers);
		c->op = draw_op(r);
	} while (draw(r, w, c, ni, ni2) < 0);
	return w;
}

int model_slot_free(struct ipcrun *r, int w)
{
	return slot_free(r, w);
}

void model_update(int w, const struct cmd *c, long ret, int ni, int ni2)
{
	update(w, c, ret, ni, ni2);
}

void model_exit(int w)
{
	for (int s = 0; s < NSLOT; s++)
		model_close(w, s);
}
