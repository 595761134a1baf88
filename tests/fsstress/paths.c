/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arguments of operations: mostly paths the tree model holds, so
 * calls hit real objects, and a steady share of paths that must fail
 * (missing names and components, a file used as a directory, a trailing
 * slash on a non-directory): their errnos are compared too.
 */
#include <string.h>

#include "ops.h"

void join(const char *dir, const char *name, char *out, size_t len)
{
	if (!strcmp(dir, "."))
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s/%s", dir, name);
}

void norm(const char *path, char *out, size_t len)
{
	snprintf(out, len, "%s", path);
	size_t n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = 0;
}

void parent_of(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, len, ".");
	else
		snprintf(out, len, "%.*s", (int)(slash - path), path);
}

void gen_path(struct run *r, const char *types, char *out, size_t len)
{
	unsigned k = rng_below(&r->rng, 100);
	const struct entry *e = tree_pick(&r->tree, &r->rng, types);
	char name[32];
	/* "z" names are never created: ENOENT */
	snprintf(name, sizeof(name), "z%u", rng_below(&r->rng, 8));
	if (k < 88) {
		snprintf(out, len, "%s", e->path);
	} else if (k < 92) {
		join(tree_pick(&r->tree, &r->rng, "d")->path, name, out, len);
	} else if (k < 95) {
		char dir[PATHBUF];
		join(tree_pick(&r->tree, &r->rng, "d")->path, name, dir, sizeof(dir));
		join(dir, e->path[0] == '.' ? "x" : strrchr(e->path, '/') ?
		     strrchr(e->path, '/') + 1 : e->path, out, len);
	} else if (k < 98) {
		/* through a file, FIFO or symlink: ENOTDIR, or resolved */
		join(tree_pick(&r->tree, &r->rng, "fpl")->path, "x", out, len);
	} else {
		snprintf(out, len, "%s/", e->path);
	}
}

static unsigned depth(const char *path)
{
	unsigned n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

/*
 * A directory for a new name, mostly not a deep one: renames move
 * directories into each other, and left alone the tree grows into
 * chains 40 levels deep where every call walks 40 components.
 */
static const struct entry *shallow_dir(struct run *r)
{
	const struct entry *e = tree_pick(&r->tree, &r->rng, "d");
	for (int tries = 0; tries < 4 && depth(e->path) >= 6; tries++)
		e = tree_pick(&r->tree, &r->rng, "d");
	return e;
}

void gen_new(struct run *r, char prefix, char *out, size_t len)
{
	unsigned k = rng_below(&r->rng, 100);
	char name[64];
	if (r->proc)
		snprintf(name, sizeof(name), "%c%lu_%u", prefix, r->next_name++, r->proc);
	else
		snprintf(name, sizeof(name), "%c%lu", prefix, r->next_name++);
	if (k < 90) {
		join(shallow_dir(r)->path, name, out, len);
	} else if (k < 95) {
		/* an existing name: EEXIST (or ENOTDIR, EISDIR...) */
		snprintf(out, len, "%s", tree_pick(&r->tree, &r->rng, NULL)->path);
	} else {
		/* in anything, a file or a symlink too, or in a missing dir */
		char dir[PATHBUF];
		gen_path(r, NULL, dir, sizeof(dir));
		join(dir, name, out, len);
	}
}

void gen_target(struct run *r, char *out, size_t len)
{
	unsigned k = rng_below(&r->rng, 100);
	const char *p = tree_pick(&r->tree, &r->rng, NULL)->path;
	const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
	/* relative to the link's directory: a sibling's name often resolves,
	 * a whole path from the root resolves from links in the root */
	if (k < 50)
		snprintf(out, len, "%s", base);
	else if (k < 85)
		snprintf(out, len, "%s", p);
	else if (k < 95)
		snprintf(out, len, "z%u", rng_below(&r->rng, 8));
	else
		snprintf(out, len, "%s/", p);
}
