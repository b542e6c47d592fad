// A commit's row changes as an SQLite patchset (a changeset without the old
// values that applying it does not need), through the session extension of
// the system libsqlite3 (its header declares the extension only when asked to).
#define _GNU_SOURCE
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "CStoreImage.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

int emb_recording_start(void *db, void **recording) {
    sqlite3_session *session = NULL;
    int rc = sqlite3session_create((sqlite3 *)db, "main", &session);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3session_attach(session, NULL);
    if (rc != SQLITE_OK) {
        sqlite3session_delete(session);
        return rc;
    }
    *recording = session;
    return SQLITE_OK;
}

int emb_recording_patchset(void *recording, void **bytes, int *size) {
    *bytes = NULL;
    *size = 0;
    return sqlite3session_patchset((sqlite3_session *)recording, size, bytes);
}

void emb_recording_end(void *recording) {
    if (recording) sqlite3session_delete((sqlite3_session *)recording);
}

void emb_patchset_free(void *bytes) { sqlite3_free(bytes); }

static int abort_on_conflict(void *context, int conflict, sqlite3_changeset_iter *change) {
    (void)context;
    (void)conflict;
    (void)change;
    return SQLITE_CHANGESET_ABORT;
}

// MARK: checking the format first
//
// The system SQLite (3.40) can loop forever on a truncated patchset, so a
// patchset is read through once, as the format says, before SQLite sees it:
//
//   table header: 'P' | varint column count | one byte per column (its place in
//                 the primary key, 0 for none) | name NUL
//   change:       operation (INSERT 18, DELETE 9, UPDATE 23) | indirect flag |
//                 INSERT: every column's new value; DELETE: the primary key's values;
//                 UPDATE: every column, the key's and the changed ones' new values
//   value:        type (0 unchanged, only in an UPDATE; 1 integer, 2 real: 8 bytes;
//                 3 text, 4 blob: varint length and bytes; 5 NULL)

// An SQLite varint (1 to 9 bytes, big-endian); 0 when it runs past `end`.
static int read_varint(const uint8_t *p, const uint8_t *end, uint64_t *value) {
    uint64_t v = 0;
    for (int i = 0; i < 9; i++) {
        if (p + i >= end) return 0;
        if (i == 8) {
            *value = (v << 8) | p[i];
            return 9;
        }
        v = (v << 7) | (p[i] & 0x7f);
        if (!(p[i] & 0x80)) {
            *value = v;
            return i + 1;
        }
    }
    return 0;
}

// Reads `columns` values; 0 when they are malformed.
static int read_values(const uint8_t **cursor, const uint8_t *end, uint64_t columns, int unchanged_allowed) {
    const uint8_t *p = *cursor;
    for (uint64_t column = 0; column < columns; column++) {
        if (p >= end) return 0;
        uint8_t type = *p++;
        uint64_t length = 0;
        int read = 0;
        switch (type) {
        case 0:
            if (!unchanged_allowed) return 0;
            break;
        case 1:
        case 2:
            if ((size_t)(end - p) < 8) return 0;
            p += 8;
            break;
        case 3:
        case 4:
            read = read_varint(p, end, &length);
            if (read == 0) return 0;
            p += read;
            if (length > (uint64_t)(end - p)) return 0;
            p += length;
            break;
        case 5:
            break;
        default:
            return 0;
        }
    }
    *cursor = p;
    return 1;
}

int emb_patchset_well_formed(const uint8_t *p, size_t size) {
    const uint8_t *end = p + size;
    uint64_t columns = 0;
    uint64_t key_columns = 0;
    while (p < end) {
        if (*p == 'P') {
            p++;
            int read = read_varint(p, end, &columns);
            // SQLite allows at most 32767 columns in a table.
            if (read == 0 || columns == 0 || columns > 32767) return 0;
            p += read;
            if ((uint64_t)(end - p) < columns) return 0;
            key_columns = 0;
            for (uint64_t column = 0; column < columns; column++) {
                if (p[column] != 0) key_columns++;
            }
            if (key_columns == 0) return 0;
            p += columns;
            while (p < end && *p != 0) p++;
            if (p >= end) return 0;
            p++;
            continue;
        }
        if (columns == 0 || end - p < 2) return 0;
        uint8_t operation = p[0];
        p += 2;
        switch (operation) {
        case SQLITE_INSERT:
            if (!read_values(&p, end, columns, 0)) return 0;
            break;
        case SQLITE_DELETE:
            if (!read_values(&p, end, key_columns, 0)) return 0;
            break;
        case SQLITE_UPDATE:
            if (!read_values(&p, end, columns, 1)) return 0;
            break;
        default:
            return 0;
        }
    }
    return 1;
}

int emb_patchsets_apply(void *db, const uint8_t *bytes, const int *sizes, int count) {
    // One patchset of them all: each row once, each table's statements prepared once.
    sqlite3_changegroup *group = NULL;
    int rc = sqlite3changegroup_new(&group);
    const uint8_t *p = bytes;
    for (int i = 0; i < count && rc == SQLITE_OK; i++) {
        if (sizes[i] > 0) rc = sqlite3changegroup_add(group, sizes[i], (void *)p);
        p += sizes[i];
    }
    int size = 0;
    void *combined = NULL;
    if (rc == SQLITE_OK) rc = sqlite3changegroup_output(group, &size, &combined);
    sqlite3changegroup_delete(group);
    if (rc == SQLITE_OK && size > 0) rc = sqlite3changeset_apply((sqlite3 *)db, size, combined, NULL, abort_on_conflict, NULL);
    if (combined) explicit_bzero(combined, (size_t)size);
    sqlite3_free(combined);
    return rc;
}
