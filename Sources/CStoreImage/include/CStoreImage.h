// The memory of SQLite, as the store's plaintext needs it; and the patchset
// of one commit, recorded and replayed with SQLite's session extension.
//
// Every block SQLite frees is wiped first (the page cache, row values, the
// database itself), and large blocks are anonymous mappings kept out of core
// dumps and unmapped when freed (the kernel zeroes pages before reusing them).
// The store's database lives in such memory as a `memdb` database
// (`sqlite3_deserialize`): nothing of it is ever a file.
#ifndef EMBARGO_CSTOREIMAGE_H
#define EMBARGO_CSTOREIMAGE_H

#include <stddef.h>
#include <stdint.h>

/// Installs the allocator above as SQLite's and initializes SQLite; must come
/// before any other use of SQLite in the process (idempotent, thread-safe).
/// Returns 0 (SQLITE_OK), or SQLITE_MISUSE when SQLite was used before.
int emb_memory_configure(void);

/// A zeroed anonymous mapping of at least `capacity` bytes (its length in
/// `*granted`), kept out of core dumps; NULL when memory runs out.
uint8_t *emb_memory_map(size_t capacity, size_t *granted);

/// Unmaps a mapping from `emb_memory_map` that was not adopted.
void emb_memory_unmap(uint8_t *mapping, size_t length);

/// The bytes of the allocator's header, just before each block.
#define EMB_MEMORY_HEADER 32

/// Makes the bytes from `offset` on in `mapping` (from `emb_memory_map`,
/// `length` bytes) a block of SQLite's memory: `sqlite3_free` unmaps it, and
/// `sqlite3_realloc` moves it. The `EMB_MEMORY_HEADER` bytes before `offset` are
/// overwritten. Only while `emb_memory_configure` succeeded. NULL when `offset`
/// is smaller than `EMB_MEMORY_HEADER`.
void *emb_memory_adopt(uint8_t *mapping, size_t length, size_t offset);

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
