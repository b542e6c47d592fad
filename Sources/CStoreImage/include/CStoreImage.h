// The store's database image: a SQLite database file held in memory only,
// served to SQLite by the VFS "embargo-memory", with a record of the 4 KiB
// chunks written since the last time the record was cleared. The store seals
// those chunks as a journal entry instead of re-sealing the whole database.
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

#define EMB_IMAGE_CHUNK 4096

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

/// Writes `len` bytes at `offset` (growing the image) without marking them
/// written: for replaying committed journal entries. Returns 0 on success.
int emb_image_put(emb_image *image, size_t offset, const uint8_t *bytes, size_t len);

/// Sets the size (replaying a journal entry). Returns 0 on success.
int emb_image_set_size(emb_image *image, size_t size);

/// Writes and resizes as SQLite does through the VFS (marking the chunks):
/// for tests of the journal. Return 0 on success.
int emb_image_write_marking(emb_image *image, size_t offset, const uint8_t *bytes, size_t len);
int emb_image_set_size_marking(emb_image *image, size_t size);

/// The chunks written since the last clear that lie within the image, in
/// ascending order: writes up to `max` indices into `chunks` (which may be
/// NULL to count) and returns how many there are.
size_t emb_image_written_chunks(emb_image *image, uint32_t *chunks, size_t max);

/// Forgets which chunks were written (after they were committed).
void emb_image_clear_written(emb_image *image);

#endif
