// Small C shims over OpenSSL 3 libcrypto. Each function does one whole
// operation so that the Swift side never juggles EVP contexts; Swift owns all
// buffers and passes them in. Functions return 1 on success, 0 on failure.
#ifndef EMBARGO_COPENSSL_H
#define EMBARGO_COPENSSL_H

#include <stddef.h>
#include <stdint.h>

#define EMB_DIGEST_SHA256 1
#define EMB_DIGEST_SHA512 2
#define EMB_DIGEST_BLAKE2B512 3

#define EMB_AEAD_AES256GCM 1
#define EMB_AEAD_CHACHA20POLY1305 2

int emb_random(uint8_t *out, size_t len);
void emb_cleanse(void *ptr, size_t len);
int emb_const_time_equal(const uint8_t *a, const uint8_t *b, size_t len);

size_t emb_digest_size(int alg);
int emb_digest(int alg, const uint8_t *in, size_t len, uint8_t *out);
void *emb_digest_new(int alg);
int emb_digest_update(void *ctx, const uint8_t *in, size_t len);
int emb_digest_final(void *ctx, uint8_t *out);
void emb_digest_free(void *ctx);

int emb_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32]);
int emb_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);
int emb_scrypt(const uint8_t *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
               uint64_t n, uint64_t r, uint64_t p, uint8_t *out, size_t out_len);

int emb_aead_seal(int alg, const uint8_t key[32], const uint8_t nonce[12],
                  const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                  uint8_t *out, uint8_t tag[16]);
int emb_aead_seal_parts(int alg, const uint8_t key[32], const uint8_t nonce[12],
                        const uint8_t *aad, size_t aad_len, const uint8_t *const *parts, const size_t *lengths,
                        size_t count, uint8_t *out, uint8_t tag[16]);
int emb_aead_open(int alg, const uint8_t key[32], const uint8_t nonce[12],
                  const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                  const uint8_t tag[16], uint8_t *out);

/* Reads `total` bytes of `fd` into `buffer` on a second thread while decrypting
   in place what has arrived: the first `aad_len` bytes are the associated data,
   the last 16 the tag, the ciphertext between them. Returns 1 when the tag
   verifies, 0 when it does not (the plaintext is wiped), -1 when the file could
   not be read in full (`*read_error` is the errno, or 0 for a short file). */
int emb_aead_open_file(int alg, const uint8_t key[32], const uint8_t nonce[12], int fd, uint8_t *buffer, size_t total,
                       size_t aad_len, int *read_error);

int emb_x25519_public(const uint8_t priv[32], uint8_t pub[32]);
int emb_x25519(const uint8_t priv[32], const uint8_t peer[32], uint8_t shared[32]);
int emb_ed25519_public(const uint8_t seed[32], uint8_t pub[32]);
int emb_ed25519_sign(const uint8_t seed[32], const uint8_t *msg, size_t len, uint8_t sig[64]);
int emb_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64]);

#endif
