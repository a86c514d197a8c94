/*
 * The host interface of wit/0.2/loadr.wit (`loadr:plugin/host@0.2.0`) for C plugins: the
 * imports as the canonical ABI lowers them, and small wrappers. Included by loadr_wasm_hook.h;
 * a 0.2 extractor or assertion defines LP_WIT_VERSION "0.2.0" and includes it after
 * loadr_wasm_plugin.h.
 *
 * Import results that are strings or lists are allocated by the host through cabi_realloc, i.e.
 * in the glue's argument arena while an export runs: they live until that export returns. The
 * wrappers below hand back malloc'd copies (the caller frees them), so nothing dangles.
 *
 * Core signatures (wit-component's lowering; results wider than one value go to a return area
 * the caller passes last):
 *   log(level i32, msg ptr, len)
 *   config(key ptr, len, ret)                       ret: {u8 some @0, ptr @4, len @8}
 *   counter-add / trend-add / gauge-set(name ptr, len, f64, tags ptr, count)
 *   rate-add(name ptr, len, i32 pass, tags ptr, count)
 *   shared-get(key ptr, len, ret)                   ret: {u8 some @0, value ptr @8, len @12, u64 version @16}
 *   shared-set(key ptr, len, value ptr, len, ret)   ret: {u8 err @0, u64 version @8 | {u8 case @8, u64 current @16}}
 *   shared-compare-and-swap(key, value, i64 version, ret)
 *   vu(ret)                                         ret: {u8 some @0, u32 vu @8, u64 iteration @16, scenario ptr @24, len @28}
 *   var-get(name ptr, len, ret)                     ret: as config
 *   var-set(name ptr, len, value ptr, len)
 */
#ifndef LOADR_WASM_HOST_H
#define LOADR_WASM_HOST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LP_HOST_IMPORT(fn) __attribute__((import_module("loadr:plugin/host@0.2.0"), import_name(fn)))

LP_HOST_IMPORT("log") extern void lp__log(int32_t, const char *, size_t);
LP_HOST_IMPORT("config") extern void lp__config(const char *, size_t, uint8_t *);
LP_HOST_IMPORT("counter-add") extern void lp__counter_add(const char *, size_t, double, const lp_header *, size_t);
LP_HOST_IMPORT("trend-add") extern void lp__trend_add(const char *, size_t, double, const lp_header *, size_t);
LP_HOST_IMPORT("rate-add") extern void lp__rate_add(const char *, size_t, int32_t, const lp_header *, size_t);
LP_HOST_IMPORT("gauge-set") extern void lp__gauge_set(const char *, size_t, double, const lp_header *, size_t);
LP_HOST_IMPORT("shared-get") extern void lp__shared_get(const char *, size_t, uint8_t *);
LP_HOST_IMPORT("shared-set") extern void lp__shared_set(const char *, size_t, const uint8_t *, size_t, uint8_t *);
LP_HOST_IMPORT("shared-compare-and-swap") extern void lp__shared_cas(const char *, size_t, const uint8_t *, size_t, int64_t, uint8_t *);
LP_HOST_IMPORT("vu") extern void lp__vu(uint8_t *);
LP_HOST_IMPORT("var-get") extern void lp__var_get(const char *, size_t, uint8_t *);
LP_HOST_IMPORT("var-set") extern void lp__var_set(const char *, size_t, const char *, size_t);

enum { LP_LOG_DEBUG = 0, LP_LOG_INFO = 1, LP_LOG_WARN = 2, LP_LOG_ERROR = 3 };

static inline uint32_t lp_u32_at(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t lp_u64_at(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* A malloc'd, NUL-terminated copy of n bytes at p. */
static char *lp_dup(const void *p, size_t n) {
  char *out = malloc(n + 1);
  if (!out) __builtin_trap(); /* out of memory: trap rather than write through NULL */
  if (n) memcpy(out, p, n);
  out[n] = 0;
  return out;
}

/* The same, for a host allocation: then freed (unless it is in the arena, which frees itself). */
static char *lp_take(const void *p, size_t n) {
  char *out = lp_dup(p, n);
  lp_free(p, n);
  return out;
}

static inline void lp_log(int level, const char *msg) { lp__log(level, msg, strlen(msg)); }

/* Reads an option<string> return area into a malloc'd copy, or NULL for none. */
static char *lp_opt_string(const uint8_t *ret, size_t *len) {
  if (!ret[0]) return NULL;
  size_t n = lp_u32_at(ret + 8);
  if (len) *len = n;
  return lp_take((const void *)(uintptr_t)lp_u32_at(ret + 4), n);
}

/* The config value of `key` as JSON text (malloc'd), or NULL when absent. */
static char *lp_config(const char *key, size_t *len) {
  uint8_t ret[12] __attribute__((aligned(4)));
  lp__config(key, strlen(key), ret);
  return lp_opt_string(ret, len);
}

/* Metrics; tags: pairs of (name, value) C strings, `count` pairs. */
typedef struct { const char *name, *value; } lp_tag;
static size_t lp_tags_of(const lp_tag *tags, size_t count, lp_header *out) {
  for (size_t i = 0; i < count; i++) {
    out[i].name.ptr = tags[i].name, out[i].name.len = strlen(tags[i].name);
    out[i].value.ptr = tags[i].value, out[i].value.len = strlen(tags[i].value);
  }
  return count;
}
#define LP_METRIC(fn, imp, T)                                                        \
  static inline void fn(const char *name, T value, const lp_tag *tags, size_t count) { \
    lp_header h[count ? count : 1];                                                  \
    imp(name, strlen(name), value, h, lp_tags_of(tags, count, h));                  \
  }
LP_METRIC(lp_counter_add, lp__counter_add, double)
LP_METRIC(lp_trend_add, lp__trend_add, double)
LP_METRIC(lp_gauge_set, lp__gauge_set, double)
LP_METRIC(lp_rate_add, lp__rate_add, int32_t)

/* Shared data. A get: the value (malloc'd, *len set) and its version, or NULL when absent. */
static uint8_t *lp_shared_get(const char *key, size_t *len, uint64_t *version) {
  uint8_t ret[24] __attribute__((aligned(8)));
  lp__shared_get(key, strlen(key), ret);
  if (!ret[0]) {
    if (version) *version = 0;
    return NULL;
  }
  size_t n = lp_u32_at(ret + 12);
  if (len) *len = n;
  if (version) *version = lp_u64_at(ret + 16);
  return (uint8_t *)lp_take((const void *)(uintptr_t)lp_u32_at(ret + 8), n);
}

/* A set or compare-and-swap: the new version (> 0), or 0 with *error set
   (LP_TOO_LARGE, LP_FULL, LP_CONFLICT: *current = the key's version). */
enum { LP_TOO_LARGE = 0, LP_FULL = 1, LP_CONFLICT = 2 };
static uint64_t lp_shared_result(const uint8_t *ret, int *error, uint64_t *current) {
  if (!ret[0]) return lp_u64_at(ret + 8);
  if (error) *error = ret[8];
  if (current) *current = ret[8] == LP_CONFLICT ? lp_u64_at(ret + 16) : 0;
  return 0;
}
static uint64_t lp_shared_set(const char *key, const void *value, size_t len, int *error) {
  uint8_t ret[24] __attribute__((aligned(8)));
  lp__shared_set(key, strlen(key), value, len, ret);
  return lp_shared_result(ret, error, NULL);
}
static uint64_t lp_shared_cas(const char *key, const void *value, size_t len, uint64_t version, int *error, uint64_t *current) {
  uint8_t ret[24] __attribute__((aligned(8)));
  lp__shared_cas(key, strlen(key), value, len, (int64_t)version, ret);
  return lp_shared_result(ret, error, current);
}

/* The VU of the current call: 1 and its fields (scenario malloc'd), or 0 outside a VU's call. */
typedef struct { uint32_t vu; uint64_t iteration; char *scenario; } lp_vu_context;
static int lp_vu(lp_vu_context *out) {
  uint8_t ret[32] __attribute__((aligned(8)));
  lp__vu(ret);
  if (!ret[0]) return 0;
  out->vu = lp_u32_at(ret + 8);
  out->iteration = lp_u64_at(ret + 16);
  out->scenario = lp_take((const void *)(uintptr_t)lp_u32_at(ret + 24), lp_u32_at(ret + 28));
  return 1;
}

static char *lp_var_get(const char *name, size_t *len) {
  uint8_t ret[12] __attribute__((aligned(4)));
  lp__var_get(name, strlen(name), ret);
  return lp_opt_string(ret, len);
}
static inline void lp_var_set(const char *name, const char *value, size_t len) { lp__var_set(name, strlen(name), value, len); }

#endif
