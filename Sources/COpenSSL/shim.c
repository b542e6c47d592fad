#include "COpenSSL.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

// libcrypto is set up without reading the system's OpenSSL configuration
// (openssl.cnf, or the file OPENSSL_CONF names): what embargo uses comes from
// the default provider only, and no configuration file can load other code
// into the process. It also saves reading and parsing that file on every start.
__attribute__((constructor)) static void emb_openssl_setup(void) {
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
}

int emb_random(uint8_t *out, size_t len) {
    while (len > 0) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(out, chunk) != 1) return 0;
        out += chunk;
        len -= (size_t)chunk;
    }
    return 1;
}

void emb_cleanse(void *ptr, size_t len) {
    if (ptr != NULL && len > 0) OPENSSL_cleanse(ptr, len);
}

int emb_const_time_equal(const uint8_t *a, const uint8_t *b, size_t len) {
    return CRYPTO_memcmp(a, b, len) == 0;
}

static const EVP_MD *digest_md(int alg) {
    switch (alg) {
    case EMB_DIGEST_SHA256: return EVP_sha256();
    case EMB_DIGEST_SHA512: return EVP_sha512();
    case EMB_DIGEST_BLAKE2B512: return EVP_blake2b512();
    default: return NULL;
    }
}

size_t emb_digest_size(int alg) {
    const EVP_MD *md = digest_md(alg);
    return md == NULL ? 0 : (size_t)EVP_MD_get_size(md);
}

int emb_digest(int alg, const uint8_t *in, size_t len, uint8_t *out) {
    const EVP_MD *md = digest_md(alg);
    if (md == NULL) return 0;
    unsigned int out_len = 0;
    return EVP_Digest(in, len, out, &out_len, md, NULL) == 1;
}

void *emb_digest_new(int alg) {
    const EVP_MD *md = digest_md(alg);
    if (md == NULL) return NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return NULL;
    if (EVP_DigestInit_ex(ctx, md, NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

int emb_digest_update(void *ctx, const uint8_t *in, size_t len) {
    return EVP_DigestUpdate((EVP_MD_CTX *)ctx, in, len) == 1;
}

int emb_digest_final(void *ctx, uint8_t *out) {
    unsigned int out_len = 0;
    return EVP_DigestFinal_ex((EVP_MD_CTX *)ctx, out, &out_len) == 1;
}

void emb_digest_free(void *ctx) {
    EVP_MD_CTX_free((EVP_MD_CTX *)ctx);
}

int emb_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t out[32]) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return 0;
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
    int ok = 0;
    if (ctx != NULL) {
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
        params[1] = OSSL_PARAM_construct_end();
        static const uint8_t empty = 0;
        size_t out_len = 0;
        ok = EVP_MAC_init(ctx, key_len ? key : &empty, key_len, params) == 1
            && EVP_MAC_update(ctx, data, len) == 1
            && EVP_MAC_final(ctx, out, &out_len, 32) == 1
            && out_len == 32;
    }
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok;
}

int emb_hkdf_sha256(const uint8_t *ikm, size_t ikm_len, const uint8_t *salt, size_t salt_len,
                    const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    if (kdf == NULL) return 0;
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    int ok = 0;
    if (ctx != NULL) {
        static uint8_t empty[1] = {0};
        OSSL_PARAM params[5];
        int i = 0;
        params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
        params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm_len ? (void *)ikm : empty, ikm_len);
        if (salt_len > 0)
            params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
        params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info_len ? (void *)info : empty, info_len);
        params[i] = OSSL_PARAM_construct_end();
        ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    }
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

int emb_scrypt(const uint8_t *pass, size_t pass_len, const uint8_t *salt, size_t salt_len,
               uint64_t n, uint64_t r, uint64_t p, uint8_t *out, size_t out_len) {
    // 128 * r * N bytes for V plus room for B; allow generously above age's maximum use.
    uint64_t maxmem = 128ULL * r * n + 128ULL * r * p + (64ULL << 20);
    static const char empty = 0;
    return EVP_PBE_scrypt(pass_len ? (const char *)pass : &empty, pass_len,
                          salt_len ? salt : (const uint8_t *)&empty, salt_len,
                          n, r, p, maxmem, out, out_len) == 1;
}

static const EVP_CIPHER *aead_cipher(int alg) {
    switch (alg) {
    case EMB_AEAD_AES256GCM: return EVP_aes_256_gcm();
    case EMB_AEAD_CHACHA20POLY1305: return EVP_chacha20_poly1305();
    default: return NULL;
    }
}

// Feeds `len` bytes in pieces that fit OpenSSL's int-sized length arguments.
static int cipher_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len) {
    while (len > 0) {
        int chunk = len > (1 << 30) ? (1 << 30) : (int)len;
        int written = 0;
        if (EVP_CipherUpdate(ctx, out, &written, in, chunk) != 1 || written != chunk) return 0;
        in += chunk;
        out += chunk;
        len -= (size_t)chunk;
    }
    return 1;
}

// Sets up `ctx` for `cipher` with a 96-bit nonce, to encrypt (1) or decrypt (0).
static int aead_begin(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, const uint8_t key[32], const uint8_t nonce[12],
                      int encrypt) {
    return EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, encrypt) == 1
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) == 1
        && EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, encrypt) == 1;
}

// Checks the tag after the last ciphertext byte was decrypted.
static int aead_verify(EVP_CIPHER_CTX *ctx, const uint8_t tag[16]) {
    uint8_t tag_copy[16];
    uint8_t scratch[16];
    int final_len = 0;
    memcpy(tag_copy, tag, 16);
    return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, tag_copy) == 1
        && EVP_DecryptFinal_ex(ctx, scratch, &final_len) == 1;
}

static int aead_aad(EVP_CIPHER_CTX *ctx, const uint8_t *aad, size_t aad_len) {
    while (aad_len > 0) {
        int chunk = aad_len > (1 << 30) ? (1 << 30) : (int)aad_len;
        int written = 0;
        if (EVP_CipherUpdate(ctx, NULL, &written, aad, chunk) != 1) return 0;
        aad += chunk;
        aad_len -= (size_t)chunk;
    }
    return 1;
}

/* Seals the concatenation of `count` parts into `out` (their total length) without joining them first. */
int emb_aead_seal_parts(int alg, const uint8_t key[32], const uint8_t nonce[12],
                        const uint8_t *aad, size_t aad_len, const uint8_t *const *parts, const size_t *lengths,
                        size_t count, uint8_t *out, uint8_t tag[16]) {
    const EVP_CIPHER *cipher = aead_cipher(alg);
    if (cipher == NULL) return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int final_len = 0;
    uint8_t scratch[16];
    int ok = aead_begin(ctx, cipher, key, nonce, 1) && aead_aad(ctx, aad, aad_len);
    for (size_t i = 0; ok && i < count; i++) {
        ok = cipher_update(ctx, out, parts[i], lengths[i]);
        out += lengths[i];
    }
    ok = ok && EVP_EncryptFinal_ex(ctx, scratch, &final_len) == 1
        && final_len == 0
        && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

int emb_aead_seal(int alg, const uint8_t key[32], const uint8_t nonce[12],
                  const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                  uint8_t *out, uint8_t tag[16]) {
    return emb_aead_seal_parts(alg, key, nonce, aad, aad_len, &in, &len, 1, out, tag);
}

int emb_aead_open(int alg, const uint8_t key[32], const uint8_t nonce[12],
                  const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                  const uint8_t tag[16], uint8_t *out) {
    const EVP_CIPHER *cipher = aead_cipher(alg);
    if (cipher == NULL) return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int ok = aead_begin(ctx, cipher, key, nonce, 0)
        && aead_aad(ctx, aad, aad_len)
        && cipher_update(ctx, out, in, len)
        && aead_verify(ctx, tag);
    EVP_CIPHER_CTX_free(ctx);
    if (!ok && len > 0) OPENSSL_cleanse(out, len);
    return ok;
}

// MARK: reading and decrypting a large file at once

typedef struct {
    int fd;
    uint8_t *buffer;
    size_t total;
    size_t available;  // bytes read so far
    int error;         // errno of a failed read, or -1 for a file shorter than expected
    pthread_mutex_t lock;
    pthread_cond_t more;
} file_reader;

static void *read_file(void *argument) {
    file_reader *reader = argument;
    size_t done = 0;
    int error = 0;
    while (done < reader->total) {
        size_t want = reader->total - done;
        if (want > (1u << 20)) want = 1u << 20;
        ssize_t n = read(reader->fd, reader->buffer + done, want);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? errno : -1;
            break;
        }
        done += (size_t)n;
        pthread_mutex_lock(&reader->lock);
        reader->available = done;
        pthread_cond_signal(&reader->more);
        pthread_mutex_unlock(&reader->lock);
    }
    pthread_mutex_lock(&reader->lock);
    reader->error = error;
    reader->available = done;
    pthread_cond_signal(&reader->more);
    pthread_mutex_unlock(&reader->lock);
    return NULL;
}

// Waits until at least `wanted` bytes are there (or the read failed); returns how many are.
static size_t wait_for(file_reader *reader, size_t wanted, int *error) {
    pthread_mutex_lock(&reader->lock);
    while (reader->available < wanted && reader->error == 0 && reader->available < reader->total) {
        pthread_cond_wait(&reader->more, &reader->lock);
    }
    size_t available = reader->available;
    *error = reader->error;
    pthread_mutex_unlock(&reader->lock);
    return available;
}

int emb_aead_open_file(int alg, const uint8_t key[32], const uint8_t nonce[12], int fd, uint8_t *buffer, size_t total,
                       size_t aad_len, int *read_error) {
    *read_error = 0;
    if (total < aad_len + 16) return -1;
    const EVP_CIPHER *cipher = aead_cipher(alg);
    if (cipher == NULL) return 0;
    file_reader reader = {.fd = fd, .buffer = buffer, .total = total};
    pthread_mutex_init(&reader.lock, NULL);
    pthread_cond_init(&reader.more, NULL);
    pthread_t thread;
    int threaded = pthread_create(&thread, NULL, read_file, &reader) == 0;
    if (!threaded) read_file(&reader);

    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ok = ctx != NULL
        && aead_begin(ctx, cipher, key, nonce, 0);
    int error = 0;
    size_t end = total - 16;  // the tag follows the ciphertext
    size_t decrypted = aad_len;
    if (ok && wait_for(&reader, aad_len, &error) >= aad_len) {
        ok = aead_aad(ctx, buffer, aad_len);
    } else {
        ok = 0;
    }
    while (ok && decrypted < end) {
        size_t available = wait_for(&reader, decrypted + 1, &error);
        if (available <= decrypted) {
            ok = 0;
            break;
        }
        size_t until = available < end ? available : end;
        ok = cipher_update(ctx, buffer + decrypted, buffer + decrypted, until - decrypted);
        decrypted = until;
    }
    if (ok && wait_for(&reader, total, &error) >= total) {
        ok = aead_verify(ctx, buffer + end);
    } else {
        ok = 0;
    }
    if (threaded) pthread_join(thread, NULL);
    if (ctx) EVP_CIPHER_CTX_free(ctx);
    pthread_mutex_destroy(&reader.lock);
    pthread_cond_destroy(&reader.more);
    if (!ok) OPENSSL_cleanse(buffer + aad_len, decrypted - aad_len);
    if (reader.error != 0 || reader.available < total) {
        *read_error = reader.error > 0 ? reader.error : 0;
        return -1;
    }
    return ok;
}

int emb_x25519_public(const uint8_t priv[32], uint8_t pub[32]) {
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    if (key == NULL) return 0;
    size_t len = 32;
    int ok = EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == 32;
    EVP_PKEY_free(key);
    return ok;
}

int emb_x25519(const uint8_t priv[32], const uint8_t peer[32], uint8_t shared[32]) {
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    EVP_PKEY *peer_key = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    size_t len = 32;
    int ok = key != NULL && peer_key != NULL && ctx != NULL
        && EVP_PKEY_derive_init(ctx) == 1
        && EVP_PKEY_derive_set_peer(ctx, peer_key) == 1
        && EVP_PKEY_derive(ctx, shared, &len) == 1
        && len == 32;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer_key);
    EVP_PKEY_free(key);
    return ok;
}

int emb_ed25519_public(const uint8_t seed[32], uint8_t pub[32]) {
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    if (key == NULL) return 0;
    size_t len = 32;
    int ok = EVP_PKEY_get_raw_public_key(key, pub, &len) == 1 && len == 32;
    EVP_PKEY_free(key);
    return ok;
}

int emb_ed25519_sign(const uint8_t seed[32], const uint8_t *msg, size_t len, uint8_t sig[64]) {
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t sig_len = 64;
    static const uint8_t empty = 0;
    int ok = key != NULL && ctx != NULL
        && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1
        && EVP_DigestSign(ctx, sig, &sig_len, len ? msg : &empty, len) == 1
        && sig_len == 64;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

int emb_ed25519_verify(const uint8_t pub[32], const uint8_t *msg, size_t len, const uint8_t sig[64]) {
    EVP_PKEY *key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    static const uint8_t empty = 0;
    int ok = key != NULL && ctx != NULL
        && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1
        && EVP_DigestVerify(ctx, sig, 64, len ? msg : &empty, len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}
