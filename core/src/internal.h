/* SPDX-License-Identifier: BSD-3-Clause */
/* Volatile (in-core) state of libpmemfile-core. See core/HACKING.md. */
#ifndef PF_INTERNAL_H
#define PF_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <libpmem.h>
#include <libpmemobj.h>

#include "pmemfile/core.h"
#include "layout.h"

#define PF_VINODE_STRIPES 64
#define PF_MAX_RW 0x7ffff000u    /* Linux MAX_RW_COUNT */

struct pf_dirindex;

/* An inode in memory: one per persistent inode touched since pool open. */
struct pf_vinode {
	uint64_t off;                 /* key: pool offset = st_ino */
	struct pf_inode *pi;          /* direct pointer into the pool */
	PMEMoid oid;
	atomic_int ref;               /* in-memory references */
	bool freed;                   /* persistent inode was freed */
	bool tmpfile;                 /* O_TMPFILE not linked yet (linkable) */
	pthread_rwlock_t lock;
	struct pf_vinode *hnext;      /* hash chain */
	/* directories: volatile index, built on first use (dx_mutex) */
	pthread_mutex_t dx_mutex;
	struct pf_dirindex *_Atomic dx;
	int dx_err;                   /* why the index could not be built */
};

struct pf_pool {
	PMEMobjpool *pop;
	char *base;                   /* pool mapping */
	struct pf_super *super;
	uint64_t dev;
	uint64_t size;
	uint64_t uuid_lo;             /* pool_uuid_lo of every PMEMoid here */
	int is_pmem;
	struct pf_vinode *root;
	pthread_mutex_t stripe_lock[PF_VINODE_STRIPES];
	struct pf_vinode **htab;      /* vinode hash, chained */
	size_t hsize;                 /* power of two */
	atomic_size_t nvinodes;
	pthread_mutex_t rename_lock;  /* cross-directory renames */
	pthread_mutex_t orphan_lock;  /* super->orphans and inode orphan links */
	atomic_uint_fast64_t ninodes;
	atomic_uint_fast64_t data_bytes; /* data extents and attribute blobs */
};

struct pf_file {
	atomic_int ref;
	struct pf_pool *pool;
	struct pf_vinode *vi;
	pthread_mutex_t pos_lock;
	uint64_t pos;
	atomic_int flags;             /* O_* status flags and access mode */
	bool readable, writable, path_only;
	bool created; /* the open made the file (F_CREATED_QUERY) */
};

/* ---- utilities ---- */
#define PF_ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define PF_ALIGN_DOWN(x, a) ((x) / (a) * (a))

static inline void *
pf_direct(struct pf_pool *p, PMEMoid oid)
{
	return OID_IS_NULL(oid) ? NULL : p->base + oid.off;
}

/* ---- checks of persistent pointers before they are followed (check.c) */
#define PF_HEAP_MIN 4096u      /* below: libpmemobj's pool header */
bool pf_oid_in_pool(const struct pf_pool *p, PMEMoid oid, uint64_t len);
/* 0, or -EIO when oid is not a plausible inode (with what it owns) */
int pf_inode_check(const struct pf_pool *p, PMEMoid oid);
bool pf_dirpage_ok(const struct pf_pool *p, PMEMoid oid);

int64_t pf_now(void);
void pf_persist(struct pf_pool *p, const void *addr, size_t len);
void pf_flush(struct pf_pool *p, const void *addr, size_t len);
void pf_memcpy_persist(struct pf_pool *p, void *dst, const void *src,
		       size_t len);
void pf_memset_persist(struct pf_pool *p, void *dst, int c, size_t len);
int pf_tx_errno(void);

/* test hooks (testing.h); pf_persist_point() at each barrier */
#ifdef PF_TEST_HOOKS
extern void (*pf_hook_fn)(void *);
extern void *pf_hook_arg;
static inline void
pf_persist_point(void)
{
	if (__builtin_expect(pf_hook_fn != NULL, 0))
		pf_hook_fn(pf_hook_arg);
}
#else
static inline void pf_persist_point(void) {}
#endif

/*
 * Every transaction of the core begins with PF_TX_BEGIN, so that its
 * commit is a persist point by construction: with the test hooks,
 * libpmemobj calls pf_tx_stage at each stage of the outermost
 * transaction, and the ONCOMMIT stage comes once its changes are durable
 * and its lane is released (aborts are not persist points: nothing
 * changed). Without them, a plain TX_BEGIN: no callback on every stage of
 * every transaction of an installed library.
 */
#ifdef PF_TEST_HOOKS
void pf_tx_stage(PMEMobjpool *pop, enum pobj_tx_stage stage, void *arg);
#define PF_TX_BEGIN(p) TX_BEGIN_CB((p)->pop, pf_tx_stage, NULL)
#else
#define PF_TX_BEGIN(p) TX_BEGIN((p)->pop)
#endif

/* PF_OPEN_ISOLATED (isolate.c): 0, or -EIO when the trial open crashed */
int pf_pool_open_trial(const char *path, char *msg, size_t msglen);
int pf_pool_precheck(const char *path, const struct stat *st, char *msg,
		     size_t msglen);

/* objects freed per TX when a dead inode's storage is released in steps */
#define PF_FREE_BATCH 16

/* ---- redo-logged changes (act.c) ---- */
/*
 * Actions of one publish. A lane's redo log holds 40 entries (640 bytes in
 * libpmemobj 1.12) and an action takes one or two, so 16 never make a
 * publish allocate log space (which can fail on a full pool, where an
 * unlink must still work).
 */
#define PF_ACTS_MAX 16
struct pf_acts {
	struct pobj_action v[PF_ACTS_MAX];
	unsigned n;
	bool full;                    /* an action did not fit */
	int64_t dinodes, ddata;       /* counter changes, applied when published */
};
void pf_acts_init(struct pf_acts *a);
void pf_act_set(struct pf_pool *p, struct pf_acts *a, void *word, uint64_t v);
void pf_act_set32(struct pf_pool *p, struct pf_acts *a, uint32_t *field,
		  uint32_t v);
void pf_act_set_oid(struct pf_pool *p, struct pf_acts *a, PMEMoid *dst,
		    PMEMoid v);
void *pf_act_reserve(struct pf_pool *p, struct pf_acts *a, size_t size,
		     uint64_t type, PMEMoid *oid, int *err);
void *pf_act_reserve_raw(struct pf_pool *p, struct pf_acts *a, size_t size,
			 uint64_t type, PMEMoid *oid);
void pf_act_free(struct pf_pool *p, struct pf_acts *a, PMEMoid oid);
void pf_obj_free(struct pf_pool *p, struct pf_acts *a, PMEMoid oid, bool data);
void pf_act_cancel(struct pf_pool *p, struct pf_acts *a);
int pf_act_publish(struct pf_pool *p, struct pf_acts *a);

/* ---- inodes (inode.c) ---- */
/*
 * The vinode of the inode at oid, referenced, in *out: 0, -ENOMEM, or -EIO
 * when oid was read from the pool and fails pf_inode_check.
 */
int pf_vinode_get(struct pf_pool *p, PMEMoid oid, struct pf_vinode **out);
struct pf_vinode *pf_vinode_ref(struct pf_vinode *vi);
void pf_vinode_put(struct pf_pool *p, struct pf_vinode *vi);
void pf_vinode_mark_freed(struct pf_pool *p, struct pf_vinode *vi);
void pf_vinode_unmark_freed(struct pf_pool *p, struct pf_vinode *vi);
int pf_vinode_table_init(struct pf_pool *p);
void pf_vinode_table_fini(struct pf_pool *p);
/* in a TX: allocates and initializes an inode; returns its oid */
void pf_inode_snap_tx(struct pf_inode *pi);
PMEMoid pf_inode_alloc_tx(struct pf_pool *p, const struct pf_caller *c,
			  struct pf_inode *parent_dir, mode_t mode,
			  uint64_t rdev);
/* the fields of a new inode (pi zeroed), as pf_inode_alloc_tx sets them */
void pf_inode_init(struct pf_pool *p, const struct pf_caller *c,
		   struct pf_inode *parent_dir, struct pf_inode *pi,
		   mode_t mode, uint64_t rdev);
/* frees an inode and everything it owns: in the running TX (a NULL) or as
 * actions of a (pf_obj_free) */
void pf_inode_free(struct pf_pool *p, PMEMoid oid, struct pf_acts *a);
/* before that TX, for an inode nobody can reach any more: frees what it
 * owns PF_FREE_BATCH objects per TX, so the last TX stays small */
void pf_inode_release_batched(struct pf_pool *p, struct pf_inode *pi);
/* true when the inode owns more than one batch (see prepare_free) */
bool pf_inode_owns_many(struct pf_pool *p, const struct pf_inode *pi);
void pf_orphan_add_tx(struct pf_pool *p, PMEMoid oid);
void pf_orphan_del_tx(struct pf_pool *p, PMEMoid oid);
void pf_inode_stat(struct pf_pool *p, struct pf_vinode *vi,
		   struct pf_stat *st);
uint8_t pf_dtype(uint32_t mode);

/* ---- permissions (perm.c) ---- */
bool pf_in_group(const struct pf_caller *c, uint32_t gid);
/* mask: MAY_* = 4 read, 2 write, 1 exec */
int pf_may(const struct pf_caller *c, const struct pf_inode *pi, int mask);
bool pf_is_owner(const struct pf_caller *c, const struct pf_inode *pi);
bool pf_may_delete(const struct pf_caller *c, const struct pf_inode *dir,
		   const struct pf_inode *victim);

/* ---- directories (dir.c) ---- */
int pf_dir_lookup(struct pf_pool *p, struct pf_vinode *dir, const char *name,
		  size_t len, PMEMoid *out, uint32_t *slot);
int pf_dir_name_of(struct pf_pool *p, struct pf_vinode *dir, uint64_t ino,
		   char name[PF_NAME_MAX + 1], size_t *len);
/* caller holds dir write lock; in a TX */
void pf_dir_add_tx(struct pf_pool *p, struct pf_vinode *dir, const char *name,
		   size_t len, PMEMoid ino, uint32_t mode);
void pf_dir_remove_tx(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot);
/* the same as actions (act.c), then the index once published */
int pf_dir_add_act(struct pf_pool *p, struct pf_vinode *dir, const char *name,
		   size_t len, PMEMoid ino, uint32_t mode, struct pf_acts *a,
		   uint32_t *slot);
void pf_dir_add_done(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot);
void pf_dir_touch_act(struct pf_pool *p, struct pf_acts *a,
		      struct pf_inode *dpi, int64_t delta, int64_t now);
void pf_dir_set_act(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot,
		    PMEMoid ino, uint32_t mode, struct pf_acts *a);
void pf_dir_remove_act(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot,
		       struct pf_acts *a);
void pf_dir_remove_done(struct pf_pool *p, struct pf_vinode *dir,
			uint32_t slot);
void pf_dir_set_tx(struct pf_pool *p, struct pf_vinode *dir, uint32_t slot,
		   PMEMoid ino, uint32_t mode);
/* after a TX aborted: volatile index must be rebuilt */
void pf_dir_index_drop(struct pf_vinode *dir);
void pf_dir_index_free(struct pf_vinode *dir);
void pf_dir_free_pages(struct pf_pool *p, struct pf_inode *pi,
		       struct pf_acts *a);
void pf_dir_release_batched(struct pf_pool *p, struct pf_inode *pi);
PMEMoid pf_dir_first_page_alloc_tx(struct pf_pool *p);
ssize_t pf_dir_getdents(struct pf_pool *p, struct pf_file *f, void *buf,
			size_t size);

/* ---- data (data.c) ---- */
void pf_data_free(struct pf_pool *p, struct pf_inode *pi, struct pf_acts *a);
void pf_data_release_batched(struct pf_pool *p, struct pf_inode *pi);
ssize_t pf_data_read(struct pf_pool *p, struct pf_vinode *vi, size_t count,
		     uint64_t off, pf_copy_fn copy, void *arg);
ssize_t pf_data_write(struct pf_pool *p, const struct pf_caller *c,
		      struct pf_vinode *vi, size_t count, uint64_t off,
		      bool append, uint64_t *newpos, pf_copy_fn copy,
		      void *arg);
/* mode after a write or truncate by c (set-id bits cleared as Linux) */
uint32_t pf_killed_mode(const struct pf_caller *c, const struct pf_inode *pi);
void pf_data_trim(struct pf_pool *p, struct pf_vinode *vi);
/* caller holds the write lock */
int pf_data_truncate(struct pf_pool *p, struct pf_vinode *vi, uint64_t len);
off_t pf_data_seek(struct pf_pool *p, struct pf_vinode *vi, off_t off,
		   int whence);
int pf_data_fallocate(struct pf_pool *p, struct pf_vinode *vi, int mode,
		      uint64_t off, uint64_t len);
void pf_touch_atime(struct pf_pool *p, struct pf_vinode *vi);

/* ---- extended attributes (xattr.c) ---- */
/* 0, or -EIO when pi's attribute blob is not safe to walk (check.c) */
int pf_xattr_check(const struct pf_pool *p, const struct pf_inode *pi);
/* bytes st_blocks counts for pi's attributes (caller holds a lock) */
uint64_t pf_xattr_bytes(struct pf_pool *p, const struct pf_inode *pi);

/* ---- path resolution (path.c) ---- */
struct pf_path_result {
	struct pf_vinode *parent;     /* referenced (may be NULL with target) */
	struct pf_vinode *target;     /* referenced, NULL if last missing */
	const char *name;             /* last component (in namebuf) */
	size_t namelen;
	bool trailing_slash;
	char namebuf[PF_NAME_MAX + 1];
};
#define PF_RES_FOLLOW 0x1       /* follow a symlink in the last component */
#define PF_RES_PARENT 0x2       /* resolve the parent; last may be missing */
#define PF_RES_EMPTY 0x4        /* empty path means dir itself */
int pf_resolve(struct pf_pool *p, struct pf_caller *c, struct pf_file *dir,
	       const char *path, int flags, struct pf_path_result *r);
void pf_path_result_put(struct pf_pool *p, struct pf_path_result *r);

/* ---- files (file.c) ---- */
struct pf_file *pf_file_new(struct pf_pool *p, struct pf_vinode *vi,
			    int flags);

#endif
