/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: damaged pool images at pf_fsck and pf_pool_open.
 *
 * At start-up a small valid pool with files, directories, links, a
 * symlink and extended attributes (a blob with a hole, one on the symlink,
 * one on the orphan) is made and read into memory. Each input is a list of patches
 * applied to a copy of it:
 *   byte 0:      bit 0: truncate the image to a length given by bytes 1-4
 *   then records [u32 offset][u8 len][len bytes]
 * Offsets are reduced modulo the region chosen by the offset's top bit:
 * the whole image, or the metadata objects (inodes, directory pages,
 * extent lists: listed at start-up), where damage matters most.
 * pf_fsck must not crash or hang on anything. When fsck says the image is
 * clean, pf_pool_open must succeed and walking the whole tree, writing a
 * file and closing must not crash either (a pool fsck accepts must be
 * usable).
 *
 * Except inside libpmemobj's own check: pmemobj_check faults or loops on
 * some damaged lanes and heap headers (F7 in tests/reliability/README.md,
 * upstream). The tools run it in a child (PF_OPEN_ISOLATED's trial open,
 * `pmemfile fsck`), where that is the verdict "damaged"; so does this
 * target, before the in-process fsck, and such an image ends there.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libpmemobj.h>

#include <pmemfile/core.h>

#include "rel.h"
#include "rel_pool.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base_path[128], img_path[128];
static char check_helper[4096];        /* fuzz_image_check, next to us */
static unsigned char *img;
static size_t img_size;
static uint64_t meta_off[4096], meta_len[4096];
static int nmeta;
static uint64_t meta_total;

static void
cleanup_files(void)
{
	unlink(base_path);
	unlink(img_path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("PMEM_IS_PMEM_FORCE", "1", 0);
	snprintf(base_path, sizeof(base_path), "/dev/shm/pf-fuzz-img-%d.base",
		 getpid());
	snprintf(img_path, sizeof(img_path), "/dev/shm/pf-fuzz-img-%d", getpid());
	atexit(cleanup_files);
	ssize_t n = readlink("/proc/self/exe", check_helper,
			     sizeof(check_helper) - 32);
	if (n <= 0)
		abort();
	check_helper[n] = 0;
	strcpy(strrchr(check_helper, '/') + 1, "fuzz_image_check");
	char msg[256] = "";
	pf_pool *p;
	if (pf_pool_create(base_path, PF_POOL_MIN_SIZE, 1, msg, sizeof(msg)) < 0 ||
	    pf_pool_open(base_path, 0, &p, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "fuzz_image: %s\n", msg);
		abort();
	}
	struct rel_op ops[40];
	rel_gen_workload(3, ops, 40, 9000);
	for (int i = 0; i < 40; i++)
		rel_pool_apply(p, &ops[i]);
	pf_symlinkat(p, &rel_root, "some/target", NULL, "sym");
	pf_setxattrat(p, &rel_root, NULL, "sym", AT_SYMLINK_NOFOLLOW,
		      "trusted.t", "on the link", 11, 0);
	pf_file *f;
	static char big[5000];
	memset(big, 'v', sizeof(big));
	if (pf_openat(p, &rel_root, NULL, "xa", O_CREAT | O_RDWR, 0644, &f) ==
	    0) {
		pf_fsetxattr(p, &rel_root, f, "user.a", "1", 1, 0);
		pf_fsetxattr(p, &rel_root, f, "user.b", "22", 2, 0);
		pf_fsetxattr(p, &rel_root, f, "user.big", big, sizeof(big), 0);
		pf_fsetxattr(p, &rel_root, f, "security.s", "s", 1, 0);
		pf_fremovexattr(p, &rel_root, f, "user.b"); /* a hole */
		pf_close(f);
	}
	/* an unlinked-but-open file: on the orphan list in the image */
	if (pf_openat(p, &rel_root, NULL, "orphan", O_CREAT | O_RDWR, 0644, &f) == 0) {
		pf_write(p, &rel_root, f, "orphan data", 11);
		pf_fsetxattr(p, &rel_root, f, "user.o", "orphan", 6, 0);
		pf_unlinkat(p, &rel_root, NULL, "orphan", 0);
		/* copy the pool while the orphan is open */
		rel_copy_file(base_path, img_path);
		pf_close(f);
	}
	pf_pool_close(p);
	struct stat st;
	int fd = open(img_path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		perror(img_path);
		abort();
	}
	img_size = (size_t)st.st_size;
	img = malloc(img_size);
	if (!img || read(fd, img, img_size) != (ssize_t)img_size)
		abort();
	close(fd);
	PMEMobjpool *pop = pmemobj_open(img_path, "pmemfile-core");
	if (pop) {
		PMEMoid o;
		size_t rs = pmemobj_root_size(pop);
		if (rs) {
			PMEMoid r = pmemobj_root(pop, rs);
			meta_off[nmeta] = r.off;
			meta_len[nmeta++] = rs;
		}
		POBJ_FOREACH(pop, o) {
			if (nmeta >= 4096)
				break;
			if (pmemobj_type_num(o) == 4)
				continue;
			meta_off[nmeta] = o.off;
			meta_len[nmeta++] = pmemobj_alloc_usable_size(o);
		}
		pmemobj_close(pop);
	}
	for (int i = 0; i < nmeta; i++)
		meta_total += meta_len[i];
	return 0;
}

static uint64_t
pick_offset(uint32_t x)
{
	if ((x & 0x80000000u) && meta_total) {
		uint64_t k = (x & 0x7fffffffu) % meta_total;
		for (int i = 0; i < nmeta; i++) {
			if (k < meta_len[i])
				return meta_off[i] + k;
			k -= meta_len[i];
		}
	}
	return x % img_size;
}

/* pmemobj_check of the image in another process (fuzz_image_check): 0 if
 * it faulted or hung there. (Only for files pf_pool_precheck lets through: on
 * a short file it would fault on any pool, and the core's refusal of those
 * is tested in-process.) */
static int
pmemobj_check_survives(size_t len)
{
	char sig[8] = "";
	int fd = open(img_path, O_RDONLY);
	if (fd < 0 || pread(fd, sig, sizeof(sig), 0) < 0)
		abort();
	close(fd);
	if (len < PMEMOBJ_MIN_POOL || memcmp(sig, "PMEMOBJ", 8) != 0)
		return 1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	/* quiet: libpmemobj's messages about the damage */
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = { check_helper, img_path, NULL };
	pid_t pid;
	if (posix_spawn(&pid, check_helper, &fa, NULL, argv, environ) != 0) {
		perror(check_helper);
		abort();
	}
	posix_spawn_file_actions_destroy(&fa);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			abort();
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void
report(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t len = img_size;
	size_t i = 1;
	if ((data[0] & 1) && size >= 5) {
		uint32_t t;
		memcpy(&t, data + 1, 4);
		len = t % (img_size + 1);
		i = 5;
	}
	int fd = open(img_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	if (write(fd, img, len) != (ssize_t)len)
		abort();
	while (i + 5 <= size) {
		uint32_t o;
		memcpy(&o, data + i, 4);
		size_t n = data[i + 4] % 16;
		i += 5;
		if (n > size - i)
			n = size - i;
		uint64_t at = pick_offset(o);
		if (at < len && pwrite(fd, data + i, n < len - at ? n : len - at,
				       (off_t)at) < 0)
			abort();
		i += n;
	}
	close(fd);
	/* reproducing a crash: keep the image the input made */
	const char *save = getenv("PF_FUZZ_IMAGE_SAVE");
	if (save)
		rel_copy_file(img_path, save);

	if (!pmemobj_check_survives(len))
		return 0;
	int f = pf_fsck(img_path, report, NULL);
	if (f != 0)
		return 0;
	char msg[256];
	pf_pool *p;
	int r = pf_pool_open(img_path, 0, &p, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "fuzz_image: fsck clean but pf_pool_open: %s\n", msg);
		abort();
	}
	free(rel_pool_dump(p, NULL));
	/* every attribute of the files that had some reads back */
	static const char *const xpaths[] = { "xa", "sym" };
	for (int k = 0; k < 2; k++) {
		static char list[PF_XATTR_LIST_MAX];
		static char val[PF_XATTR_SIZE_MAX];
		ssize_t n =
			pf_listxattrat(p, &rel_root, NULL, xpaths[k],
				       AT_SYMLINK_NOFOLLOW, list, sizeof(list));
		for (ssize_t o = 0; o < n; o += (ssize_t)strlen(list + o) + 1)
			pf_getxattrat(p, &rel_root, NULL, xpaths[k],
				      AT_SYMLINK_NOFOLLOW, list + o, val,
				      sizeof(val));
	}
	pf_file *fl;
	if (pf_openat(p, &rel_root, NULL, "new", O_CREAT | O_WRONLY, 0644, &fl) == 0) {
		pf_write(p, &rel_root, fl, "abc", 3);
		pf_close(fl);
	}
	pf_pool_close(p);
	return 0;
}
