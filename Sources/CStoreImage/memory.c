#define _GNU_SOURCE
#include "CStoreImage.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

// Every block starts with this header, just before the bytes SQLite sees.
// A block is either from malloc (`mapping` NULL) or lies inside an
// anonymous mapping (`mapping`, `mapped` bytes long).
typedef struct {
    size_t size;      // bytes usable from the block's start on
    size_t mapped;
    uint8_t *mapping;
    size_t unused;    // keeps malloc's 16-byte alignment for the block
} block_header;

#define HEADER sizeof(block_header)
_Static_assert(sizeof(block_header) == EMB_MEMORY_HEADER, "the header's size is part of the interface");
// Blocks this large are mappings: kept out of core dumps, and unmapped (not
// wiped) when freed, since the kernel zeroes pages before reusing them.
static const size_t large_block = 256u << 10;

static block_header read_header(const void *block) {
    block_header header;
    memcpy(&header, (const uint8_t *)block - HEADER, HEADER);
    return header;
}

static void write_header(void *block, block_header header) {
    memcpy((uint8_t *)block - HEADER, &header, HEADER);
}

static size_t round_to_pages(size_t n) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (n == 0) n = 1;
    return (n + page - 1) / page * page;
}

static void keep_private(void *p, size_t length) {
#ifdef MADV_HUGEPAGE
    // Fewer page faults when a large store is decrypted into it.
    if (length >= (2u << 20)) (void)madvise(p, length, MADV_HUGEPAGE);
#endif
#ifdef MADV_DONTDUMP
    (void)madvise(p, length, MADV_DONTDUMP);
#endif
}

uint8_t *emb_memory_map(size_t capacity, size_t *granted) {
    size_t length = round_to_pages(capacity);
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    keep_private(p, length);
    if (granted) *granted = length;
    return p;
}

void emb_memory_unmap(uint8_t *mapping, size_t length) {
    if (mapping) munmap(mapping, round_to_pages(length));
}

void *emb_memory_adopt(uint8_t *mapping, size_t length, size_t offset) {
    if (mapping == NULL || offset < HEADER || offset > length) return NULL;
    void *block = mapping + offset;
    write_header(block, (block_header){.size = length - offset, .mapped = length, .mapping = mapping});
    return block;
}

static void *memory_malloc(int n) {
    size_t size = n > 0 ? (size_t)n : 1;
    if (size >= large_block) {
        size_t length = 0;
        uint8_t *mapping = emb_memory_map(size + HEADER, &length);
        return mapping ? emb_memory_adopt(mapping, length, HEADER) : NULL;
    }
    uint8_t *raw = malloc(size + HEADER);
    if (raw == NULL) return NULL;
    void *block = raw + HEADER;
    write_header(block, (block_header){.size = size});
    return block;
}

static void memory_free(void *block) {
    if (block == NULL) return;
    block_header header = read_header(block);
    if (header.mapping) {
        munmap(header.mapping, header.mapped);
    } else {
        explicit_bzero(block, header.size);
        free((uint8_t *)block - HEADER);
    }
}

static int memory_size(void *block) {
    return block ? (int)read_header(block).size : 0;
}

static void *memory_realloc(void *block, int n) {
    if (block == NULL) return memory_malloc(n);
    block_header header = read_header(block);
    size_t size = n > 0 ? (size_t)n : 1;
    if (header.mapping) {
        // The pages move as they are: nothing of the old place stays readable.
        size_t offset = (size_t)((uint8_t *)block - header.mapping);
        size_t length = round_to_pages(offset + size);
        if (length <= header.mapped) return block;
        void *moved = mremap(header.mapping, header.mapped, length, MREMAP_MAYMOVE);
        if (moved == MAP_FAILED) return NULL;
        keep_private(moved, length);
        void *result = (uint8_t *)moved + offset;
        write_header(result, (block_header){.size = length - offset, .mapped = length, .mapping = moved});
        return result;
    }
    if (size <= header.size) return block;
    void *grown = memory_malloc((int)size);
    if (grown == NULL) return NULL;
    memcpy(grown, block, header.size);
    memory_free(block);
    return grown;
}

static int memory_roundup(int n) { return (n + 7) & ~7; }
static int memory_init(void *unused) { (void)unused; return SQLITE_OK; }
static void memory_shutdown(void *unused) { (void)unused; }

static const sqlite3_mem_methods memory_methods = {
    memory_malloc, memory_free, memory_realloc, memory_size, memory_roundup, memory_init, memory_shutdown, NULL,
};

static pthread_once_t configure_once = PTHREAD_ONCE_INIT;
static int configure_result = SQLITE_ERROR;

static void configure(void) {
    configure_result = sqlite3_config(SQLITE_CONFIG_MALLOC, &memory_methods);
    if (configure_result != SQLITE_OK) return;
    // The statistics would count blocks adopted from a decrypted file only when freed.
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    configure_result = sqlite3_initialize();
}

int emb_memory_configure(void) {
    pthread_once(&configure_once, configure);
    return configure_result;
}
