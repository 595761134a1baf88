/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A target that misbehaves: bad pointers, unterminated and overlong paths,
 * fd exhaustion, refused calls: each must get its errno (check.h), and the
 * supervisor must still be serving afterwards. Run under pmemfile-run with
 * a pool mounted at argv[1].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <sys/resource.h>

#include "check.h" /* CHECK_ERR(err, call): the first failure ends it */
/* volatile: the compiler must not see that it is bad */
static void *volatile bad = (void *)8;

int main(void) {
	if (chdir("/mnt") < 0) { perror("chdir /mnt"); return 1; }
	int fa = open("/mnt/a", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fa < 0 || write(fa, "hi\n", 3) != 3) { perror("/mnt/a"); return 1; }
	close(fa);
	char *p = mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
	munmap(p + 4096, 4096);
	memcpy(p + 4096 - 6, "/mnt/a", 6); /* no NUL before the hole */
	CHECK_ERR(EFAULT, open(p + 4096 - 6, O_RDONLY));
	CHECK_ERR(EFAULT, open((char *)1, O_RDONLY));
	char longp[6000]; memset(longp, 'a', sizeof longp); memcpy(longp, "/mnt/", 5); longp[5999] = 0;
	CHECK_ERR(ENAMETOOLONG, open(longp, O_RDONLY));
	int fd = open("/mnt/a", O_RDWR);
	CHECK_ERR(EFAULT, read(fd, bad, 10));
	CHECK_ERR(EFAULT, write(fd, bad, 10));
	CHECK_ERR(EFAULT, fstat(fd, bad));
	CHECK_ERR(EFAULT, readv(fd, bad, 2));
	CHECK_ERR(EFAULT, stat("/mnt/a", bad));
	CHECK_ERR(EINVAL,
		  mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 1) ==
				  MAP_FAILED ?
			  -1 :
			  0);
	CHECK_ERR(ENOSYS, syscall(SYS_io_uring_setup, 8, p));
	CHECK_ERR(ENOENT, open("/mnt/nonexistent", O_RDONLY));
	CHECK_ERR(ENOTDIR, mkdir("/mnt/a/x", 0777));
	CHECK_ERR(EXDEV, rename("/mnt/a", "/tmp/xx"));
	CHECK_ERR(EXDEV, link("/mnt/a", "/tmp/xx"));
	CHECK_ERR(EBADF, read(999, p, 1));
	CHECK_ERR(EINVAL, lseek(fd, -5, SEEK_SET));
	char buf[8];
	CHECK_ERR(EINVAL, readlink("/mnt/a", buf, sizeof buf));
	CHECK_ERR(EACCES, execl("/mnt/a", "a", NULL));
	CHECK_ERR(ERANGE, getcwd(buf, 2) == NULL ? -1 : 0);
	/* fd exhaustion */
	struct rlimit rl = { 256, 256 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int last = -1;
	for (;;) {
		int f = open("/mnt/a", O_RDONLY);
		if (f < 0) {
			CHECK_EQ(EMFILE, errno);
			break;
		}
		last = f;
	}
	for (int i = 3; i <= last; i++) if (i != fd) close(i);
	CHECK_ERR(EBADF, close(12345));
	/* still served after all that */
	char b[3];
	int f = open("a", O_RDONLY);
	CHECK(f >= 0 && read(f, b, 3) == 3 && memcmp(b, "hi\n", 3) == 0);
	printf("ok: every misbehaviour got its errno, then served again\n");
	return 0;
}
