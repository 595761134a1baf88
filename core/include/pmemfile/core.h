/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libpmemfile-core: a POSIX file system stored in a libpmemobj pool.
 *
 * Conventions (every function below follows them):
 *  - Return 0 (or a non-negative count) on success and a negative errno on
 *    failure, with the errno values Linux documents for the matching
 *    syscall. errno itself is never read or set.
 *  - The library never logs and never exits.
 *  - Every function is thread safe. A pf_file may be used by several threads
 *    at once (the offset is updated atomically with the I/O, as the kernel
 *    does for a shared open file description).
 *  - Paths are resolved inside the pool. An absolute path starts at the
 *    pool's root; a relative path starts at `dir` (NULL: the root). Every
 *    path argument may be at most PF_PATH_MAX bytes including the NUL.
 *  - Credentials come with every call (struct pf_caller); the core checks
 *    permissions with them exactly as Linux does for the same syscall.
 *  - Modes passed to create functions have the umask already applied (the
 *    caller knows the process's umask; the core does not).
 */
#ifndef PMEMFILE_CORE_H
#define PMEMFILE_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility: what is declared from here
 * to the matching pop is its ABI, and nothing else is exported. */
#pragma GCC visibility push(default)

#define PF_PATH_MAX 4096        /* as Linux PATH_MAX, including the NUL */
#define PF_NAME_MAX 255         /* bytes in one path component */
#define PF_SYMLINK_MAX 4095     /* bytes in a symlink target */
#define PF_SYMLOOP_MAX 40       /* symlinks followed before ELOOP */
#define PF_BLKSIZE 4096         /* st_blksize */

/* Smallest pool mkfs accepts (bytes). Checked by pf_pool_create. */
#define PF_POOL_MIN_SIZE (16u << 20)

/*
 * Returned (negated, like an errno) by path functions when resolution leaves
 * the pool: a `..` at the pool's root, or a symlink whose target is absolute
 * or climbs above the root. The caller's escape buffer then holds the rest
 * of the path to resolve on the host instead:
 *  - starting with '/': an absolute host path (symlink to "/etc/x" followed
 *    by the unresolved remainder of the original path);
 *  - otherwise: a path relative to the directory that contains the pool's
 *    mount point (always starts with "..": "../x/y" means "mountpoint/../x/y").
 * The value is above every errno, so `ret == -PF_ESCAPED` is unambiguous.
 * If the caller gave no escape buffer, -EXDEV is returned instead.
 */
#define PF_ESCAPED 0x10000

/* Capability bits, as in /proc/PID/status CapEff (1 << CAP_xxx). */
#define PF_CAP_CHOWN            (1ULL << 0)
#define PF_CAP_DAC_OVERRIDE     (1ULL << 1)
#define PF_CAP_DAC_READ_SEARCH  (1ULL << 2)
#define PF_CAP_FOWNER           (1ULL << 3)
#define PF_CAP_FSETID           (1ULL << 4)
#define PF_CAP_SYS_ADMIN        (1ULL << 21)
#define PF_CAP_MKNOD            (1ULL << 27)
#define PF_CAP_SETFCAP          (1ULL << 31)

/* Who is calling, and where to report a path that leaves the pool. */
struct pf_caller {
	uint32_t fsuid;
	uint32_t fsgid;
	uint32_t ngroups;
	const uint32_t *groups;   /* supplementary groups, ngroups of them */
	uint64_t caps;            /* effective capabilities, PF_CAP_* bits */
	char *escape;             /* optional, escape_size bytes: see PF_ESCAPED */
	size_t escape_size;
	uint32_t policy;          /* PF_POLICY_* bits: the host's sysctls */
	uint32_t resolve; /* PF_RESOLVE_* bits: how paths resolve */
};

/*
 * openat2(2)'s RESOLVE_* in a pool, for every path resolution made with
 * this caller. "The start" is the base directory of the path (dir, or the
 * root for NULL).
 * NO_SYMLINKS: following any symlink fails with -ELOOP.
 * NO_XDEV: ".." above the pool's root and absolute symlinks (which leave
 *   the pool's mount) fail with -EXDEV instead of escaping.
 * BENEATH: ".." above the start, absolute symlinks and absolute paths fail
 *   with -EXDEV.
 * IN_ROOT: the start is the root: ".." there stays there, absolute
 *   symlinks and paths start again from it.
 */
#define PF_RESOLVE_NO_SYMLINKS 0x1u
#define PF_RESOLVE_NO_XDEV 0x2u
#define PF_RESOLVE_BENEATH 0x4u
#define PF_RESOLVE_IN_ROOT 0x8u

/*
 * fs.protected_hardlinks=1 (linkat(2) EPERM): a caller that does not own
 * the file and lacks CAP_FOWNER may only link a regular file that is not
 * set-user-ID, not executable set-group-ID, and that it may read and write.
 */
#define PF_POLICY_PROTECTED_HARDLINKS 0x1u

typedef struct pf_pool pf_pool;
typedef struct pf_file pf_file;  /* an open file description (refcounted) */

/* ---- pools ------------------------------------------------------------ */

/*
 * Makes a new file system in `path`. size 0: use the existing file's or
 * device's size. Fails with -EEXIST if `path` already holds a pool (of any
 * kind) and `force` is not set, -EINVAL with a message if size is below
 * PF_POOL_MIN_SIZE. `msg` (optional) receives a one-line reason on failure.
 */
int pf_pool_create(const char *path, uint64_t size, int force,
		   char *msg, size_t msglen);

#define PF_OPEN_READONLY 0x1     /* reserved; not implemented yet */
/*
 * Open the pool once in a child process first. libpmemobj trusts its own
 * on-media metadata (pool header, lanes, heap headers) and may crash on a
 * damaged pool; in the child that crash becomes -EIO with a message. Costs
 * a second open; for programs that would rather refuse a pool than die
 * (pmemfile-run, the pool tool). Call it before starting threads.
 */
#define PF_OPEN_ISOLATED 0x2

/*
 * Opens an existing pool: checks the layout name and version, frees the
 * inodes left on the orphan list by a crash, and rebuilds volatile indexes.
 * -ENOENT (no such file), -EACCES, -EINVAL (not a pmemfile pool: msg says
 * what it is instead), -EPROTO (layout version unknown), -EBUSY (in use by
 * another process), -EIO (PF_OPEN_ISOLATED: the trial open crashed).
 */
int pf_pool_open(const char *path, unsigned flags, pf_pool **out,
		 char *msg, size_t msglen);

/* Closes the pool. Every pf_file must have been released. NULL is a no-op. */
void pf_pool_close(pf_pool *pool);

struct pf_statfs {
	uint64_t bsize;        /* PF_BLKSIZE */
	uint64_t frsize;
	uint64_t blocks;       /* total data blocks in the pool */
	uint64_t bfree;
	uint64_t bavail;
	uint64_t files;        /* inodes: total that could exist */
	uint64_t ffree;
	uint64_t namelen;      /* PF_NAME_MAX */
	uint64_t fsid;         /* same value as st_dev */
};
int pf_statfs(pf_pool *pool, struct pf_statfs *out);

/* The st_dev value of this pool (stable across opens of the same pool). */
uint64_t pf_pool_dev(pf_pool *pool);

/* ---- files ------------------------------------------------------------ */

/*
 * A path argument that names `dir` itself (the pool root when dir is NULL)
 * for every *at call whatever its flags, as a followed /proc/self/fd/N
 * magic link does: like "" with AT_EMPTY_PATH, also for calls that have no
 * AT_EMPTY_PATH (open, truncate, linkat with AT_SYMLINK_FOLLOW). Compared
 * by address: pass PF_PATH_SELF itself, not a copy of its string.
 */
extern const char pf_path_self[];
#define PF_PATH_SELF pf_path_self

/*
 * The path of directory `dir` from the pool root ("/" for the root, no
 * trailing slash) in buf with its NUL: the length, -ENOENT once the
 * directory was removed, -ERANGE when buf is too small, -ENOTDIR, -EIO.
 * Walks the parent links and finds each name in its parent. `hint` (NULL,
 * or the path the directory was last known by) makes that cheap while it
 * is still right: each of its names is checked with one lookup, and only
 * the levels where it is wrong scan their parent's entries.
 */
ssize_t pf_dir_path(pf_pool *pool, pf_file *dir, const char *hint, char *buf,
		    size_t size);

/*
 * open(2)/openat(2). flags are Linux O_* flags: O_ACCMODE, O_CREAT, O_EXCL,
 * O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_TMPFILE, O_NOATIME,
 * O_NONBLOCK, O_SYNC/O_DSYNC (accepted: every write is durable anyway);
 * O_CLOEXEC is accepted and ignored (fd flags are the caller's business).
 * Opening a FIFO or socket inode without O_PATH returns -ENXIO (the
 * supervisor decides what those mean). On success *out holds one reference.
 */
int pf_openat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
	      const char *path, int flags, mode_t mode, pf_file **out);

/* Another reference to the same open file description. */
pf_file *pf_file_ref(pf_file *f);
/*
 * Drops a reference. The last one releases the description; an inode with
 * no links and no more open descriptions is freed. NULL is a no-op.
 */
void pf_close(pf_file *f);

/* Status flags (F_GETFL/F_SETFL): only O_APPEND, O_NONBLOCK, O_NOATIME,
 * O_DIRECT-like flags may change, as fcntl(2) says. */
int pf_file_get_flags(pf_file *f);
/* 1 if the open that made this description created the file (O_CREAT,
 * O_TMPFILE): F_CREATED_QUERY. */
int pf_file_created(pf_file *f);
int pf_file_set_flags(pf_pool *pool, struct pf_caller *c, pf_file *f,
		      int flags);

ssize_t pf_read(pf_pool *pool, pf_file *f, void *buf, size_t count);
ssize_t pf_pread(pf_pool *pool, pf_file *f, void *buf, size_t count,
		 off_t offset);
ssize_t pf_readv(pf_pool *pool, pf_file *f, const struct iovec *iov,
		 int iovcnt);
ssize_t pf_preadv(pf_pool *pool, pf_file *f, const struct iovec *iov,
		  int iovcnt, off_t offset);

/*
 * Writes are durable when they return. An append (or any write past the
 * end) is all-or-nothing after a crash; an overwrite of existing bytes may
 * tear: each aligned 8-byte word of it holds the old or the new bytes (on
 * a pool that is not persistent memory, each page). O_APPEND writes are
 * atomic with respect to each other. Clears set-user-ID (and set-group-ID
 * if group-executable) unless the caller has CAP_FSETID; the caller
 * argument gives that answer.
 */
ssize_t pf_write(pf_pool *pool, struct pf_caller *c, pf_file *f,
		 const void *buf, size_t count);
ssize_t pf_pwrite(pf_pool *pool, struct pf_caller *c, pf_file *f,
		  const void *buf, size_t count, off_t offset);
ssize_t pf_writev(pf_pool *pool, struct pf_caller *c, pf_file *f,
		  const struct iovec *iov, int iovcnt);
ssize_t pf_pwritev(pf_pool *pool, struct pf_caller *c, pf_file *f,
		   const struct iovec *iov, int iovcnt, off_t offset);

/*
 * Zero-copy I/O, for a caller whose data is not in its own memory (the
 * supervisor copies straight between the target process and the pool with
 * process_vm_readv/writev, one copy instead of two).
 *
 * The core calls copy() once per contiguous piece of pool memory backing
 * the request, in order; `pos` is the piece's byte position within the
 * request. For pf_read_cb, copy() reads len bytes from pool_mem, or writes
 * len zero bytes to its destination when pool_mem is NULL (a hole). For
 * pf_write_cb, copy() fills pool_mem with len bytes of the source; the core
 * makes them persistent afterwards, then publishes the new size.
 * copy() returns the number of bytes it moved (<= len; short means stop) or
 * a negative errno. The call returns the total moved, or the error if
 * nothing was moved (as a short read/write would).
 *
 * offset < 0 means "at the file offset, and advance it" (read/write);
 * otherwise pread/pwrite semantics (O_APPEND still appends for writes, as
 * Linux's pwrite does).
 */
typedef ssize_t (*pf_copy_fn)(void *arg, void *pool_mem, size_t len,
			      size_t pos);
ssize_t pf_read_cb(pf_pool *pool, pf_file *f, size_t count, off_t offset,
		   pf_copy_fn copy, void *arg);
ssize_t pf_write_cb(pf_pool *pool, struct pf_caller *c, pf_file *f,
		    size_t count, off_t offset, pf_copy_fn copy, void *arg);
/*
 * pf_write_cb with pwritev2(2)-style per-call flags: PF_RWF_APPEND appends
 * at the end whatever the offset (RWF_APPEND); with offset < 0 the file
 * offset then moves to the new end, with an explicit offset it stays.
 * Unknown flags: -EOPNOTSUPP.
 */
#define PF_RWF_APPEND 0x1
ssize_t pf_write_cb_flags(pf_pool *pool, struct pf_caller *c, pf_file *f,
			  size_t count, off_t offset, unsigned flags,
			  pf_copy_fn copy, void *arg);

/* SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE. On a directory the
 * offset is a readdir cookie (telldir/seekdir). */
off_t pf_lseek(pf_pool *pool, pf_file *f, off_t offset, int whence);

int pf_ftruncate(pf_pool *pool, struct pf_caller *c, pf_file *f, off_t len);
int pf_truncate(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		const char *path, off_t len);
/* modes: 0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE,
 * FALLOC_FL_ZERO_RANGE (+KEEP_SIZE). Others: -EOPNOTSUPP. */
int pf_fallocate(pf_pool *pool, struct pf_caller *c, pf_file *f, int mode,
		 off_t offset, off_t len);
/* Everything is durable on return already; these validate f and return 0. */
int pf_fsync(pf_pool *pool, pf_file *f);
int pf_fdatasync(pf_pool *pool, pf_file *f);

/* One record of pf_getdents64: Linux's struct linux_dirent64. */
struct pf_dirent64 {
	uint64_t d_ino;
	int64_t d_off; /* the cookie of the next entry */
	uint16_t d_reclen; /* the whole record, 8-aligned */
	uint8_t d_type; /* DT_REG, DT_DIR... */
	char d_name[]; /* NUL-terminated */
};

/*
 * getdents64(2): fills buf with struct pf_dirent64 records starting at
 * the file's offset, and advances it. "." and ".." come first. Cookies stay
 * valid while entries are added or removed. Returns bytes written, 0 at the
 * end, -EINVAL if not even one record fits, -ENOTDIR.
 */
ssize_t pf_getdents64(pf_pool *pool, pf_file *f, void *buf, size_t size);

/* ---- names ------------------------------------------------------------ */

int pf_mkdirat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
	       const char *path, mode_t mode);
/* S_IFREG, S_IFIFO, S_IFSOCK always; S_IFCHR/S_IFBLK need PF_CAP_MKNOD. */
int pf_mknodat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
	       const char *path, mode_t mode, dev_t rdev);
/* flags: 0 or AT_REMOVEDIR. */
int pf_unlinkat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		const char *path, int flags);
/* flags: 0, RENAME_NOREPLACE, RENAME_EXCHANGE (RENAME_WHITEOUT: -EINVAL). */
int pf_renameat2(pf_pool *pool, struct pf_caller *c, pf_file *olddir,
		 const char *oldpath, pf_file *newdir, const char *newpath,
		 unsigned flags);
/* flags: AT_SYMLINK_FOLLOW, AT_EMPTY_PATH (links an O_TMPFILE file). */
int pf_linkat(pf_pool *pool, struct pf_caller *c, pf_file *olddir,
	      const char *oldpath, pf_file *newdir, const char *newpath,
	      int flags);
int pf_symlinkat(pf_pool *pool, struct pf_caller *c, const char *target,
		 pf_file *dir, const char *linkpath);
/* Returns the number of bytes placed in buf (no NUL added), as readlink(2).
 * An empty path with AT_EMPTY_PATH semantics reads `dir` itself. */
ssize_t pf_readlinkat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		      const char *path, char *buf, size_t size);

/* ---- attributes -------------------------------------------------------- */

struct pf_stat {
	uint64_t dev;
	uint64_t ino;
	uint32_t mode;          /* type and permission bits */
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint64_t rdev;
	uint64_t size;
	uint64_t blocks;        /* 512-byte units actually allocated */
	uint32_t blksize;
	uint32_t flags; /* inode flags: PF_FL_* (FS_*_FL values) */
	struct timespec atime, mtime, ctime, btime;
};

/*
 * Inode flags (chattr(1), FS_IOC_GETFLAGS/SETFLAGS), the ones tmpfs keeps,
 * with Linux's FS_*_FL values and rules: an immutable file cannot be
 * opened for writing, changed, linked, renamed or removed (EPERM, for
 * root too), an append-only one only opened for appending, and neither
 * has its mode, owner or times set; a directory with either gets no new
 * names (immutable) or loses none (both). NOATIME: reads leave atime.
 */
#define PF_FL_IMMUTABLE 0x00000010u
#define PF_FL_APPEND 0x00000020u
#define PF_FL_NODUMP 0x00000040u
#define PF_FL_NOATIME 0x00000080u
#define PF_FL_SETTABLE                                                         \
	(PF_FL_IMMUTABLE | PF_FL_APPEND | PF_FL_NODUMP | PF_FL_NOATIME)
#define PF_CAP_LINUX_IMMUTABLE (1ULL << 9)

/* FS_IOC_SETFLAGS, file_setattr(2): -EOPNOTSUPP for a file that is
 * neither regular nor a directory; the owner or CAP_FOWNER (else -EPERM);
 * changing IMMUTABLE or APPEND needs CAP_LINUX_IMMUTABLE (-EPERM); a flag
 * outside PF_FL_SETTABLE gives -EOPNOTSUPP. Sets ctime. Any open file,
 * O_PATH ones too (the ioctl refuses those itself); the *at form takes
 * AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH. */
int pf_fsetflags(pf_pool *pool, struct pf_caller *c, pf_file *f,
		 uint32_t flags);
int pf_setflagsat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		  const char *path, uint32_t flags, int at_flags);

/* flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH (then `dir` itself), AT_NO_AUTOMOUNT
 * (ignored). */
int pf_fstatat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
	       const char *path, struct pf_stat *st, int flags);
int pf_fstat(pf_pool *pool, pf_file *f, struct pf_stat *st);

/* faccessat2(2): mode F_OK or R_OK|W_OK|X_OK; flags AT_EACCESS,
 * AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. The caller passes real or effective
 * ids in `c` as AT_EACCESS asks; the core does the rest. */
int pf_faccessat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		 const char *path, int mode, int flags);

/* flags: AT_SYMLINK_NOFOLLOW (-EOPNOTSUPP on a symlink, as Linux), AT_EMPTY_PATH */
int pf_fchmodat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		const char *path, mode_t mode, int flags);
int pf_fchmod(pf_pool *pool, struct pf_caller *c, pf_file *f, mode_t mode);
/* uid/gid (uint32_t)-1 means "leave unchanged". */
int pf_fchownat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		const char *path, uint32_t uid, uint32_t gid, int flags);
int pf_fchown(pf_pool *pool, struct pf_caller *c, pf_file *f, uint32_t uid,
	      uint32_t gid);
/* times NULL: both now. tv_nsec UTIME_NOW / UTIME_OMIT as utimensat(2).
 * path NULL or "" with AT_EMPTY_PATH: `dir` itself. */
int pf_utimensat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		 const char *path, const struct timespec times[2], int flags);

/* ---- extended attributes ----------------------------------------------- */

/*
 * setxattr(2) and friends, with Linux's rules (fs/xattr.c, tmpfs):
 *  - name: the full name with its namespace ("user.x"); "" or longer than
 *    PF_XATTR_NAME_MAX bytes: -ERANGE (checked before the path is
 *    resolved); a namespace with nothing after it ("user."): -EINVAL.
 *  - user.*: regular files and directories only (-EPERM to set or remove
 *    elsewhere, -ENODATA to get); read permission to get, write permission
 *    to set or remove; on a sticky directory only its owner or
 *    PF_CAP_FOWNER may set or remove.
 *  - trusted.*: PF_CAP_SYS_ADMIN (-EPERM to set or remove, -ENODATA to
 *    get without it; listing leaves them out).
 *  - security.*: stored; setting or removing needs PF_CAP_SYS_ADMIN,
 *    except security.capability, which needs PF_CAP_SETFCAP and a valid
 *    vfs_cap_data value of revision 2 or 3 (else -EINVAL; revision 3
 *    with root id 0 is stored as 2, as Linux shows it). The core stores
 *    file capabilities; it does not act on them.
 *  - system.* (POSIX ACLs included) and unknown namespaces: -EOPNOTSUPP.
 *  - a remove that keeps other attributes needs no new space.
 *  - values up to PF_XATTR_SIZE_MAX bytes (-E2BIG); -ENOSPC when the pool,
 *    or one inode's attributes (PF_XATTR_INODE_MAX bytes together), are
 *    full. flags: PF_XATTR_CREATE (-EEXIST if present), PF_XATTR_REPLACE
 *    (-ENODATA if absent), others -EINVAL. A set or remove changes ctime.
 *  - get: the value's length; size 0 asks for the length only; -ERANGE if
 *    size is too small. list: the names, each with its NUL, sorted; the
 *    same size rules.
 * at_flags: AT_SYMLINK_NOFOLLOW (the l* calls), AT_EMPTY_PATH.
 * The f forms: -EBADF for an O_PATH description.
 */
#define PF_XATTR_NAME_MAX 255
#define PF_XATTR_SIZE_MAX 65536
#define PF_XATTR_LIST_MAX 65536   /* what listxattr(2) may return */
#define PF_XATTR_CREATE 0x1       /* XATTR_CREATE */
#define PF_XATTR_REPLACE 0x2      /* XATTR_REPLACE */
#define PF_XATTR_INODE_MAX (1024u * 1024 - 4096)
int pf_setxattrat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		  const char *path, int at_flags, const char *name,
		  const void *value, size_t size, int flags);
ssize_t pf_getxattrat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		      const char *path, int at_flags, const char *name,
		      void *value, size_t size);
ssize_t pf_listxattrat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		       const char *path, int at_flags, char *list, size_t size);
int pf_removexattrat(pf_pool *pool, struct pf_caller *c, pf_file *dir,
		     const char *path, int at_flags, const char *name);
int pf_fsetxattr(pf_pool *pool, struct pf_caller *c, pf_file *f,
		 const char *name, const void *value, size_t size, int flags);
ssize_t pf_fgetxattr(pf_pool *pool, struct pf_caller *c, pf_file *f,
		     const char *name, void *value, size_t size);
ssize_t pf_flistxattr(pf_pool *pool, struct pf_caller *c, pf_file *f,
		      char *list, size_t size);
int pf_fremovexattr(pf_pool *pool, struct pf_caller *c, pf_file *f,
		    const char *name);

/* ---- checking ----------------------------------------------------------- */

/*
 * Walks the pool at `path` (which must not be open elsewhere) and checks
 * every invariant. Calls report(arg, message) once per problem found.
 * Returns the number of problems (0: clean), or a negative errno when the
 * pool cannot be opened at all (then report() got the reason).
 */
int pf_fsck(const char *path,
	    void (*report)(void *arg, const char *message), void *arg);

/* Library version string, e.g. "0.1.0". */
const char *pf_version(void);

/*
 * Symlinks followed by the path resolutions of the calling thread, since
 * it started (a counter: compare two readings). Lets a caller learn that
 * the path it gave named its object through a symlink, without resolving
 * it again.
 */
uint64_t pf_symlinks_followed(void);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
