/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mkfs.pmemfile: makes a pmemfile file system in a pool file or device.
 *
 *   mkfs.pmemfile [-f] POOL SIZE
 *
 * SIZE is a byte count with an optional k/K, M, G or T suffix (powers of
 * 1024); 0 uses the size of the existing file or device. Exit status: 0 done,
 * 1 the pool could not be made, 2 bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <pmemfile/core.h>

#include "size.h"

#define PROG "mkfs.pmemfile"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [-f] POOL SIZE\n"
		"Make a pmemfile file system in POOL (a file or a device).\n"
		"\n"
		"  SIZE         bytes, with an optional K, M, G or T suffix\n"
		"               (powers of 1024); 0: the size of the existing\n"
		"               file or device. At least %u MiB.\n"
		"  -f, --force  overwrite POOL even if it already holds a pool\n"
		"  -h, --help   show this help and exit\n"
		"  -V, --version  show the version and exit\n",
		PF_POOL_MIN_SIZE >> 20);
}

/* Parses "123", "64M", "1g"... into *out. Returns 0 or -1. */
/* Free bytes where path would be created (its directory's file system). */
static int free_space(const char *path, uint64_t *avail)
{
	char *copy = strdup(path);
	struct statvfs sv;
	int r = copy ? statvfs(dirname(copy), &sv) : -1;
	free(copy);
	if (r)
		return -1;
	*avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int force = 0, opt;
	while ((opt = getopt_long(argc, argv, "fhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			force = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf(PROG " (pmemfile-run) %s\n", pf_version());
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, PROG ": expected POOL and SIZE\n");
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind], *size_arg = argv[optind + 1];
	uint64_t size;
	if (pf_parse_size(size_arg, &size)) {
		fprintf(stderr, PROG ": invalid size '%s': expected a number "
			"with an optional K, M, G or T suffix (64M, 1G), at most 16 EiB\n", size_arg);
		return 2;
	}
	if (size != 0 && size < PF_POOL_MIN_SIZE) {
		fprintf(stderr, PROG ": size %" PRIu64 " is too small: the "
			"minimum is %u MiB (%u bytes)\n", size,
			PF_POOL_MIN_SIZE >> 20, PF_POOL_MIN_SIZE);
		return 1;
	}

	struct stat st;
	int exists = stat(path, &st) == 0;
	if (size == 0 && !exists) {
		fprintf(stderr, PROG ": %s: size 0 means the size of an "
			"existing file or device, and there is none\n", path);
		return 1;
	}
	if (exists && S_ISDIR(st.st_mode)) {
		fprintf(stderr, PROG ": %s: is a directory\n", path);
		return 1;
	}
	if (size == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size < PF_POOL_MIN_SIZE) {
		fprintf(stderr, PROG ": %s: the file has %jd bytes, too small: "
			"the minimum is %u MiB (%u bytes)\n", path,
			(intmax_t)st.st_size, PF_POOL_MIN_SIZE >> 20,
			PF_POOL_MIN_SIZE);
		return 1;
	}
	/* A new (or growing) regular file needs room on its file system. */
	uint64_t avail, have = exists && S_ISREG(st.st_mode) ?
		(uint64_t)st.st_blocks * 512 : 0;
	if (size && (!exists || S_ISREG(st.st_mode)) &&
	    free_space(path, &avail) == 0 && size > avail + have) {
		fprintf(stderr, PROG ": %s: no space: %" PRIu64 " bytes "
			"needed, %" PRIu64 " available\n", path, size,
			avail + have);
		return 1;
	}

	char msg[256] = "";
	int r = pf_pool_create(path, size, force, msg, sizeof(msg));
	if (r == -EEXIST) {
		fprintf(stderr, PROG ": %s already holds a pool; use -f to "
			"overwrite it\n", path);
		return 1;
	}
	if (r < 0) {
		const char *why = strerror(-r), *detail = msg;
		size_t plen = strlen(path);
		if (r == -ENOSPC)
			why = "no space left on the device";
		else if (r == -EACCES || r == -EPERM || r == -EROFS)
			why = "not writable";
		/* the library's message may repeat the path: say it once */
		if (strncmp(detail, path, plen) == 0 && detail[plen] == ':')
			detail += plen + 1 + (detail[plen + 1] == ' ');
		if (detail[0] && strcmp(detail, why) != 0)
			fprintf(stderr, PROG ": %s: %s (%s)\n", path, why,
				detail);
		else if (strcmp(why, strerror(-r)) != 0)
			fprintf(stderr, PROG ": %s: %s (%s)\n", path, why,
				strerror(-r));
		else
			fprintf(stderr, PROG ": %s: %s\n", path, why);
		return 1;
	}
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		size = (uint64_t)st.st_size;
	if (size)
		printf("%s: pmemfile file system of %" PRIu64 " bytes (%"
		       PRIu64 " MiB)\n", path, size, size >> 20);
	else
		printf("%s: pmemfile file system on the whole device\n", path);
	return 0;
}
