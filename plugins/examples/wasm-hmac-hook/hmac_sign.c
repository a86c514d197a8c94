/*
 * hmac-sign: a request hook (on-request) that signs every request with HMAC-SHA256, as an API
 * gateway expecting signed requests wants them:
 *
 *   x-signature: hex(HMAC-SHA256(secret, "<METHOD>\n<url>\n<body>"))
 *
 * config:
 *   secret      the key (a string), or
 *   secret_env  the name of an environment variable holding it (needs the `env` grant:
 *               `capabilities: {env: [THAT_NAME]}`)
 *   header      the header to set (default "x-signature")
 * Without a key the request is answered with a synthetic 599 naming the problem (it is not sent).
 */
#define LP_ON_REQUEST
#include <stdio.h>
#include "loadr_wasm_hook.h"

const lp_info LP_INFO = { "hmac-sign", "0.1.0", "hook", "signs each request: x-signature = HMAC-SHA256(secret, method\\nurl\\nbody)" };

/* ---- SHA-256 (FIPS 180-4) ---- */
typedef struct { uint32_t h[8]; uint64_t len; uint8_t buf[64]; size_t used; } sha256;

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* The loops are unrolled: every loop turn of a plugin pays the host's deadline check (a fuel
   decrement), and a compression is 128 turns otherwise. */
static void sha256_block(sha256 *s, const uint8_t *p) {
  uint32_t w[64];
#pragma clang loop unroll(full)
  for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
#pragma clang loop unroll(full)
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
#pragma clang loop unroll(full)
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

static void sha256_init(sha256 *s) {
  static const uint32_t H0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
  memcpy(s->h, H0, sizeof H0);
  s->len = 0, s->used = 0;
}

static void sha256_update(sha256 *s, const void *data, size_t n) {
  const uint8_t *p = data;
  s->len += n;
  if (s->used) {
    size_t take = 64 - s->used < n ? 64 - s->used : n;
    memcpy(s->buf + s->used, p, take);
    s->used += take, p += take, n -= take;
    if (s->used < 64) return;
    sha256_block(s, s->buf);
    s->used = 0;
  }
  for (; n >= 64; p += 64, n -= 64) sha256_block(s, p);
  memcpy(s->buf, p, n);
  s->used = n;
}

static void sha256_final(sha256 *s, uint8_t out[32]) {
  uint64_t bits = s->len * 8;
  s->buf[s->used++] = 0x80;
  if (s->used > 56) {
    memset(s->buf + s->used, 0, 64 - s->used);
    sha256_block(s, s->buf);
    s->used = 0;
  }
  memset(s->buf + s->used, 0, 56 - s->used);
  for (int i = 0; i < 8; i++) s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
  sha256_block(s, s->buf);
  for (int i = 0; i < 8; i++) out[4 * i] = s->h[i] >> 24, out[4 * i + 1] = s->h[i] >> 16, out[4 * i + 2] = s->h[i] >> 8, out[4 * i + 3] = s->h[i];
}

/* ---- HMAC (RFC 2104), the key's pads computed once per key ---- */
static sha256 inner0, outer0; /* the hash states after the key's ipad / opad block */
static char *header;
static char *problem; /* why there is no key: the synthetic answer's body */
static int configured;

static char *config_string(const char *key) {
  size_t n = 0;
  char *raw = lp_config(key, &n);
  if (!raw) return NULL;
  char *out;
  size_t len;
  if (!lp_json_string(raw, raw + n, &out, &len)) out = NULL;
  free(raw);
  return out;
}

static void configure(void) {
  configured = 1;
  header = config_string("header");
  if (!header) header = lp_dup("x-signature", 11);
  char *secret = config_string("secret");
  if (!secret) {
    char *name = config_string("secret_env");
    if (name) {
      /* needs the env grant for `name`: without it the plugin's environment is empty */
      const char *v = getenv(name);
      if (v) secret = lp_dup(v, strlen(v));
      else {
        size_t n = strlen(name) + 64;
        problem = malloc(n);
        snprintf(problem, n, "hmac-sign: environment variable %s is not set (or not granted)", name);
      }
      free(name);
    } else problem = lp_dup("hmac-sign: set config.secret or config.secret_env", 49);
  }
  if (!secret) return;
  uint8_t key[64] = { 0 };
  size_t kl = strlen(secret);
  if (kl > 64) {
    sha256 k;
    sha256_init(&k);
    sha256_update(&k, secret, kl);
    sha256_final(&k, key);
  } else memcpy(key, secret, kl);
  free(secret);
  uint8_t pad[64];
  for (int i = 0; i < 64; i++) pad[i] = key[i] ^ 0x36;
  sha256_init(&inner0);
  sha256_update(&inner0, pad, 64);
  for (int i = 0; i < 64; i++) pad[i] = key[i] ^ 0x5c;
  sha256_init(&outer0);
  sha256_update(&outer0, pad, 64);
}

void lp_on_request(const lp_request *req, lp_request_action *a) {
  if (!configured) configure();
  if (problem) {
    lp_respond(a, 599, problem, strlen(problem));
    return;
  }
  sha256 s = inner0;
  uint8_t digest[32];
  sha256_update(&s, req->method.ptr, req->method.len);
  sha256_update(&s, "\n", 1);
  sha256_update(&s, req->url.ptr, req->url.len);
  sha256_update(&s, "\n", 1);
  sha256_update(&s, req->body.ptr, req->body.len);
  sha256_final(&s, digest);
  s = outer0;
  sha256_update(&s, digest, 32);
  sha256_final(&s, digest);
  static const char hex[] = "0123456789abcdef";
  char sig[64];
  for (int i = 0; i < 32; i++) sig[2 * i] = hex[digest[i] >> 4], sig[2 * i + 1] = hex[digest[i] & 15];
  lp_change_header(a, header, sig, 64);
}
