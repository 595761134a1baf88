/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The whole on-media format of a pmemfile pool. Everything persistent is
 * declared here with fixed-width types and explicit padding. Any change to a
 * structure below changes PF_LAYOUT_VERSION.
 *
 * A pool is a libpmemobj pool with layout name PF_LAYOUT_NAME. Its root
 * object is struct pf_super. Every other object has one of the PF_T_* type
 * numbers, so fsck can enumerate each kind with POBJ_FOREACH_TYPE.
 *
 * Objects refer to each other by PMEMoid. Inode numbers (st_ino) are the
 * pool offset of the inode object: unique among live inodes, stable for an
 * inode's life, and free to compute.
 *
 * Times are int64 nanoseconds since the epoch (one aligned word, so a time
 * can be persisted alone without a transaction; see HACKING.md).
 */
#ifndef PF_LAYOUT_H
#define PF_LAYOUT_H

#include <stddef.h>
#include <stdint.h>
#include <libpmemobj.h>

#define PF_LAYOUT_NAME "pmemfile-core"
/*
 * 2: pf_dirpage.used and pf_inode.nsubdirs are no longer maintained (each
 * cost an undo-log entry per create and unlink; both are derived). A
 * version-1 pool is read the same way and marked 2 when opened.
 * 3: extended attributes: pf_inode.xattr (taken from the padding) names a
 * PF_T_XATTR blob. Every inode of layouts 1 and 2 was allocated zeroed
 * (pmemobj_tx_zalloc, or reserved and memset), so its xattr field is null:
 * an older pool is read the same way and marked 3 when opened (an older
 * pmemfile then refuses it, as its fsck would not know the blobs).
 */
#define PF_LAYOUT_VERSION 3u
#define PF_LAYOUT_VERSION_MIN 1u
#define PF_SUPER_MAGIC 0x31454c4946454d50ull /* "PMEMFILE1" little endian-ish */
#define PF_INODE_MAGIC 0x444f4e49u           /* "INOD" */

/* object type numbers */
enum {
	PF_T_INODE = 1,
	PF_T_DIRPAGE = 2,
	PF_T_EXTENTS = 3,
	PF_T_DATA = 4,
	PF_T_SYMLINK = 5,
	PF_T_XATTR = 6,
};

/* pf_super.flags */
#define PF_SUPER_CLEAN 0x1u  /* closed cleanly: the counters below are exact */

struct pf_super {
	uint64_t magic;          /* PF_SUPER_MAGIC */
	uint32_t version;        /* PF_LAYOUT_VERSION */
	uint32_t flags;          /* PF_SUPER_* */
	uint64_t pool_id;        /* random at mkfs: st_dev and f_fsid */
	PMEMoid root;            /* root directory inode */
	PMEMoid orphans;         /* first inode of the orphan list (nlink 0) */
	uint64_t ninodes;        /* number of inodes (valid when CLEAN) */
	uint64_t data_bytes;     /* bytes in data extents (valid when CLEAN) */
	uint64_t ctime;          /* mkfs time */
	uint8_t pad[176];
};
_Static_assert(sizeof(struct pf_super) == 256, "pf_super size");

/* pf_inode.flags: PF_FL_* (pmemfile/core.h: FS_*_FL values); zero in every
 * inode made before they were kept */

struct pf_inode {
	uint32_t magic;          /* PF_INODE_MAGIC */
	uint32_t mode;           /* S_IFMT | permission bits */
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint32_t flags;
	uint64_t size;           /* bytes: file data, symlink target length,
				    directory: number of entries (not . ..) */
	uint64_t rdev;
	uint64_t alloc;          /* bytes in data extents (st_blocks * 512) */
	int64_t atime, mtime, ctime, btime;   /* ns since the epoch */
	PMEMoid orphan_next;     /* orphan list links (valid when nlink == 0) */
	PMEMoid orphan_prev;
	/*
	 * regular file: struct pf_extents; directory: first struct pf_dirpage;
	 * symlink: struct pf_symlink; others: null.
	 */
	PMEMoid data;
	PMEMoid parent;          /* directory: its parent (".."); root: itself */
	uint64_t nsubdirs_v1;    /* layout 1 only: subdirectories; now unused */
	PMEMoid xattr;           /* struct pf_xattrs, or null: none (layout 3) */
	uint8_t pad[56];
};
_Static_assert(sizeof(struct pf_inode) == 224, "pf_inode size");
_Static_assert(offsetof(struct pf_inode, size) % 8 == 0, "size aligned");
_Static_assert(offsetof(struct pf_inode, atime) % 8 == 0, "times aligned");
/*
 * mode through ctime is what metadata changes touch (links, owner, size,
 * allocation, times): one undo-log entry covers it (pf_inode_snap_tx).
 */
#define PF_INODE_HOT_START offsetof(struct pf_inode, mode)
#define PF_INODE_HOT_END offsetof(struct pf_inode, btime)
_Static_assert(PF_INODE_HOT_END - PF_INODE_HOT_START <= 72, "hot header");

#define PF_DIRENT_NAME 256
struct pf_dirent {
	PMEMoid inode;           /* null: free slot */
	uint16_t namelen;
	uint8_t type;            /* DT_* of the inode */
	uint8_t pad[5];
	char name[PF_DIRENT_NAME];  /* not NUL-terminated when 255 long */
};
_Static_assert(sizeof(struct pf_dirent) == 280, "pf_dirent size");
_Static_assert(offsetof(struct pf_dirent, namelen) == 16 &&
	       offsetof(struct pf_dirent, name) == 24,
	       "namelen and type: one word (pf_dir_set_act)");

/*
 * (Object sizes: libpmemobj keeps one run per size class, and a run of a
 * large class costs many 256 KiB chunks; so every object here is either
 * at most 8 KiB or a whole number of chunks. See HACKING.md.)
 *
 * Directory entries live in fixed-size pages chained from the directory
 * inode. Slot number = page index * PF_DIRPAGE_SLOTS + slot in page; it is
 * the readdir cookie (plus 3: 0 is the start, 1 ".", 2 "..").
 */
#define PF_DIRPAGE_SLOTS 29     /* a page fits libpmemobj's 8 KiB class */
struct pf_dirpage {
	PMEMoid next;
	uint32_t nslots;         /* PF_DIRPAGE_SLOTS */
	uint32_t used_v1;        /* layout 1 only: entries in use; now unused */
	uint64_t pad;
	struct pf_dirent d[PF_DIRPAGE_SLOTS];
};
_Static_assert(sizeof(struct pf_dirpage) == 32 + 280 * PF_DIRPAGE_SLOTS,
	       "pf_dirpage size");
_Static_assert(sizeof(struct pf_dirpage) <= 8192 - 16, "pf_dirpage class");

/*
 * File data: extents sorted by file offset, non-overlapping, offsets and
 * lengths multiples of PF_EXT_ALIGN. Bytes of an extent at or beyond the
 * file size have undefined contents: every operation that raises the size
 * zeroes the newly exposed bytes first.
 */
#define PF_EXT_ALIGN 4096u
struct pf_extent {
	uint64_t off;            /* file offset */
	uint64_t len;            /* bytes */
	PMEMoid data;            /* PF_T_DATA object of at least len bytes */
};
_Static_assert(sizeof(struct pf_extent) == 32, "pf_extent size");

struct pf_extents {
	uint32_t count;
	uint32_t cap;
	uint64_t pad;
	struct pf_extent e[];
};
_Static_assert(sizeof(struct pf_extents) == 16, "pf_extents size");

/* symlink target: size bytes (pf_inode.size) plus a NUL */
struct pf_symlink {
	uint64_t len;
	char target[];
};

/*
 * Extended attributes of one inode: one blob holding them all, found from
 * pf_inode.xattr (null when the inode has none, so they cost nothing
 * then). Entries are packed one after another, sorted by name (memcmp,
 * then length), each 8-byte aligned: a get or list is one walk of one
 * object. A change writes a new blob and swaps the pointer in one
 * transaction (copy on write: atomic across a crash); a remove may leave
 * a hole instead (below).
 */
/* clang-format off */
#define PF_XATTR_MAGIC 0x52545458u   /* "XTTR" */
#define PF_XATTR_NAME_MAX 255        /* full name, namespace prefix included */
#define PF_XATTR_SIZE_MAX 65536      /* bytes in one value (Linux XATTR_SIZE_MAX) */
struct pf_xattrs {
	uint32_t magic;          /* PF_XATTR_MAGIC */
	uint32_t count;          /* entries (not holes) */
	uint32_t used;           /* bytes of entries (and holes) after this header */
	uint32_t size;           /* bytes requested for the object, header
				    included (st_blocks counts them) */
	uint8_t ent[];           /* struct pf_xattr_ent, used bytes */
};
_Static_assert(sizeof(struct pf_xattrs) == 16, "pf_xattrs size");

/*
 * An entry with namelen 0 is a hole left by a remove in place (which
 * needs no allocation: a full pool can still free); its vlen covers what
 * the entry held, up to PF_XATTR_HOLE_MAX. Walks skip holes, the next
 * change drops them.
 */
#define PF_XATTR_HOLE_MAX (PF_XATTR_SIZE_MAX + PF_XATTR_NAME_MAX + 8)
struct pf_xattr_ent {
	uint32_t vlen;           /* value bytes, <= PF_XATTR_SIZE_MAX */
	uint8_t namelen;         /* 1..PF_XATTR_NAME_MAX; 0: a hole */
	uint8_t pad[3];
	char name[];             /* namelen bytes (no NUL), then the value;
				    the entry is padded to 8 bytes */
};
_Static_assert(sizeof(struct pf_xattr_ent) == 8, "pf_xattr_ent size");
#define PF_XATTR_ENT_SIZE(namelen, vlen) \
	(((uint64_t)sizeof(struct pf_xattr_ent) + (namelen) + (vlen) + 7) & ~7ull)
/* clang-format on */

#endif
