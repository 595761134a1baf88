/* SPDX-License-Identifier: BSD-3-Clause */
/* Attributes: stat fields, chmod, chown, utimensat (values and permission
 * rules; expectations checked against Linux 6.18 on tmpfs). */
#define _GNU_SOURCE
#include "pftest.h"

static void stat_fields(void)
{
	MKDIR("d");
	PUTS("d/f", "hello");
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "d/l"));
	struct pf_stat d = STAT("d"), f = STAT("d/f"), l = LSTAT("d/l"),
		       r = STAT("/");
	uint64_t dev = pf_pool_dev(P);
	EQ(dev, d.dev);
	EQ(dev, f.dev);
	EQ(dev, l.dev);
	CHECK(d.ino != f.ino && f.ino != l.ino && d.ino != l.ino);
	CHECK(r.ino != d.ino && r.ino != f.ino && r.ino != l.ino);
	EQ(PF_BLKSIZE, f.blksize);
	EQ(PF_BLKSIZE, d.blksize);
	EQ(PF_BLKSIZE, l.blksize);
	EQ(5, f.size);
	EQ(1, f.nlink);
	EQ(0, f.rdev);
	EQ(S_IFREG | 0644, f.mode);
	EQ(S_IFDIR | 0755, d.mode);
	EQ(S_IFLNK | 0777, l.mode);
	CHECK(pft_recent(f.btime));
	CHECK(pft_recent(f.mtime));
	CHECK(pft_recent(f.ctime));
	CHECK(pft_recent(f.atime));
	/* stat follows, and equals the target's */
	struct pf_stat sl = STAT("d/l");
	EQ(f.ino, sl.ino);
	/* fstat of an open file matches fstatat */
	pf_file *h = OPEN("d/f", O_RDONLY, 0);
	struct pf_stat hs;
	OK(pf_fstat(P, h, &hs));
	EQ(f.ino, hs.ino);
	EQ(f.size, hs.size);
	/* AT_EMPTY_PATH with the file itself */
	OK(pf_fstatat(P, &ROOT, h, "", &hs, AT_EMPTY_PATH));
	EQ(f.ino, hs.ino);
	pf_close(h);
	/* without AT_EMPTY_PATH an empty path is ENOENT */
	ERR(ENOENT, pf_fstatat(P, &ROOT, NULL, "", &hs, 0));
	ERR(EINVAL, pf_fstatat(P, &ROOT, NULL, "d", &hs, 0x40000000));
	/* AT_NO_AUTOMOUNT is accepted */
	OK(pf_fstatat(P, &ROOT, NULL, "d", &hs, AT_NO_AUTOMOUNT));
}

static void ino_unique_and_stable(void)
{
	uint64_t inos[200];
	char name[32];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "%s%d", i % 2 ? "f" : "d", i);
		if (i % 2)
			PUTS(name, "x");
		else
			MKDIR(name);
		inos[i] = STAT(name).ino;
		for (int j = 0; j < i; j++)
			CHECK(inos[j] != inos[i]);
	}
	uint64_t dev = pf_pool_dev(P);
	pft_reopen();
	EQ(dev, pf_pool_dev(P));
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "%s%d", i % 2 ? "f" : "d", i);
		EQ(inos[i], STAT(name).ino);
		EQ(dev, STAT(name).dev);
	}
	/* a renamed file keeps its number */
	OK(pf_renameat2(P, &ROOT, NULL, "f1", NULL, "d0/moved", 0));
	EQ(inos[1], STAT("d0/moved").ino);
}

static void chmod_cases(void)
{
	PUTS("f", "x");
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0600, 0));
	EQ(S_IFREG | 0600, STAT("f").mode);
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 07777, 0));
	EQ(S_IFREG | 07777, STAT("f").mode);
	/* the type bits in mode are ignored */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", S_IFDIR | 0644, 0));
	EQ(S_IFREG | 0644, STAT("f").mode);
	/* follows symlinks; NOFOLLOW on a link: EOPNOTSUPP */
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "l"));
	OK(pf_fchmodat(P, &ROOT, NULL, "l", 0640, 0));
	EQ(0640, STAT("f").mode & 07777);
	EQ(0777, LSTAT("l").mode & 07777);
	ERR(EOPNOTSUPP, pf_fchmodat(P, &ROOT, NULL, "l", 0600,
				    AT_SYMLINK_NOFOLLOW));
	/* NOFOLLOW on a non-link works */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0604, AT_SYMLINK_NOFOLLOW));
	EQ(0604, STAT("f").mode & 07777);
	ERR(EINVAL, pf_fchmodat(P, &ROOT, NULL, "f", 0600, 0x40000000));
	ERR(ENOENT, pf_fchmodat(P, &ROOT, NULL, "nope", 0600, 0));
	/* fchmod and AT_EMPTY_PATH */
	pf_file *h = OPEN("f", O_RDONLY, 0);
	OK(pf_fchmod(P, &ROOT, h, 0611));
	EQ(0611, STAT("f").mode & 07777);
	OK(pf_fchmodat(P, &ROOT, h, "", 0622, AT_EMPTY_PATH));
	EQ(0622, STAT("f").mode & 07777);
	pf_close(h);
	/* permissions: only the owner or CAP_FOWNER */
	struct pf_caller owner = pft_user(1000, 1000), other = pft_user(1001,
									  1001);
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 1000, 0));
	OK(pf_fchmodat(P, &owner, NULL, "f", 0666, 0));
	ERR(EPERM, pf_fchmodat(P, &other, NULL, "f", 0777, 0));
	EQ(0666, STAT("f").mode & 07777);
	struct pf_caller fowner = other;
	fowner.caps = PF_CAP_FOWNER;
	OK(pf_fchmodat(P, &fowner, NULL, "f", 0660, 0));
	/* an owner outside the file's group loses S_ISGID */
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 5, 0));
	OK(pf_fchmodat(P, &owner, NULL, "f", 02777, 0));
	EQ(0777, STAT("f").mode & 07777);
	/* ... unless a member (supplementary group) */
	uint32_t groups[] = { 3, 5 };
	struct pf_caller member = owner;
	member.groups = groups;
	member.ngroups = 2;
	OK(pf_fchmodat(P, &member, NULL, "f", 02777, 0));
	EQ(02777, STAT("f").mode & 07777);
	/* directories */
	MKDIR("d");
	OK(pf_fchmodat(P, &ROOT, NULL, "d", 01777, 0));
	EQ(S_IFDIR | 01777, STAT("d").mode);
}

static void chown_cases(void)
{
	PUTS("f", "x");
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 2000, 0));
	EQ(1000, STAT("f").uid);
	EQ(2000, STAT("f").gid);
	OK(pf_fchownat(P, &ROOT, NULL, "f", (uint32_t)-1, 3000, 0));
	EQ(1000, STAT("f").uid);
	EQ(3000, STAT("f").gid);
	OK(pf_fchownat(P, &ROOT, NULL, "f", 4000, (uint32_t)-1, 0));
	EQ(4000, STAT("f").uid);
	EQ(3000, STAT("f").gid);
	/* symlinks: followed unless NOFOLLOW */
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "l"));
	OK(pf_fchownat(P, &ROOT, NULL, "l", 1, 1, AT_SYMLINK_NOFOLLOW));
	EQ(1, LSTAT("l").uid);
	EQ(4000, STAT("f").uid);
	OK(pf_fchownat(P, &ROOT, NULL, "l", 5, 5, 0));
	EQ(5, STAT("f").uid);
	EQ(1, LSTAT("l").uid);
	ERR(EINVAL, pf_fchownat(P, &ROOT, NULL, "f", 1, 1, 0x40000000));

	/* unprivileged rules */
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 1000, 0));
	struct pf_caller owner = pft_user(1000, 1000);
	struct pf_caller other = pft_user(1001, 1001);
	uint32_t groups[] = { 77 };
	struct pf_caller member = owner;
	member.groups = groups;
	member.ngroups = 1;
	ERR(EPERM, pf_fchownat(P, &other, NULL, "f", 1001, (uint32_t)-1, 0));
	ERR(EPERM, pf_fchownat(P, &other, NULL, "f", 1000, (uint32_t)-1, 0));
	OK(pf_fchownat(P, &other, NULL, "f", (uint32_t)-1, (uint32_t)-1, 0));
	OK(pf_fchownat(P, &owner, NULL, "f", 1000, (uint32_t)-1, 0));
	OK(pf_fchownat(P, &owner, NULL, "f", (uint32_t)-1, 1000, 0));
	ERR(EPERM, pf_fchownat(P, &owner, NULL, "f", (uint32_t)-1, 1001, 0));
	ERR(EPERM, pf_fchownat(P, &owner, NULL, "f", 1001, (uint32_t)-1, 0));
	OK(pf_fchownat(P, &member, NULL, "f", (uint32_t)-1, 77, 0));
	EQ(77, STAT("f").gid);
	struct pf_caller chown_cap = other;
	chown_cap.caps = PF_CAP_CHOWN;
	OK(pf_fchownat(P, &chown_cap, NULL, "f", 1234, 5678, 0));
	EQ(1234, STAT("f").uid);
	EQ(5678, STAT("f").gid);
	/* fchown */
	pf_file *h = OPEN("f", O_RDONLY, 0);
	OK(pf_fchown(P, &ROOT, h, 9, 9));
	pf_close(h);
	EQ(9, STAT("f").uid);
}

static void chown_clears_setid(void)
{
	PUTS("f", "x");
	/* even root's chown clears set-user-ID on a regular file */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 06755, 0));
	OK(pf_fchownat(P, &ROOT, NULL, "f", (uint32_t)-1, (uint32_t)-1, 0));
	EQ(0755, STAT("f").mode & 07777);
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 06755, 0));
	OK(pf_fchownat(P, &ROOT, NULL, "f", 0, 0, 0));
	EQ(0755, STAT("f").mode & 07777);
	/* set-group-ID without group execute (a locking marker) stays for
	 * a caller in the group or privileged */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 02745, 0));
	OK(pf_fchownat(P, &ROOT, NULL, "f", 5, 5, 0));
	EQ(02745, STAT("f").mode & 07777);
	/* an owner's chown clears it when group-executable */
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 1000, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 06777, 0));
	struct pf_caller owner = pft_user(1000, 1000);
	OK(pf_fchownat(P, &owner, NULL, "f", (uint32_t)-1, 1000, 0));
	EQ(0777, STAT("f").mode & 07777);
	/* a non-owner's chown(-1, -1) would have to clear set-user-ID: that
	 * is a mode change, which needs ownership: EPERM (Linux) */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 04755, 0));
	struct pf_caller other = pft_user(1001, 1001);
	ERR(EPERM, pf_fchownat(P, &other, NULL, "f", (uint32_t)-1,
			       (uint32_t)-1, 0));
	EQ(04755, STAT("f").mode & 07777);
	/* directories keep theirs */
	MKDIR("d");
	OK(pf_fchmodat(P, &ROOT, NULL, "d", 06755, 0));
	OK(pf_fchownat(P, &ROOT, NULL, "d", 1, 1, 0));
	EQ(06755, STAT("d").mode & 07777);
}

static void utimens_values(void)
{
	PUTS("f", "x");
	struct timespec ts[2] = { { 1234, 567891234 }, { 5678, 1 } };
	OK(pf_utimensat(P, &ROOT, NULL, "f", ts, 0));
	struct pf_stat st = STAT("f");
	EQ(1234, st.atime.tv_sec);
	EQ(567891234, st.atime.tv_nsec);
	EQ(5678, st.mtime.tv_sec);
	EQ(1, st.mtime.tv_nsec);
	CHECK(pft_recent(st.ctime));
	/* before the epoch */
	struct timespec neg[2] = { { -1000, 500 }, { -5, 999999999 } };
	OK(pf_utimensat(P, &ROOT, NULL, "f", neg, 0));
	st = STAT("f");
	EQ(-1000, st.atime.tv_sec);
	EQ(500, st.atime.tv_nsec);
	EQ(-5, st.mtime.tv_sec);
	EQ(999999999, st.mtime.tv_nsec);
	/* UTIME_OMIT keeps one, UTIME_NOW sets one */
	struct timespec om[2] = { { 0, UTIME_OMIT }, { 42, 0 } };
	OK(pf_utimensat(P, &ROOT, NULL, "f", om, 0));
	st = STAT("f");
	EQ(-1000, st.atime.tv_sec);
	EQ(42, st.mtime.tv_sec);
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	OK(pf_utimensat(P, &ROOT, NULL, "f", now, 0));
	st = STAT("f");
	CHECK(pft_recent(st.atime));
	EQ(42, st.mtime.tv_sec);
	/* NULL: both now */
	OK(pf_utimensat(P, &ROOT, NULL, "f", NULL, 0));
	st = STAT("f");
	CHECK(pft_recent(st.atime));
	CHECK(pft_recent(st.mtime));
	/* both OMIT: nothing at all changes, not even ctime */
	OK(pf_utimensat(P, &ROOT, NULL, "f", ts, 0));
	struct pf_stat before = STAT("f");
	struct timespec tick = { 0, 20000000 };
	nanosleep(&tick, NULL);
	struct timespec oo[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	OK(pf_utimensat(P, &ROOT, NULL, "f", oo, 0));
	st = STAT("f");
	EQ(0, pft_ts_cmp(before.ctime, st.ctime));
	EQ(0, pft_ts_cmp(before.atime, st.atime));
	/* invalid nanoseconds */
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	ERR(EINVAL, pf_utimensat(P, &ROOT, NULL, "f", bad, 0));
	struct timespec bad2[2] = { { 0, 0 }, { 0, -1 } };
	ERR(EINVAL, pf_utimensat(P, &ROOT, NULL, "f", bad2, 0));
	ERR(EINVAL, pf_utimensat(P, &ROOT, NULL, "f", ts, 0x40000000));
	/* the link itself with NOFOLLOW */
	OK(pf_symlinkat(P, &ROOT, "f", NULL, "l"));
	OK(pf_utimensat(P, &ROOT, NULL, "l", ts, AT_SYMLINK_NOFOLLOW));
	EQ(1234, LSTAT("l").atime.tv_sec);
	struct timespec t2[2] = { { 77, 0 }, { 88, 0 } };
	OK(pf_utimensat(P, &ROOT, NULL, "l", t2, 0));
	EQ(88, STAT("f").mtime.tv_sec);
	EQ(5678, LSTAT("l").mtime.tv_sec);
	/* AT_EMPTY_PATH on an open file */
	pf_file *h = OPEN("f", O_RDONLY, 0);
	OK(pf_utimensat(P, &ROOT, h, "", ts, AT_EMPTY_PATH));
	EQ(5678, STAT("f").mtime.tv_sec);
	OK(pf_utimensat(P, &ROOT, h, NULL, t2, 0));
	EQ(88, STAT("f").mtime.tv_sec);
	pf_close(h);
	ERR(ENOENT, pf_utimensat(P, &ROOT, NULL, "nope", ts, 0));
}

static void utimens_permissions(void)
{
	PUTS("f", "x");
	OK(pf_fchownat(P, &ROOT, NULL, "f", 1000, 1000, 0));
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0666, 0));
	struct pf_caller owner = pft_user(1000, 1000);
	struct pf_caller other = pft_user(1001, 1001);
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	struct timespec nn[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct timespec no[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };
	struct timespec oo[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	/* a writer who is not the owner may set "now", nothing else */
	OK(pf_utimensat(P, &other, NULL, "f", NULL, 0));
	OK(pf_utimensat(P, &other, NULL, "f", nn, 0));
	ERR(EPERM, pf_utimensat(P, &other, NULL, "f", ts, 0));
	ERR(EPERM, pf_utimensat(P, &other, NULL, "f", no, 0));
	OK(pf_utimensat(P, &other, NULL, "f", oo, 0));
	/* without write access */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0644, 0));
	ERR(EACCES, pf_utimensat(P, &other, NULL, "f", NULL, 0));
	ERR(EACCES, pf_utimensat(P, &other, NULL, "f", nn, 0));
	ERR(EPERM, pf_utimensat(P, &other, NULL, "f", ts, 0));
	/* the owner may do anything, even without write access */
	OK(pf_fchmodat(P, &ROOT, NULL, "f", 0444, 0));
	OK(pf_utimensat(P, &owner, NULL, "f", ts, 0));
	OK(pf_utimensat(P, &owner, NULL, "f", NULL, 0));
	/* CAP_FOWNER as well */
	struct pf_caller fowner = other;
	fowner.caps = PF_CAP_FOWNER;
	OK(pf_utimensat(P, &fowner, NULL, "f", ts, 0));
	EQ(1, STAT("f").mtime.tv_sec);
	/* CAP_DAC_OVERRIDE allows "now" only */
	struct pf_caller dac = other;
	dac.caps = PF_CAP_DAC_OVERRIDE;
	OK(pf_utimensat(P, &dac, NULL, "f", NULL, 0));
	ERR(EPERM, pf_utimensat(P, &dac, NULL, "f", ts, 0));
}

PFT_MAIN(PFT_CASE(stat_fields), PFT_CASE(ino_unique_and_stable),
	 PFT_CASE(chmod_cases), PFT_CASE(chown_cases),
	 PFT_CASE(chown_clears_setid), PFT_CASE(utimens_values),
	 PFT_CASE(utimens_permissions))
