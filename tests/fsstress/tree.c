/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exerciser's model of the tree: the paths it believes exist, so that
 * most operations name real objects. Kept up to date from the results of
 * its own calls, and replaced by a sorted scan every so often (creates
 * through symlinks, other processes). The order of entries only depends on
 * the calls' results, so picks are the same on any file system.
 */
#include <stdlib.h>
#include <string.h>

#include "fsstress.h"

char type_of_mode(mode_t m)
{
	if (S_ISREG(m)) return 'f';
	if (S_ISDIR(m)) return 'd';
	if (S_ISLNK(m)) return 'l';
	if (S_ISFIFO(m)) return 'p';
	return '?';
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].path);
	free(t->e);
	t->e = NULL;
	t->n = t->cap = 0;
}

void tree_add(struct tree *t, const char *path, char type)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->e = realloc(t->e, t->cap * sizeof(*t->e));
		if (!t->e)
			abort();
	}
	t->e[t->n].path = xstrdup(path);
	t->e[t->n].type = type;
	t->n++;
}

void tree_init(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	tree_add(t, ".", 'd');
}

static int scan_one(const char *path, const struct stat *st, void *arg)
{
	tree_add(arg, path, type_of_mode(st->st_mode));
	return 0;
}

int tree_scan(struct tree *t)
{
	tree_free(t);
	tree_init(t);
	/* a failing lstat is another process's rename or unlink: keep what
	 * was read, the model only has to be mostly right */
	return walk_tree(".", 1, scan_one, t);
}

int tree_find(const struct tree *t, const char *path)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].path, path))
			return (int)i;
	return -1;
}

/* "a" is "a" itself or an ancestor of "a/b"; "." contains everything */
static int under(const char *path, const char *dir)
{
	if (!strcmp(dir, "."))
		return 1;
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == 0 || path[n] == '/');
}

void tree_remove(struct tree *t, const char *path)
{
	size_t j = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (i > 0 && under(t->e[i].path, path))
			free(t->e[i].path);
		else
			t->e[j++] = t->e[i];
	}
	t->n = j;
}

static void reprefix(struct entry *e, size_t oldlen, const char *to)
{
	const char *rest = e->path + oldlen;
	size_t n = strlen(to) + strlen(rest) + 1;
	char *p = malloc(n);
	if (!p)
		abort();
	snprintf(p, n, "%s%s", to, rest);
	free(e->path);
	e->path = p;
}

void tree_move(struct tree *t, const char *from, const char *to)
{
	if (!strcmp(from, to))
		return;
	tree_remove(t, to);
	size_t n = strlen(from);
	for (size_t i = 1; i < t->n; i++)
		if (under(t->e[i].path, from))
			reprefix(&t->e[i], n, to);
}

void tree_exchange(struct tree *t, const char *a, const char *b)
{
	/* a successful exchange implies neither contains the other */
	size_t na = strlen(a), nb = strlen(b);
	for (size_t i = 1; i < t->n; i++) {
		if (under(t->e[i].path, a))
			reprefix(&t->e[i], na, b);
		else if (under(t->e[i].path, b))
			reprefix(&t->e[i], nb, a);
	}
}

const struct entry *tree_pick(const struct tree *t, struct rng *r,
			      const char *types)
{
	/* a few tries rather than a filtered list: cheap and deterministic */
	for (int tries = 0; types && tries < 24; tries++) {
		const struct entry *e = &t->e[rng_below(r, (uint32_t)t->n)];
		if (strchr(types, e->type))
			return e;
	}
	return &t->e[rng_below(r, (uint32_t)t->n)];
}
