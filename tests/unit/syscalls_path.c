/* SPDX-License-Identifier: BSD-3-Clause */
/* mount_match: which absolute paths are inside which mount. */
#include <stdio.h>
#include <string.h>

#include "syscalls.h"

static int failures;

static void expect(const char *path, const char *mount, const char *rest)
{
	struct mount *m = NULL;
	const char *r = mount_match(path, &m);
	int ok = rest ? r && strcmp(r, rest) == 0 && strcmp(m->dir, mount) == 0
		      : r == NULL;
	if (!ok) {
		failures++;
		fprintf(stderr, "FAIL %s: got %s in %s, want %s in %s\n", path,
			r ? r : "(host)", r ? m->dir : "-", rest ? rest : "(host)",
			mount ? mount : "-");
	}
}

int main(void)
{
	sc_mount_add("/mnt", NULL, NULL);
	sc_mount_add("/mnt/inner/", NULL, NULL);
	sc_mount_add("/data/pool", NULL, NULL);
	expect("/mnt", "/mnt", "/");
	expect("/mnt/", "/mnt", "/");
	expect("/mnt/a", "/mnt", "/a");
	expect("//mnt//a/b", "/mnt", "/a/b");
	expect("/./mnt/./a", "/mnt", "/a");
	expect("/mntx", NULL, NULL);
	expect("/mnt/inner", "/mnt/inner", "/");
	expect("/mnt/inner/x", "/mnt/inner", "/x");
	expect("/mnt/innerx", "/mnt", "/innerx");
	expect("/data/pool/f", "/data/pool", "/f");
	expect("/data", NULL, NULL);
	expect("/", NULL, NULL);
	expect("/mnt/../etc", "/mnt", "/../etc");
	struct mount *m = sc_mount_get(1);
	if (strcmp(m->parent, "/mnt") != 0) {
		failures++;
		fprintf(stderr, "FAIL parent of /mnt/inner: %s\n", m->parent);
	}
	if (strcmp(sc_mount_get(0)->parent, "/") != 0) {
		failures++;
		fprintf(stderr, "FAIL parent of /mnt: %s\n", sc_mount_get(0)->parent);
	}
	printf("%d failures\n", failures);
	return failures ? 1 : 0;
}
