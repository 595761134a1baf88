/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A target that misbehaves: bad pointers, unterminated and overlong paths,
 * fd exhaustion, refused calls. Every line must say "ok", and the
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
static int failures;
#define EXPECT(call, err) do { errno = 0; long _r = (long)(call); \
	int _ok = _r == -1 && errno == err; failures += !_ok; \
	printf("%-60s = %ld %s %s\n", #call, _r, \
	       strerrorname_np(errno) ? strerrorname_np(errno) : "0", \
	       _ok ? "ok" : "FAIL"); } while (0)
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
	EXPECT(open(p + 4096 - 6, O_RDONLY), EFAULT);
	EXPECT(open((char *)1, O_RDONLY), EFAULT);
	char longp[6000]; memset(longp, 'a', sizeof longp); memcpy(longp, "/mnt/", 5); longp[5999] = 0;
	EXPECT(open(longp, O_RDONLY), ENAMETOOLONG);
	int fd = open("/mnt/a", O_RDWR);
	EXPECT(read(fd, bad, 10), EFAULT);
	EXPECT(write(fd, bad, 10), EFAULT);
	EXPECT(fstat(fd, bad), EFAULT);
	EXPECT(readv(fd, bad, 2), EFAULT);
	EXPECT(stat("/mnt/a", bad), EFAULT);
	EXPECT(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 1) ==
			       MAP_FAILED ?
		       -1 :
		       0,
	       EINVAL);
	EXPECT(syscall(SYS_io_uring_setup, 8, p), ENOSYS);
	EXPECT(open("/mnt/nonexistent", O_RDONLY), ENOENT);
	EXPECT(mkdir("/mnt/a/x", 0777), ENOTDIR);
	EXPECT(rename("/mnt/a", "/tmp/xx"), EXDEV);
	EXPECT(link("/mnt/a", "/tmp/xx"), EXDEV);
	EXPECT(read(999, p, 1), EBADF);
	EXPECT(lseek(fd, -5, SEEK_SET), EINVAL);
	char buf[8]; 
	EXPECT(readlink("/mnt/a", buf, sizeof buf), EINVAL);
	EXPECT(execl("/mnt/a", "a", NULL), EACCES);
	EXPECT(getcwd(buf, 2) == NULL ? -1 : 0, ERANGE);
	/* fd exhaustion */
	struct rlimit rl = { 256, 256 };
	setrlimit(RLIMIT_NOFILE, &rl);
	int n = 0, last = -1;
	for (;;) {
		int f = open("/mnt/a", O_RDONLY);
		if (f < 0) {
			failures += errno != EMFILE;
			printf("after %d opens: %s %s\n", n, strerrorname_np(errno),
			       errno == EMFILE ? "ok" : "FAIL");
			break;
		}
		last = f;
		n++;
	}
	for (int i = 3; i <= last; i++) if (i != fd) close(i);
	EXPECT(close(12345), EBADF);
	/* still served after all that */
	char b[3];
	int f = open("a", O_RDONLY);
	if (f < 0 || read(f, b, 3) != 3 || memcmp(b, "hi\n", 3)) {
		printf("relative read after abuse FAIL\n");
		failures++;
	}
	printf("%d failures\n", failures);
	return failures != 0;
}
