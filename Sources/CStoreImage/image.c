#define _GNU_SOURCE
#include "CStoreImage.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// MARK: buffers

static size_t round_to_pages(size_t n) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (n == 0) n = 1;
    return (n + page - 1) / page * page;
}

uint8_t *emb_image_buffer_alloc(size_t capacity, size_t *granted) {
    size_t length = round_to_pages(capacity);
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    // Fewer page faults when a large store is decrypted into the buffer.
    if (length >= (2u << 20)) (void)madvise(p, length, MADV_HUGEPAGE);
#endif
#ifdef MADV_DONTDUMP
    // Plaintext stays out of core dumps.
    (void)madvise(p, length, MADV_DONTDUMP);
#endif
    if (granted) *granted = length;
    return p;
}

void emb_image_buffer_free(uint8_t *buffer, size_t capacity) {
    if (buffer == NULL) return;
    // Unmapped pages are gone from the process, and the kernel zeroes them
    // before any other use: no plaintext outlives the mapping, so wiping it
    // first (72 MB for a store of 10,000 advisories) would only cost time.
    munmap(buffer, round_to_pages(capacity));
}

// MARK: images

struct emb_image {
    char *name;               // NULL for the anonymous files (journals, temporary files)
    uint8_t *allocation;      // from emb_image_buffer_alloc
    size_t allocation_length;
    uint8_t *data;            // allocation + offset
    size_t size;
    size_t capacity;          // bytes available from data on
    int references;           // the owner's, plus one per open file
    emb_image *next;          // in the registry
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static emb_image *registry = NULL;

// The registered image called `name`, or NULL; called with registry_lock held.
static emb_image *find_locked(const char *name) {
    for (emb_image *image = registry; image && name; image = image->next) {
        if (strcmp(image->name, name) == 0) return image;
    }
    return NULL;
}

static void image_free(emb_image *image) {
    emb_image_buffer_free(image->allocation, image->allocation_length);
    free(image->name);
    free(image);
}

// Called with registry_lock held.
static void image_unref_locked(emb_image *image) {
    if (--image->references > 0) return;
    image_free(image);
}

static void image_unref(emb_image *image) {
    pthread_mutex_lock(&registry_lock);
    image_unref_locked(image);
    pthread_mutex_unlock(&registry_lock);
}

static emb_image *image_new(uint8_t *buffer, size_t capacity, size_t offset, size_t size) {
    emb_image *image = calloc(1, sizeof(emb_image));
    if (image == NULL) return NULL;
    image->allocation = buffer;
    image->allocation_length = capacity;
    image->data = buffer + offset;
    image->capacity = capacity - offset;
    image->size = size;
    image->references = 1;
    return image;
}

// Makes room for `needed` bytes: a new buffer, the old one unmapped.
static int image_reserve(emb_image *image, size_t needed) {
    if (needed <= image->capacity) return 0;
    size_t wanted = image->capacity + image->capacity / 2 + (1u << 20);
    if (wanted < needed) wanted = needed;
    size_t granted = 0;
    uint8_t *buffer = emb_image_buffer_alloc(wanted, &granted);
    if (buffer == NULL) return -1;
    memcpy(buffer, image->data, image->size);
    emb_image_buffer_free(image->allocation, image->allocation_length);
    image->allocation = buffer;
    image->allocation_length = granted;
    image->data = buffer;
    image->capacity = granted;
    return 0;
}

static int image_write(emb_image *image, size_t offset, const uint8_t *bytes, size_t len) {
    if (offset + len < offset) return -1;
    if (image_reserve(image, offset + len) != 0) return -1;
    if (offset > image->size) memset(image->data + image->size, 0, offset - image->size);
    memcpy(image->data + offset, bytes, len);
    if (offset + len > image->size) image->size = offset + len;
    return 0;
}

static int image_resize(emb_image *image, size_t size) {
    if (size > image->size) {
        if (image_reserve(image, size) != 0) return -1;
        memset(image->data + image->size, 0, size - image->size);
    } else if (size < image->size) {
        explicit_bzero(image->data + size, image->size - size);
    }
    image->size = size;
    return 0;
}

emb_image *emb_image_adopt(const char *name, uint8_t *buffer, size_t capacity, size_t offset, size_t size) {
    if (name == NULL || offset > capacity || size > capacity - offset) {
        emb_image_buffer_free(buffer, capacity);
        return NULL;
    }
    emb_image *image = image_new(buffer, capacity, offset, size);
    char *copy = strdup(name);
    if (image == NULL || copy == NULL) {
        free(copy);
        if (image) image_free(image);
        else emb_image_buffer_free(buffer, capacity);
        return NULL;
    }
    image->name = copy;
    pthread_mutex_lock(&registry_lock);
    if (find_locked(name) != NULL) {
        pthread_mutex_unlock(&registry_lock);
        image_free(image);
        return NULL;
    }
    image->next = registry;
    registry = image;
    pthread_mutex_unlock(&registry_lock);
    return image;
}

void emb_image_release(emb_image *image) {
    if (image == NULL) return;
    pthread_mutex_lock(&registry_lock);
    for (emb_image **link = &registry; *link; link = &(*link)->next) {
        if (*link == image) {
            *link = image->next;
            break;
        }
    }
    image->next = NULL;
    image_unref_locked(image);
    pthread_mutex_unlock(&registry_lock);
}

const uint8_t *emb_image_bytes(emb_image *image, size_t *size) {
    *size = image->size;
    return image->data;
}

// MARK: the VFS

typedef struct {
    sqlite3_file base;
    emb_image *image;
} image_file;

static int file_close(sqlite3_file *file) {
    image_file *f = (image_file *)file;
    if (f->image) image_unref(f->image);
    f->image = NULL;
    return SQLITE_OK;
}

static int file_read(sqlite3_file *file, void *out, int amount, sqlite3_int64 offset) {
    emb_image *image = ((image_file *)file)->image;
    if (amount < 0 || offset < 0) return SQLITE_IOERR_READ;
    size_t start = (size_t)offset, length = (size_t)amount;
    if (start >= image->size) {
        memset(out, 0, length);
        return SQLITE_IOERR_SHORT_READ;
    }
    size_t available = image->size - start;
    if (available < length) {
        memcpy(out, image->data + start, available);
        memset((uint8_t *)out + available, 0, length - available);
        return SQLITE_IOERR_SHORT_READ;
    }
    memcpy(out, image->data + start, length);
    return SQLITE_OK;
}

static int file_write(sqlite3_file *file, const void *bytes, int amount, sqlite3_int64 offset) {
    emb_image *image = ((image_file *)file)->image;
    if (amount < 0 || offset < 0) return SQLITE_IOERR_WRITE;
    return image_write(image, (size_t)offset, bytes, (size_t)amount) == 0 ? SQLITE_OK : SQLITE_IOERR_NOMEM;
}

static int file_truncate(sqlite3_file *file, sqlite3_int64 size) {
    emb_image *image = ((image_file *)file)->image;
    if (size < 0) return SQLITE_IOERR_TRUNCATE;
    return image_resize(image, (size_t)size) == 0 ? SQLITE_OK : SQLITE_IOERR_NOMEM;
}

static int file_sync(sqlite3_file *file, int flags) {
    (void)file;
    (void)flags;
    return SQLITE_OK;
}

static int file_size(sqlite3_file *file, sqlite3_int64 *size) {
    *size = (sqlite3_int64)((image_file *)file)->image->size;
    return SQLITE_OK;
}

static int file_lock(sqlite3_file *file, int level) {
    (void)file;
    (void)level;
    return SQLITE_OK;
}

static int file_check_reserved_lock(sqlite3_file *file, int *out) {
    (void)file;
    *out = 0;
    return SQLITE_OK;
}

static int file_control(sqlite3_file *file, int op, void *arg) {
    (void)file;
    if (op == SQLITE_FCNTL_VFSNAME) {
        *(char **)arg = sqlite3_mprintf("%s", emb_image_vfs_name());
        return SQLITE_OK;
    }
    return SQLITE_NOTFOUND;
}

static int file_sector_size(sqlite3_file *file) {
    (void)file;
    return 4096;
}

static int file_device_characteristics(sqlite3_file *file) {
    (void)file;
    return SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_POWERSAFE_OVERWRITE | SQLITE_IOCAP_SAFE_APPEND | SQLITE_IOCAP_SEQUENTIAL;
}

static const sqlite3_io_methods image_methods = {
    1,
    file_close,
    file_read,
    file_write,
    file_truncate,
    file_sync,
    file_size,
    file_lock,
    file_lock,
    file_check_reserved_lock,
    file_control,
    file_sector_size,
    file_device_characteristics,
    NULL, NULL, NULL, NULL, NULL, NULL,
};

static sqlite3_vfs *fallback(sqlite3_vfs *vfs) { return (sqlite3_vfs *)vfs->pAppData; }

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags) {
    (void)vfs;
    image_file *f = (image_file *)file;
    f->base.pMethods = NULL;
    f->image = NULL;
    if (flags & SQLITE_OPEN_MAIN_DB) {
        // Only an image the store made: never a new database, never a file on disk.
        pthread_mutex_lock(&registry_lock);
        f->image = find_locked(name);
        if (f->image) f->image->references++;
        pthread_mutex_unlock(&registry_lock);
        if (f->image == NULL) return SQLITE_CANTOPEN;
    } else {
        // Journals and temporary files live in memory and vanish on close.
        size_t granted = 0;
        uint8_t *buffer = emb_image_buffer_alloc(4096, &granted);
        if (buffer == NULL) return SQLITE_NOMEM;
        f->image = image_new(buffer, granted, 0, 0);
        if (f->image == NULL) {
            emb_image_buffer_free(buffer, granted);
            return SQLITE_NOMEM;
        }
    }
    f->base.pMethods = &image_methods;
    if (out_flags) *out_flags = flags;
    return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync) {
    (void)vfs;
    (void)name;
    (void)sync;
    return SQLITE_OK;
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    (void)vfs;
    (void)flags;
    pthread_mutex_lock(&registry_lock);
    *out = find_locked(name) != NULL;
    pthread_mutex_unlock(&registry_lock);
    return SQLITE_OK;
}

static int vfs_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    if (size <= 0) return SQLITE_CANTOPEN;
    size_t length = strlen(name);
    if (length >= (size_t)size) return SQLITE_CANTOPEN;
    memcpy(out, name, length + 1);
    return SQLITE_OK;
}

static void *vfs_dl_open(sqlite3_vfs *vfs, const char *path) {
    (void)vfs;
    (void)path;
    return NULL;
}

static void vfs_dl_error(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    sqlite3_snprintf(size, out, "extensions are not loaded into the store");
}

static void (*vfs_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    (void)handle;
    (void)symbol;
    return NULL;
}

static void vfs_dl_close(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    (void)handle;
}

static int vfs_randomness(sqlite3_vfs *vfs, int size, char *out) {
    return fallback(vfs)->xRandomness(fallback(vfs), size, out);
}

static int vfs_sleep(sqlite3_vfs *vfs, int microseconds) {
    return fallback(vfs)->xSleep(fallback(vfs), microseconds);
}

static int vfs_current_time(sqlite3_vfs *vfs, double *out) {
    return fallback(vfs)->xCurrentTime(fallback(vfs), out);
}

static int vfs_get_last_error(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    if (size > 0) out[0] = 0;
    return 0;
}

static int vfs_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
    sqlite3_vfs *base = fallback(vfs);
    if (base->iVersion >= 2 && base->xCurrentTimeInt64) return base->xCurrentTimeInt64(base, out);
    double now = 0;
    int rc = base->xCurrentTime(base, &now);
    *out = (sqlite3_int64)(now * 86400000.0);
    return rc;
}

static sqlite3_vfs image_vfs = {
    2,
    sizeof(image_file),
    512,
    NULL,
    "embargo-memory",
    NULL,
    vfs_open,
    vfs_delete,
    vfs_access,
    vfs_full_pathname,
    vfs_dl_open,
    vfs_dl_error,
    vfs_dl_sym,
    vfs_dl_close,
    vfs_randomness,
    vfs_sleep,
    vfs_current_time,
    vfs_get_last_error,
    vfs_current_time_int64,
    NULL, NULL, NULL,
};

const char *emb_image_vfs_name(void) { return image_vfs.zName; }

static pthread_once_t register_once = PTHREAD_ONCE_INIT;
static int register_result = SQLITE_ERROR;

static void register_vfs(void) {
    sqlite3_vfs *base = sqlite3_vfs_find(NULL);
    if (base == NULL) return;
    image_vfs.pAppData = base;
    register_result = sqlite3_vfs_register(&image_vfs, 0);
}

int emb_image_vfs_register(void) {
    pthread_once(&register_once, register_vfs);
    return register_result;
}
