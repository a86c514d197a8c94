/*
 * echo-proto: the reference loadr's native test protocol, over the plain C ABI v1.
 * Reverses the request body and prepends `prefix` — from the request's `plugin:` options, else
 * from the plugin config; answers 200 OK with header `x-echo-proto: 1` and
 * extras {"prefix_applied": bool}. `"blocking": false`: it never waits, so loadr calls it inline.
 * Options `sleep_ms` (blocks the calling thread), `fail` (sets `error`) and `crash: 1` (segfaults)
 * exist for tests and the benchmark of blocking plugins. Dependency-free: a tiny JSON field scanner is enough here.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include "../../include/loadr_plugin.h"

/* -DECHO_PROTO_BLOCKING builds the same plugin as a blocking one (tests and the bench use it
 * with `sleep_ms` to measure the executor shim). */
#ifdef ECHO_PROTO_BLOCKING
#define ECHO_NAME "echo-proto-blocking"
#define ECHO_BLOCKING "true"
#else
#define ECHO_NAME "echo-proto"
#define ECHO_BLOCKING "false"
#endif
static const char INFO[] =
    "{\"name\":\"" ECHO_NAME "\",\"version\":\"0.1.0\",\"kind\":\"protocol\","
    "\"description\":\"Echo protocol (reversed body, optional prefix) over the loadr C ABI\","
    "\"schemes\":[\"" ECHO_NAME "\"],\"blocking\":" ECHO_BLOCKING "}";

static uint8_t *dup_buf(const char *s, size_t n, size_t *out_len) {
  uint8_t *p = malloc(n ? n : 1);
  if (!p) { *out_len = 0; return NULL; }
  memcpy(p, s, n);
  *out_len = n;
  return p;
}

LOADR_EXPORT uint32_t loadr_plugin_abi_version(void) { return LOADR_C_ABI_VERSION; }
LOADR_EXPORT uint8_t *loadr_plugin_info(size_t *out_len) { return dup_buf(INFO, sizeof INFO - 1, out_len); }
LOADR_EXPORT void loadr_plugin_free(uint8_t *p, size_t n) { (void)n; free(p); }

/* The object value of top-level-ish key `"key":{...}` in json[0..len), as [start, end). */
static int find_object(const char *j, size_t len, const char *key, const char **s, const char **e) {
  size_t kl = strlen(key);
  for (size_t i = 0; i + kl + 3 < len; i++) {
    if (j[i] == '"' && memcmp(j + i + 1, key, kl) == 0 && j[i + 1 + kl] == '"') {
      size_t k = i + kl + 2;
      while (k < len && (j[k] == ' ' || j[k] == ':')) k++;
      if (k >= len || j[k] != '{') continue;
      int depth = 0, in_str = 0;
      for (size_t m = k; m < len; m++) {
        char c = j[m];
        if (in_str) { if (c == '\\') m++; else if (c == '"') in_str = 0; continue; }
        if (c == '"') in_str = 1;
        else if (c == '{') depth++;
        else if (c == '}' && --depth == 0) { *s = j + k; *e = j + m + 1; return 1; }
      }
      return 0;
    }
  }
  return 0;
}

/* A string value `"key":"..."` inside [s, e) (no unescaping beyond \" and \\). Returns malloc'd text. */
static char *find_string(const char *s, const char *e, const char *key) {
  size_t kl = strlen(key);
  for (const char *p = s; p + kl + 3 < e; p++) {
    if (*p == '"' && memcmp(p + 1, key, kl) == 0 && p[1 + kl] == '"') {
      const char *q = p + kl + 2;
      while (q < e && (*q == ' ' || *q == ':')) q++;
      if (q >= e || *q != '"') return NULL;
      q++;
      char *out = malloc((size_t)(e - q) + 1);
      size_t n = 0;
      while (q < e && *q != '"') {
        if (*q == '\\' && q + 1 < e) q++;
        out[n++] = *q++;
      }
      out[n] = 0;
      return out;
    }
  }
  return NULL;
}

static double find_number(const char *s, const char *e, const char *key, double dflt) {
  size_t kl = strlen(key);
  for (const char *p = s; p + kl + 3 < e; p++) {
    if (*p == '"' && memcmp(p + 1, key, kl) == 0 && p[1 + kl] == '"') {
      const char *q = p + kl + 2;
      while (q < e && (*q == ' ' || *q == ':')) q++;
      return strtod(q, NULL);
    }
  }
  return dflt;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_decode(const char *in, size_t n, uint8_t *out) {
  int v[256];
  for (int i = 0; i < 256; i++) v[i] = -1;
  for (int i = 0; i < 64; i++) v[(unsigned char)B64[i]] = i;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    int d = v[(unsigned char)in[i]];
    if (d < 0) continue;
    acc = (acc << 6) | (uint32_t)d;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (uint8_t)(acc >> bits); }
  }
  return o;
}

static size_t b64_encode(const uint8_t *in, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t x = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    out[o++] = B64[x >> 18 & 63];
    out[o++] = B64[x >> 12 & 63];
    out[o++] = i + 1 < n ? B64[x >> 6 & 63] : '=';
    out[o++] = i + 2 < n ? B64[x & 63] : '=';
  }
  return o;
}

LOADR_EXPORT uint8_t *loadr_plugin_execute(const uint8_t *req, size_t len, size_t *out_len) {
  const char *j = (const char *)req, *end = j + len;
  const char *os = NULL, *oe = NULL, *cs = NULL, *ce = NULL;
  int has_opts = find_object(j, len, "options", &os, &oe);
  int has_cfg = find_object(j, len, "config", &cs, &ce);
  char *prefix = has_opts ? find_string(os, oe, "prefix") : NULL;
  if (!prefix && has_cfg) prefix = find_string(cs, ce, "prefix");
  double sleep_ms = has_opts ? find_number(os, oe, "sleep_ms", 0) : 0;
  char *fail = has_opts ? find_string(os, oe, "fail") : NULL;
  if (has_opts && find_number(os, oe, "crash", 0) != 0) {
    /* the crash-isolation test: a real segfault, as a buggy plugin would have */
    volatile int *null_ptr = NULL;
    *null_ptr = 1;
  }
  if (sleep_ms > 0) {
    struct timespec ts = {(time_t)(sleep_ms / 1000), (long)((sleep_ms - (time_t)(sleep_ms / 1000) * 1000) * 1e6)};
    nanosleep(&ts, NULL);
  }
  char *b64 = find_string(j, end, "body_b64");
  size_t blen = b64 ? strlen(b64) : 0;
  size_t plen = prefix ? strlen(prefix) : 0;
  uint8_t *body = malloc(plen + blen + 1);
  memcpy(body, prefix ? prefix : "", plen);
  uint8_t *raw = malloc(blen + 1);
  size_t rn = b64 ? b64_decode(b64, blen, raw) : 0;
  for (size_t i = 0; i < rn; i++) body[plen + i] = raw[rn - 1 - i];
  size_t bn = plen + rn;
  char *enc = malloc((bn + 2) / 3 * 4 + 1);
  size_t en = b64_encode(body, bn, enc);
  enc[en] = 0;
  size_t cap = en + (fail ? strlen(fail) : 0) + 256;
  char *out = malloc(cap);
  int n;
  if (fail)
    n = snprintf(out, cap, "{\"status\":0,\"status_text\":\"ERROR\",\"headers\":[],\"body_b64\":\"\",\"duration_ms\":%.3f,\"error\":\"%s\",\"extras\":null}", sleep_ms, fail);
  else
    n = snprintf(out, cap,
                 "{\"status\":200,\"status_text\":\"OK\",\"headers\":[[\"x-echo-proto\",\"1\"]],\"body_b64\":\"%s\","
                 "\"duration_ms\":%.3f,\"error\":null,\"extras\":{\"prefix_applied\":%s}}",
                 enc, sleep_ms, prefix ? "true" : "false");
  free(prefix); free(fail); free(b64); free(body); free(raw); free(enc);
  *out_len = (size_t)n;
  return (uint8_t *)out;
}
