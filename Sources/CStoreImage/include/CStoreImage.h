// The store's database image: a SQLite database file held in memory only,
// served to SQLite by the VFS "embargo-memory"; and the patchset of one
// commit, recorded and replayed with SQLite's session extension.
//
// Nothing here ever touches the disk: the VFS has no file behind it, and any
// journal or temporary file SQLite asks for lives in memory too. Buffers are
// anonymous mappings kept out of core dumps and unmapped when released (the
// kernel zeroes pages before reusing them); bytes cut off the end of a
// database are wiped at once.
#ifndef EMBARGO_CSTOREIMAGE_H
#define EMBARGO_CSTOREIMAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct emb_image emb_image;

/// The VFS name to put in a URI filename: "file:/NAME?vfs=embargo-memory".
const char *emb_image_vfs_name(void);

/// Registers the VFS (idempotent, thread-safe). Returns 0 (SQLITE_OK) on success.
int emb_image_vfs_register(void);

/// A zeroed buffer of at least `capacity` bytes for `emb_image_adopt`, or NULL.
/// Large buffers are mapped with transparent huge pages where the kernel allows.
uint8_t *emb_image_buffer_alloc(size_t capacity, size_t *granted);

/// Releases (unmaps) a buffer from `emb_image_buffer_alloc` that was not adopted.
void emb_image_buffer_free(uint8_t *buffer, size_t capacity);

/// Makes an image of the database that starts `offset` bytes into `buffer`
/// and is `size` bytes long; the image owns the buffer from now on (even on
/// failure). It is found by xOpen under `name` until `emb_image_release`.
/// Returns NULL if the name is taken or memory runs out.
emb_image *emb_image_adopt(const char *name, uint8_t *buffer, size_t capacity, size_t offset, size_t size);

/// Drops the caller's reference: the name is forgotten, and the memory is
/// released once SQLite has closed every file on the image.
void emb_image_release(emb_image *image);

/// The database bytes and their count (valid until the next write).
const uint8_t *emb_image_bytes(emb_image *image, size_t *size);

// MARK: patchsets (SQLite's session extension)

/// Starts recording the row changes made on the connection `db` (a `sqlite3 *`)
/// to every table of its main database. Returns 0 (SQLITE_OK) or an SQLite error code.
int emb_recording_start(void *db, void **recording);

/// The patchset of what was recorded so far: `*bytes` (free it with
/// `emb_patchset_free`) and `*size`. Returns 0 or an SQLite error code.
int emb_recording_patchset(void *recording, void **bytes, int *size);

/// Stops recording and frees the recorder.
void emb_recording_end(void *recording);

void emb_patchset_free(void *bytes);

/// Whether `bytes` is a patchset as the format says (read through once; the
/// system SQLite can loop forever on a truncated one). Returns 1 or 0.
int emb_patchset_well_formed(const uint8_t *bytes, size_t size);

/// Applies `count` patchsets, each of which `emb_patchset_well_formed` accepted,
/// one after the other in `bytes` (`sizes[i]` bytes each), to `db` as one: any
/// row that is not as a patchset expects it (a conflict, a constraint, a
/// missing table) stops them all and leaves the database as it was. Returns 0
/// or an SQLite error code.
int emb_patchsets_apply(void *db, const uint8_t *bytes, const int *sizes, int count);

#endif
