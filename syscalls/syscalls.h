/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The interface every syscall handler sees.
 *
 * A handler receives one trapped syscall (struct call) and returns:
 *   >= 0           the syscall's return value,
 *   -errno         the syscall fails with that errno,
 *   CALL_CONTINUE  "not ours": the kernel runs the call as if never trapped
 *                  (only for calls wholly outside the pools: the kernel
 *                  reads the pointer arguments again),
 *   CALL_INJECT    install c->inject_fd in the target; the new fd number is
 *                  the syscall's result (set with call_inject_*()),
 *   CALL_ASYNC     the handler handed the notification to a thread that
 *                  answers it later (blocking lock requests).
 * Handlers never block a worker indefinitely, never exit, never log except
 * through sc_log().
 */
#ifndef PF_SYSCALLS_H
#define PF_SYSCALLS_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <pmemfile/core.h>

/* syscall numbers newer than the build's headers (Debian 12's) */
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#define __NR_getxattrat 464
#define __NR_listxattrat 465
#define __NR_removexattrat 466
#endif
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif
#ifndef __NR_file_getattr
#define __NR_file_getattr 468
#define __NR_file_setattr 469
#endif

#define CALL_CONTINUE LONG_MIN
#define CALL_INJECT (LONG_MIN + 1)
#define CALL_ASYNC (LONG_MIN + 2)  /* another thread answers later */

#define SC_MAX_MOUNTS 16
#define SC_MAX_GROUPS 256

struct proc;
struct thread;
struct ofd;

/* One mounted pool. */
struct mount {
	char dir[PATH_MAX];      /* absolute, no trailing slash ("/mnt") */
	size_t dirlen;
	char parent[PATH_MAX];   /* host directory that holds dir ("/") */
	pf_pool *pool;
	char source[PATH_MAX];   /* the pool file, as the mount tables show it */
	uint64_t dev;            /* st_dev reported for the pool */
	int mnt_id;              /* statx stx_mnt_id, fdinfo mnt_id: made up,
				    above the kernel's small numbers */
	uint64_t root_ino; /* the pool root's st_ino: statx's
				    STATX_ATTR_MOUNT_ROOT */
};

/* The kernel's O_LARGEFILE, forced on every 64-bit open file (glibc's
 * O_LARGEFILE is 0 there): F_GETFL and fdinfo show it. */
#define SC_O_LARGEFILE 0100000

/* A path argument after classification. */
enum vpath_kind { VP_HOST, VP_POOL };
struct vpath {
	enum vpath_kind kind;
	struct mount *m;         /* VP_POOL: the pool */
	pf_file *dir;            /* VP_POOL: base of a relative path (NULL: root) */
	const char *path;        /* VP_POOL: in-pool path; VP_HOST: host path */
	char vabs[PATH_MAX];     /* VP_POOL: best-effort virtual absolute path */
	int dirfd;               /* the original dirfd argument */
	int empty;               /* the string was "" */
};

/* One trapped syscall being served. Owned by one worker thread. */
struct call {
	const struct seccomp_notif *req;
	int listener;
	pid_t tid;
	int nr;
	uint64_t args[6];
	struct thread *thr;      /* per-thread cache: creds, tgid */
	struct proc *proc;       /* per-process state (lazy: call_proc()) */

	struct pf_caller caller; /* lazy: call_caller() */
	int have_caller;
	uint64_t followed0; /* pf_symlinks_followed() when caller was made */
	int who_err;             /* why the caller could not be told (-errno) */

	/* strings read from the target, kept for --trace */
	char str[2][PATH_MAX];
	int nstr;
	char abs[2][PATH_MAX];   /* relative host paths joined to their base */
	char escape[PATH_MAX];   /* PF_ESCAPED remainder from core */
	pf_file *held[8]; /* references dropped by call_end */
	int nheld;
	int follow_proc;         /* resolve /proc/.../fd/N links to pool files */
	int rename_noop; /* a rename that succeeded on two links of one file:
			  * Linux did nothing (vfs_rename: source == target) */

	/* CALL_INJECT */
	int inject_fd;
	unsigned inject_cloexec;
	struct ofd *inject_ofd;  /* placeholder to register once installed */
};

/* ---- the table ---------------------------------------------------------- */

typedef long (*sc_handler)(struct call *c);

/* flags of a table entry */
#define SC_CLONE_FILES 0x01 /* trapped only with CLONE_FILES, no CLONE_THREAD */
#define SC_ARG4_SET 0x02 /* trapped only when args[4] is not 0 (an address) */

struct sc_entry {
	const char *name;
	sc_handler handler;
	unsigned flags;
	/*
	 * Argument kinds for --trace, one letter per argument:
	 * d dirfd, f fd, s string (the next read string), o open flags,
	 * m mode (with its file type), a AT_* flags, r renameat2 flags,
	 * c fcntl command, b/B a buffer read/filled (first bytes), i int,
	 * u unsigned, x hex, p pointer.
	 */
	const char *args;
};

#define SC_TABLE_SIZE 512
extern const struct sc_entry sc_table[SC_TABLE_SIZE];

/* Builds the BPF program from the table (libseccomp). Returns a malloc'ed
 * array of sock_filter and its length, or -errno. */
int sc_filter_build(void **prog, size_t *len);

/* Calls the handler for c->nr (CONTINUE for unknown numbers). */
long sc_dispatch(struct call *c);
/* Serves a notification again from the start, answering it (set by the
 * launcher): a call whose wait ended off the worker pool (a lease break)
 * goes on as if it had just come. */
extern void (*sc_serve_again)(const struct seccomp_notif *req, int listener);

/* Formats "[tid] name(args) = result" into buf for --trace. */
void sc_trace_format(struct call *c, long result, char *buf, size_t len);

/* ---- set-up (by the launcher) -------------------------------------------- */

/* Adds a mount; dir must be absolute. Returns 0 or -errno. */
/* mounts pool on dir; source: the pool's path for the mount tables
 * (NULL: "pmemfile") */
int sc_mount_add(const char *dir, pf_pool *pool, const char *source);
int sc_mount_count(void);
struct mount *sc_mount_get(int i);

/* Logging hook, set by the launcher (the syscalls layer never prints). */
extern void (*sc_log)(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define SC_LOG_ERR 1
#define SC_LOG_WARN 2
#define SC_LOG_INFO 3
#define SC_LOG_DEBUG 4
/* Logs "name: why" once per syscall name (and tells sc_on_unsupported,
 * if set, every time). */
void sc_log_unsupported(const struct call *c, const char *why);
extern void (*sc_on_unsupported)(const struct call *c);

/* Initialises global state (placeholder device, inotify). -errno on error. */
int sc_init(void);
/* inotify fd the launcher polls; call sc_ofd_events() when readable. */
int sc_ofd_inotify_fd(void);
void sc_ofd_events(void);
/* Releases every open description (before the pools are closed). */
void sc_shutdown(void);
/* ofd.c's part of them: the placeholder device and the inotify fd; every
 * description released */
int ofd_init(void);
void ofd_shutdown(void);

/* ---- target memory (mem.c) ----------------------------------------------- */

/* Reads/writes exactly len bytes of target memory; -EFAULT if any is bad. */
int call_read(struct call *c, uint64_t addr, void *buf, size_t len);
int call_write(struct call *c, uint64_t addr, const void *buf, size_t len);
/* Reads a NUL-terminated string of at most PATH_MAX bytes (incl. NUL) into
 * c->str[c->nstr++]; -EFAULT, -ENAMETOOLONG. *out points to it. */
int call_read_path(struct call *c, uint64_t addr, const char **out);
/* SECCOMP_IOCTL_NOTIF_ID_VALID: 0 if the call is still pending, -ENOENT. */
int call_valid(struct call *c);

/* ---- who is calling (creds.c, proc.c, task.c) ------------------------------ */

/*
 * Credentials for core; NULL when they cannot be known (the thread is
 * gone, or the supervisor ran out of fds or memory): the call must then
 * fail with call_who_err(c), never go on with other credentials.
 */
struct pf_caller *call_caller(struct call *c);
/* Did the core follow a symlink for c since its caller was made? (a path
 * it gave reached its object through one: its name is elsewhere) */
int call_followed(const struct call *c);
/* What to answer after call_caller, call_proc (...) failed: -ENFILE,
 * -ENOMEM, -EACCES (logged), or -ESRCH when the caller is gone (unseen). */
int call_who_err(const struct call *c);
/* The process's umask (cached per process, reset by umask()), or -errno. */
int call_umask(struct call *c);
/* Per-process state; NULL as call_caller. */
struct proc *call_proc(struct call *c);
/* Credentials with the real ids, as access(2) without AT_EACCESS checks.
 * 0 or -errno. */
int call_caller_real(struct call *c, struct pf_caller *out);
/* call.c: a call begins with each notification (every field reset), and
 * ends after its answer. */
void call_begin(struct call *c, const struct seccomp_notif *req, int listener);
/* Keeps a reference until call_end. */
void call_hold(struct call *c, pf_file *f);
/* Drops what the call holds (proc reference, held files). */
void call_end(struct call *c);
/* Drops every process (shutdown). */
void proc_clear_all(void);
/* Forgets cached credentials of the calling thread (set*id, capset,
 * unshare, setns). */
void call_forget_creds(struct call *c);
/* The caller is about to exec: forgets the credentials of every thread of
 * its process (set-id programs; a non-leader takes over the leader's tid).
 * 0, or -EAGAIN when too many execs are in flight to track. */
int call_exec(struct call *c);
/* Each tick: drops the entries of exited threads and processes. */
void sc_tasks_reap(void);
/*
 * Calls fn(child, arg) for every child of process tgid (of each of its
 * threads: /proc/TGID/task/TID/children, read whole). 0, or the last
 * negative value fn or a read returned (the others are still visited).
 */
int sc_children_each(pid_t tgid, int (*fn)(pid_t child, void *arg), void *arg);
/* Forgets the cached umask of the calling process. */
void call_forget_umask(struct call *c);
/* A directory fd of /proc/TID for the caller (cached; do not close). */
int call_procfd(struct call *c);
/* A pidfd of the calling thread (cached; do not close), or -errno. */
int call_pidfd(struct call *c);

/* Virtual cwd of a process. m == NULL: on the host (kernel's cwd rules). */
struct vcwd {
	struct mount *m;
	pf_file *dir;            /* one reference */
	char path[PATH_MAX];     /* virtual absolute path ("/mnt/x") */
};
/* Copies the process's cwd (with a new reference on dir). */
void proc_get_cwd(struct proc *p, struct vcwd *out);
/* Replaces it (takes the reference in `in`); first pins the current cwd on
 * children that have not been seen yet, so they inherit the old one. 0,
 * or -errno (a child could not be pinned: nothing changed). */
int proc_set_cwd(struct call *c, struct proc *p, struct vcwd *in);
void vcwd_release(struct vcwd *v);
pid_t proc_tgid(const struct proc *p);
/* Forgets a process that is exiting (exit_group). */
void proc_exit(struct call *c);

/* Has the thread whose /proc/TID/status is open as status_fd a signal to
 * take (pending, not blocked)? (locks.c) */
int sc_signal_pending(int status_fd);
/* One 10 ms tick of a waiter thread's wait on cv (mu held on entry,
 * released on return): 0 to go on waiting, 1 when the caller is gone
 * (killed while waiting), -PF_ERESTARTSYS when a signal is pending for it
 * (status_fd as above, or -1). (locks.c) */
long sc_wait_tick(pthread_cond_t *cv, pthread_mutex_t *mu, int listener,
		  uint64_t id, int status_fd);

/* ---- paths (path.c) -------------------------------------------------------- */

/*
 * Reads the path at args[path_arg] and classifies it relative to dirfd
 * args[dirfd_arg] (dirfd_arg < 0: AT_FDCWD). VP_HOST with a host path the
 * kernel would resolve the same way; VP_POOL with the pool and in-pool path.
 * Errors: -EFAULT, -ENAMETOOLONG, -EBADF, -ENOTDIR, -ENOENT (for "").
 * The string "" gives `empty` set and is classified by dirfd alone (for
 * AT_EMPTY_PATH).
 */
int call_path(struct call *c, int dirfd_arg, int path_arg, struct vpath *out);
/*
 * call_path for a call served in pools: 0 with *out a pool path,
 * CALL_CONTINUE for a host path (the kernel runs the call), -ENOENT for an
 * empty pool path unless empty_ok (AT_EMPTY_PATH), or call_path's -errno.
 * A handler's shape: `if ((r = call_pool_path(...))) return r;`.
 */
long call_pool_path(struct call *c, int dirfd_arg, int path_arg, int empty_ok,
		    struct vpath *out);
/*
 * The same for a call that follows its last name unless at_flags has
 * AT_SYMLINK_NOFOLLOW (a /proc magic link there leads to the pool file) and
 * takes "" with AT_EMPTY_PATH: access, chmod, chown, utimensat.
 */
long call_pool_path_at(struct call *c, int dirfd_arg, int path_arg,
		       int at_flags, struct vpath *out);
/* The same for a string s of our own (relative to dirfd, AT_FDCWD or an fd
 * of the caller); abs (PATH_MAX bytes) and s must outlive p. */
int vpath_classify(struct call *c, int dirfd, const char *s, char *abs,
		   struct vpath *p);
/*
 * The two paths of rename or link, each as call_path does (the first
 * following /proc magic links if follow1). CALL_CONTINUE when both are the
 * host's, 0 with a and b filled, or -errno.
 */
long call_two_paths(struct call *c, int d1, int p1, int follow1, int d2, int p2,
		    struct vpath *a, struct vpath *b);
/*
 * After core returned -PF_ESCAPED for p: reclassifies c->escape. Returns 0
 * with p updated (VP_POOL again, or VP_HOST with an absolute host path that
 * the handler must use on the target's behalf: never CONTINUE it).
 */
int vpath_escape(struct call *c, struct vpath *p);
/* Matches an absolute host path against the mounts; returns the in-pool
 * remainder ("/..." or "/") or NULL. */
const char *mount_match(const char *abs, struct mount **m);

/* Runs fn(arg) with the target's fs credentials on this worker thread
 * (under --sandbox: in a runner thread of the tree's Landlock domain). */
long with_target_creds(struct call *c, long (*fn)(struct call *c, void *arg),
		       void *arg);

/* ---- --sandbox (sandbox.c; the Landlock part is launcher/sandbox.c) ----- */

#define SC_SANDBOX_MAX_RW 64
struct sc_sandbox {
	int active; /* --sandbox */
	int net_none; /* --net none: socket families, connect */
	/* --rw roots, canonical absolute paths: host metadata changes
	 * (chmod, chown, times, xattrs) are made only under them */
	const char *rw[SC_SANDBOX_MAX_RW];
	int nrw;
	/* Runs fn(arg) in a thread of the tree's Landlock domain and
	 * returns its result (set by the launcher). */
	long (*run)(long (*fn)(void *arg), void *arg);
	/* Told about each access the sandbox refused (may be NULL). */
	void (*on_deny)(struct call *c, const char *what, int err);
};
extern struct sc_sandbox sc_sandbox;
/* Adds the sandbox's rules to the filter (a scmp_filter_ctx). */
int sc_sandbox_filter(void *ctx);
/* After the handler: a host metadata change the handler would let the
 * kernel run (r == CALL_CONTINUE) is decided and made here instead;
 * connect under --net none. Returns r when the sandbox has no say. */
long sc_sandbox_gate(struct call *c, long r);
void sc_sandbox_deny(struct call *c, const char *what, int err);
/* Runs fn(arg) in a thread of the tree's domain with the caller's fs
 * credentials (target_creds.c). */
long sc_sandbox_as_target(struct call *c, long (*fn)(void *arg), void *arg);
/* Is nr a metadata change Landlock does not govern (chmod, chown, times,
 * xattrs)? Then a host path reached through a pool (abs) goes to
 * sc_sandbox_meta_path instead of the handler's host function. */
int sc_sandbox_is_meta(int nr);
long sc_sandbox_meta_path(struct call *c, const char *abs);

/* ---- the shape of a path syscall (pathop.c) ------------------------------ */

typedef long (*pool_op)(struct call *c, struct vpath *p, struct pf_caller *pc,
			void *arg);
/* runs with the target's fs credentials; path is an absolute host path */
typedef long (*host_op)(struct call *c, const char *path, void *arg);
/*
 * Classifies args[path_arg] (relative to args[dirfd_arg]); host paths give
 * CALL_CONTINUE; pool paths run pop, and escapes to the host run hop (NULL:
 * -EXDEV).
 */
long path_op(struct call *c, int dirfd_arg, int path_arg, pool_op pop,
	     host_op hop, void *arg);
/*
 * link or rename across file systems (p in a pool, the other on the host
 * or in another pool): Linux looks both up first, so ENOENT, ENOTDIR,
 * EACCES or ELOOP from them (a looked up whole for link's old path, else
 * parents only) come before EXDEV. Returns that errno, or -EXDEV.
 */
long cross_errno(struct call *c, const struct vpath *a, int a_whole,
		 const struct vpath *b);
/* The same for an already classified VP_POOL path. */
long path_op_resolved(struct call *c, struct vpath *p, pool_op pop,
		      host_op hop, void *arg);

/* ---- open file descriptions (ofd.c) --------------------------------------- */

struct ofd {
	uint64_t ino;            /* placeholder memfd inode */
	int wd;                  /* inotify watch */
	int keep; /* the recycled memfd's slot fd, or -1 */
	uint64_t phid; /* unique per placeholder (ino is reused) */
	struct mount *m;
	pf_file *file;           /* one reference */
	char path[PATH_MAX];     /* virtual absolute path (readlink) */
	int unlinked; /* its name went (unlink, renamed over): " (deleted)" */
	int refs;                /* table + users */
	/* what the placeholder memfd holds for mmap (see mmap.c) */
	struct timespec snap_mtime;
	uint64_t snap_size;
	int snap_valid;
	struct ofd *next_ino, *next_wd;
	struct ofd *next_all, *prev_all; /* every description (ofd.c) */
};

/* What call_fd found behind an fd (or a negative errno). */
enum fd_kind { FD_POOL = 0, FD_HOST = 1 };
/*
 * The description behind the caller's fd: FD_POOL with *out referenced
 * (drop with ofd_put), FD_HOST if fd is a host fd, -EBADF if not open.
 */
int call_fd(struct call *c, int fd, struct ofd **out);
/*
 * call_fd for a call served on pool descriptions: 0 with *out referenced,
 * CALL_CONTINUE for a host fd, or -EBADF (as call_pool_path for paths).
 */
long call_pool_fd(struct call *c, int fd, struct ofd **out);
/*
 * The common shape of an fd syscall: CALL_CONTINUE for a host fd, the
 * lookup's error, or fn's result on the pool description (released
 * after). fn runs core's results through errno_filter, not its own
 * (call_who_err's ENOMEM is the supervisor's, not a full pool's ENOSPC).
 */
typedef long (*fd_fn)(struct call *c, struct ofd *o, void *arg);
long fd_op(struct call *c, int fd, fd_fn fn, void *arg);
/*
 * For a call refused on a pool file: CALL_CONTINUE if fd is a host fd (the
 * kernel decides), -EBADF if it is not open, else err.
 */
long call_fd_refuse(struct call *c, int fd, long err);
void ofd_put(struct ofd *o);
/*
 * Descriptions keep the name they were opened by as the kernel's dentry
 * does (readlink of /proc/PID/fd/N, dnotify's parent): a pool rename moves
 * the names at and under from to to (with exchange, both ways; without,
 * a description named to loses its name), and an unlink takes the name.
 * Paths are virtual and absolute, as c (its caller resolved them) gave
 * them; when that resolution followed symlinks, they are resolved first.
 */
/* Are there pool descriptions at all? (a hint: no lock) */
int ofd_any(void);
void ofd_renamed(struct call *c, struct mount *m, const char *from,
		 const char *to, int exchange);
void ofd_unlinked(struct call *c, struct mount *m, const char *name);
/* Is pool file ino (in m) open for writing by anyone? (exec's ETXTBSY:
 * a walk over every description) */
int ofd_writers(const struct mount *m, uint64_t ino);
/* The same for any process's fd (for /proc/PID/fd/N). */
int ofd_of(pid_t pid, int fd, struct ofd **out);
/* The same through a pidfd of the process (pidfd_getfd: faster than a
 * procfs path); -EBADF, or another -errno when it cannot look. */
int ofd_of_pidfd(int pidfd, int fd, struct ofd **out);
/* How many other descriptions of pool file ino (in m) than self are open
 * (O_PATH ones not counted), and how many of all are open for writing. */
void ofd_opens(const struct mount *m, uint64_t ino, const struct ofd *self,
	       int *others, int *writers);
/* Up to max open descriptions of files of m, each referenced (ofd_put). */
int ofd_list(const struct mount *m, struct ofd **out, int max);
/* The phid of the placeholder copy (a pidfd_getfd copy, which it closes)
 * names, 0 for any other file; -1 when it cannot look. */
int ofd_phid(int copy, uint64_t *phid);
/* Does process pid have an fd of pool file ino (in m) open? (/proc scan) */
int ofd_process_holds(pid_t pid, const struct mount *m, uint64_t ino);
/*
 * If abs names an fd through /proc (/proc/self/fd/N, /proc/PID/fd/N,
 * /dev/fd/N, /dev/stdin...) and that fd is a pool file: 0 with *out
 * referenced. Otherwise 1.
 */
int proc_fd_link(struct call *c, const char *abs, struct ofd **out);
/* dst = a "/" b, truncated to PATH_MAX (a display name only). */
void vabs_join(char *dst, const char *a, const char *b);
/* Lexically cleans an absolute path in place ("/a/./b//../c" -> "/a/c"). */
void vabs_clean(char *s);
/* Skips /proc/{self,thread-self,PID}[/task/TID]/ in s: the rest, with
 * *pid (the caller's tid for self); NULL if s does not start so. */
const char *proc_pid_dir(struct call *c, const char *s, long *pid);
/*
 * Parses /proc/{self,thread-self,PID}[/task/TID]/{fd/N,cwd}[/rest] and
 * /dev/{stdin,stdout,stderr,fd/N}: 1 with *pid (a process for cwd), *fd
 * (-1 for cwd) and *rest ("" or "/..."); 0 if abs is not such a link.
 */
int proc_link_parse(struct call *c, const char *abs, long *pid, long *fd,
		    const char **rest);
/*
 * /proc/.../fd/N[/rest], /proc/.../cwd[/rest], /dev/fd/N, /dev/stdin...
 * whose link leads to a pool file: p becomes VP_POOL with dir = that file
 * and path = rest, or PF_PATH_SELF for a bare link (only if `follow`; else
 * the link itself is procfs's). 0 (p untouched when not such a link) or
 * -errno.
 */
int proc_link_vpath(struct call *c, const char *abs, struct vpath *p,
		    int follow);
/*
 * The virtual absolute path of pool file f, which was known as `known`:
 * rebuilt from the pool for a directory (after renames, through symlinks),
 * `known` itself for other files. 0, -ENOENT (a removed directory),
 * -ENAMETOOLONG, -EIO.
 */
/*
 * The name the kernel gives an open of vabs (an absolute virtual path in
 * m, as given): symlinks followed (the last one if follow_last), then "."
 * and ".." applied, as realpath(3) does; names that do not exist stay as
 * given (O_CREAT through a dangling link). 0, or -1 when the path leaves
 * the pool or is too long: keep vabs.
 */
int pool_realpath(struct mount *m, struct pf_caller *pc, const char *vabs,
		  int follow_last, char *out, size_t size);
int pool_file_vpath(struct mount *m, pf_file *f, const char *known,
		    char *out, size_t size);
/* The virtual cwd of process pid if we know it and it is in a pool. */
int proc_cwd_of(pid_t pid, struct vcwd *out);
/* The pool-fd mark (proc.c), on every process that may hold a pool fd:
 * the command started (sc_set_root) has none; call_has_pool_fd_mark is 0
 * only for a process that provably holds none; call_pool_fd_mark marks
 * the caller's process for good; sc_pool_fd_mark_all marks every process
 * (an fd table shared in a way we cannot follow). */
void sc_set_root(pid_t tgid);
int call_has_pool_fd_mark(struct call *c);
void call_pool_fd_mark(struct call *c);
void sc_pool_fd_mark_all(void);
/* A ready placeholder memfd and its inotify watch (placeholder.c). */
/* fd: the description to install; keep: the supervisor's own fd of a
 * recycled memfd (placeholder.c), or -1 for a memfd of its own */
struct placeholder {
	int fd;
	int wd;
	uint64_t ino;
	int keep;
};
int placeholder_get(struct placeholder *p);
/* A slot (keep >= 0) whose description was released: reused or closed. */
void placeholder_recycle(const struct placeholder *s);
/* Closes a placeholder never handed out (its slot is not reused). */
void placeholder_drop(const struct placeholder *p);
/* Closes released slots beyond a few once nobody opens (the tick). */
void placeholder_trim(void);
void placeholder_shutdown(void);
/* Makes a placeholder for f (takes the reference) and sets up CALL_INJECT. */
long call_inject_file(struct call *c, struct mount *m, pf_file *f,
		      const char *vpath, int cloexec);
/* Installs a host fd the supervisor opened (closed after). */
long call_inject_host(struct call *c, int fd, int cloexec);
/* open of /proc/PID/fdinfo/N for a pool fd: its own answer (fdinfo.c);
 * CALL_CONTINUE for any other path. */
long fdinfo_open(struct call *c, const char *path, int flags);
/* mounttab.c: the mount tables with the pools in them */
long mounttab_open(struct call *c, const char *path, int flags);
/* A copy of the target's fd (pidfd_getfd: same open file description). */
int call_getfd(struct call *c, int fd);
/* After ADDFD, before the SEND that lets the target run on: ret is the
 * target fd or -errno. Notes the fd for record locks (an fd noted after
 * the SEND could already be closed and its number reused) and closes our
 * copy (a FIFO twin's end we held would count as a reader or writer). */
void call_after_inject(struct call *c, long ret);

/* ---- running another call in the caller's place (redo.c) ----------------- */

/* A call to run in the caller's place. */
struct redo {
	long nr;
	uint64_t args[6];
	/* before the answer (the notification is pending: ADDFD works). 0, or
	 * -errno: the call fails with it instead. NULL: nothing. */
	long (*prepare)(struct call *c, struct redo *d);
	/* at the stop, with the thread's stack pointer: may write what the
	 * new call reads below sp - 128 and change args. 0, or -errno: the
	 * call returns it instead. NULL: nothing. */
	long (*place)(struct call *c, struct redo *d, uint64_t sp);
	void *arg;
	/* the new call may wait (a FIFO open, a connect): a signal with a
	 * handler that comes before it starts ends it with EINTR (or
	 * restarts it with SA_RESTART), as during the wait; 0: the old call
	 * always restarts after the handler (exec) */
	int interruptible;
	/* what place() wrote (redo_write), kept to write again: see
	 * redo_restarted */
	unsigned char *saved;
	size_t nsaved, cap;
};
/* For place(): call_write, remembering what was written. 0 or -EFAULT. */
int redo_write(struct call *c, struct redo *d, uint64_t addr, const void *buf,
	       size_t len);
/*
 * Before any handler: a call that a redo set up and that a signal handler
 * interrupted comes back when the kernel restarts it (SA_RESTART), but
 * the handler's frame was built over what place() wrote below the stack
 * pointer. Such a call (the same thread, number and arguments) gets those
 * bytes written again and is let through (CALL_CONTINUE); 0 for any other
 * call.
 */
long redo_restarted(struct call *c);
/*
 * Under ptrace, makes the trapped thread run d->nr(d->args) in place of
 * the call it trapped on (the new call meets the filter again). Answers
 * the notification itself: CALL_ASYNC once done, or -errno when nothing
 * was done (x86_64 callers only, else -ENOSYS; -EPERM for a thread that
 * is already traced, by a debugger say).
 */
long call_redo_run(struct call *c, struct redo *d);
/* call_redo_run, answering err (and logging once that the thread could
 * not `what`) where it cannot redirect: a traced or non-x86_64 thread. */
long call_redo_or(struct call *c, struct redo *d, long err, const char *what);
/* Around the launcher's waits for children: no redo is in flight then. */
void sc_reap_begin(void);
void sc_reap_end(void);
/* The same without prepare/place. */
long call_redo(struct call *c, long nr, const uint64_t args[6]);

/*
 * exec.c: for an open for writing (or with O_TRUNC) or a truncate of pool
 * path p: -ETXTBSY if the file is being executed (and the caller may
 * write it), 0 otherwise (the call goes on and finds its own errors).
 */
long exec_write_check(struct call *c, const struct vpath *p,
		      struct pf_caller *pc, int nofollow);

/*
 * fifo.c: open of pool FIFO p (pf_openat said ENXIO): the caller opens the
 * host FIFO that stands for it, in its own thread (CALL_ASYNC), or -errno
 * (ENXIO for a socket or device inode).
 */
long fifo_open(struct call *c, struct vpath *p, struct pf_caller *pc,
	       int flags);
/*
 * twin.c: the host file standing for pool inode st of m in the runtime
 * directory's subdirectory kind ("f" FIFOs, "s" sockets): its path in
 * out, or -errno.
 */
int host_twin(struct mount *m, const struct pf_stat *st, const char *kind,
	      char *out, size_t size);
/*
 * Makes the host path of pool file f's twin (make(host, arg): mknod, bind)
 * and remembers that it stands for f (a reference is taken), known as
 * vpath; a socket's also the sun_path it was bound by (addr, as the caller
 * gave it: getsockname's answer), NULL for a FIFO. 0, make's -errno, or
 * -ENOENT when f's names are gone and its twin with them (no new way in).
 */
int twin_make(struct mount *m, pf_file *f, const char *host, const char *vpath,
	      const char *addr, int (*make)(const char *host, void *arg),
	      void *arg);
/*
 * An unlink or a rename over path in m may take the last name of a pool
 * FIFO or socket: before it, twin_victim gives the inode number of the
 * FIFO or socket path names while any twin exists (0 otherwise); after
 * it, twin_name_gone(m, that number) removes the twin's host path if the
 * inode has no name left (twin.c says why that is enough).
 */
uint64_t twin_victim(struct mount *m, struct pf_caller *pc, pf_file *dir,
		     const char *path);
void twin_name_gone(struct mount *m, uint64_t ino);
/* inotify: IN_DELETE_SELF on watch wd. 1 if it was an unnamed twin's,
 * whose last holder is gone: its entry and pool reference go, or stay
 * while a socket that connected to it exists (twin_connecting). */
int twin_event(int wd);
/* A connect of socket sock_ino (its sockfs inode) to twin path host is
 * about to run: the socket may show the twin's address (getpeername) as
 * long as it lives, so the twin's entry must stay until then. */
void twin_connecting(const char *host, uint64_t sock_ino);
/* sockdiag.c: does the UNIX socket with sockfs inode ino still exist?
 * 1, 0, or -errno (-ENOSYS: sock_diag cannot tell). */
int unix_socket_alive(uint64_t ino);
/* How many twins there are (0: no pool FIFO or socket was used). */
int twin_count(void);
/* If host is a twin: 1 with the pool path in out. */
int twin_vpath(const char *host, char *out, size_t size);
/* If host is a socket's twin: 1 with the sun_path it was bound by in out. */
int twin_addr(const char *host, char *out, size_t size);
/* If the caller's host fd is a twin: 1 with the pool inode's stat. */
int call_fd_twin(struct call *c, int fd, struct pf_stat *st, struct mount **m);
/* For --report: twins made, the most at once, and those left at
 * twin_shutdown (FIFOs and sockets that still had a name). */
struct twin_stats {
	unsigned long made, peak, left;
};
void twin_get_stats(struct twin_stats *out);
void twin_shutdown(void);

/* ---- helpers shared by handlers (util.c) -------------------------------- */

void stat_from_pf(struct stat *st, const struct pf_stat *ps);
/* Maps errnos core may return to those the syscall may return. */
long errno_filter(long r);

/* ---- handlers (one file per family) ------------------------------------- */
/* fileattr.c: PF_FL_* inode flags as FS_XFLAG_* bits and back (a bit
 * core refuses for what no flag expresses, or fsx_only) */
uint32_t sc_xflags_of(uint32_t flags);
uint32_t sc_flags_of_xflags(uint64_t xflags, int fsx_only);

#define H(name) long sys_##name(struct call *c)
H(openat); H(open); H(creat); H(openat2);
H(read); H(pread64); H(readv); H(preadv); H(preadv2);
H(write); H(pwrite64); H(writev); H(pwritev); H(pwritev2);
H(lseek);
H(newfstatat); H(stat); H(lstat); H(fstat); H(statx);
H(getdents64); H(getdents);
H(mkdirat); H(mkdir); H(mknodat); H(mknod);
H(unlinkat); H(unlink); H(rmdir);
H(renameat2); H(renameat); H(rename);
H(linkat); H(link); H(symlinkat); H(symlink);
H(readlinkat); H(readlink);
H(fchmodat2); H(fchmodat); H(chmod); H(fchmod);
H(fchownat); H(chown); H(lchown); H(fchown);
H(utimensat); H(utime); H(utimes); H(futimesat);
H(truncate); H(ftruncate); H(fallocate);
H(fsync); H(fdatasync); H(syncfs); H(sync_file_range); H(fadvise64);
H(readahead);
H(faccessat2); H(faccessat); H(access);
H(chdir); H(fchdir); H(getcwd);
H(statfs); H(fstatfs);
H(fcntl); H(flock);
H(umask); H(creds_changed); H(exit_group);
H(mmap); H(msync); H(io_uring_setup); H(unsupported_fd); H(unsupported_path);
H(ioctl);
H(file_getattr);
H(file_setattr);
H(sendfile); H(copy_file_range); H(splice); H(tee);
H(execve); H(execveat);
H(bind);
H(connect);
H(sendto);
H(sendmsg);
H(getsockname);
H(getpeername);
H(setxattr); H(lsetxattr); H(fsetxattr); H(setxattrat);
H(getxattr); H(lgetxattr); H(fgetxattr); H(getxattrat);
H(listxattr); H(llistxattr); H(flistxattr); H(listxattrat);
H(removexattr); H(lremovexattr); H(fremovexattr); H(removexattrat);
H(inotify_add_watch);
H(clone); H(clone3); H(recvmsg); H(recvmmsg); H(pidfd_getfd); H(prctl);
#undef H

#endif
