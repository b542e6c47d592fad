// Internal to the COpenSSL target: not part of the module's public header.
#ifndef EMBARGO_BLAKE2B_H
#define EMBARGO_BLAKE2B_H

#include <stddef.h>
#include <stdint.h>

// Unkeyed BLAKE2b (RFC 7693) with a digest of `out_len` bytes (1...64).
int emb_blake2b_unkeyed(const uint8_t *in, size_t len, uint8_t *out, size_t out_len);

#endif
