/*
 * Hand-written canonical-ABI glue for loadr WASM plugins in C (wit/loadr.wit,
 * package loadr:plugin@0.1.0; with LP_WIT_VERSION "0.2.0" defined first, the same
 * exports of wit/0.2/loadr.wit — loadr_wasm_hook.h does that). A C plugin includes
 * this header, defines the plugin functions below and is linked into a core module
 * that build-component.sh wraps as a component.
 *
 * The canonical ABI, as wit-component names it:
 *   cabi_realloc(old, old_size, align, new_size)             host allocates arguments here
 *   loadr:plugin/meta@0.1.0#describe() -> ret                 ret: 4 strings (ptr,len) = 32 bytes
 *   loadr:plugin/extractor@0.1.0#extract(body, hdrs, cfg)     6 x i32 -> ret {u8 tag @0, ptr @4, len @8}
 *   loadr:plugin/assertion@0.1.0#check(status i64, body, hdrs, f64 ms, cfg) -> ret {u8 pass @0, ptr @4, len @8}
 *   cabi_post_<export>(ret)                                   frees what the export returned
 * The callee owns (and frees) its arguments; results are freed in post-return.
 */
#ifndef LOADR_WASM_PLUGIN_H
#define LOADR_WASM_PLUGIN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *ptr; size_t len; } lp_str;
typedef struct { lp_str name; lp_str value; } lp_header;
typedef struct { const uint8_t *body; size_t body_len; const lp_header *headers; size_t header_count; lp_str config; } lp_input;

/* ---- what a plugin defines ---- */
typedef struct { const char *name, *version, *kind, *description; } lp_info;
extern const lp_info LP_INFO;
#ifdef LP_EXTRACTOR
/* returns a malloc'd string (ownership passes to the glue) and sets *out_len, or NULL for `none` */
char *lp_extract(const lp_input *in, size_t *out_len);
#endif
#ifdef LP_ASSERTION
/* sets *detail to a malloc'd string and *detail_len; returns pass */
int lp_check(int64_t status, const lp_input *in, double duration_ms, char **detail, size_t *detail_len);
#endif

/* ---- canonical ABI glue ---- */
#define LP_EXPORT(name) __attribute__((export_name(name)))
#ifndef LP_WIT_VERSION
#define LP_WIT_VERSION "0.1.0"
#endif
/* an export's core name: "loadr:plugin/<interface>@<version>#<function>" */
#define LP_EXPORT_NAME(iface, fn) "loadr:plugin/" iface "@" LP_WIT_VERSION "#" fn

/*
 * The host lowers every call's arguments through cabi_realloc — one allocation for the body, the
 * header list and each header name and value — and the callee frees them all when the call
 * ends. A malloc and a free each, a dozen times per call, cost more than a small plugin's own
 * work, so arguments go into an arena: a bump pointer over one block that lp_free_input empties
 * in one step. An argument that does not fit is malloc'd (and freed) as before, and the arena
 * grows to the largest call seen, up to LP_ARENA_MAX, so the next call of that size fits.
 */
#define LP_ARENA_MAX (1u << 20)
static uint8_t *lp_arena;
static size_t lp_arena_cap, lp_arena_used, lp_arena_want;

static int lp_in_arena(const void *p) {
  return lp_arena && (const uint8_t *)p >= lp_arena && (const uint8_t *)p < lp_arena + lp_arena_cap;
}

LP_EXPORT("cabi_realloc")
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (new_size == 0) return (void *)align;
  size_t at = (lp_arena_used + align - 1) & ~(align - 1);
  lp_arena_want = at + new_size > lp_arena_want ? at + new_size : lp_arena_want;
  void *p;
  if (at + new_size <= lp_arena_cap) {
    p = lp_arena + at;
    lp_arena_used = at + new_size;
    if (old) memcpy(p, old, old_size < new_size ? old_size : new_size);
    if (old && !lp_in_arena(old)) free(old);
    return p;
  }
  /* malloc aligns to 16, more than any WIT type needs */
  if (old && lp_in_arena(old)) {
    p = malloc(new_size);
    if (p) memcpy(p, old, old_size < new_size ? old_size : new_size);
  } else p = realloc(old, new_size);
  if (!p) __builtin_trap(); /* out of memory: trap rather than hand the host a NULL */
  return p;
}

/* The call's arguments are done with: empty the arena, and grow it if this call overflowed it. */
static void lp_arena_reset(void) {
  if (lp_arena_want > lp_arena_cap && lp_arena_want <= LP_ARENA_MAX) {
    size_t cap = 256;
    while (cap < lp_arena_want) cap *= 2;
    uint8_t *a = malloc(cap);
    if (a) {
      free(lp_arena);
      lp_arena = a;
      lp_arena_cap = cap;
    }
  }
  lp_arena_used = 0;
  lp_arena_want = 0;
}

static uint8_t lp_ret[32] __attribute__((aligned(8)));

static void lp_put_str(uint8_t *at, const char *s, size_t len) {
  uint32_t p = (uint32_t)(uintptr_t)s, l = (uint32_t)len;
  memcpy(at, &p, 4);
  memcpy(at + 4, &l, 4);
}

LP_EXPORT(LP_EXPORT_NAME("meta", "describe"))
uint8_t *lp_describe(void) {
  lp_put_str(lp_ret + 0, LP_INFO.name, strlen(LP_INFO.name));
  lp_put_str(lp_ret + 8, LP_INFO.version, strlen(LP_INFO.version));
  lp_put_str(lp_ret + 16, LP_INFO.kind, strlen(LP_INFO.kind));
  lp_put_str(lp_ret + 24, LP_INFO.description, strlen(LP_INFO.description));
  return lp_ret; /* static strings: nothing to free */
}

/* zero-length lists/strings may arrive as a dangling aligned pointer, arguments in the arena are
   freed with it: free only the rest */
static void lp_free(const void *p, size_t len) {
  if (len && !lp_in_arena(p)) free((void *)p);
}

static void lp_free_input(lp_input *in) {
  for (size_t i = 0; i < in->header_count; i++) {
    lp_free(in->headers[i].name.ptr, in->headers[i].name.len);
    lp_free(in->headers[i].value.ptr, in->headers[i].value.len);
  }
  lp_free(in->headers, in->header_count);
  lp_free(in->body, in->body_len);
  lp_free(in->config.ptr, in->config.len);
  lp_arena_reset();
}

static lp_input lp_input_of(uint8_t *body, size_t body_len, lp_header *hdrs, size_t hdr_len, char *cfg, size_t cfg_len) {
  lp_input in = { body, body_len, hdrs, hdr_len, { cfg, cfg_len } };
  return in;
}

#ifdef LP_EXTRACTOR
LP_EXPORT(LP_EXPORT_NAME("extractor", "extract"))
uint8_t *lp_extract_export(uint8_t *body, size_t body_len, lp_header *hdrs, size_t hdr_len, char *cfg, size_t cfg_len) {
  lp_input in = lp_input_of(body, body_len, hdrs, hdr_len, cfg, cfg_len);
  size_t n = 0;
  char *out = lp_extract(&in, &n);
  lp_free_input(&in);
  if (out && n == 0) { free(out); out = (char *)1; } /* empty string: nothing to free later */
  memset(lp_ret, 0, 12);
  if (out) {
    lp_ret[0] = 1;
    lp_put_str(lp_ret + 4, out, n);
  }
  return lp_ret;
}

LP_EXPORT("cabi_post_" LP_EXPORT_NAME("extractor", "extract"))
void lp_extract_post(uint8_t *ret) {
  if (ret[0]) {
    uint32_t p, l;
    memcpy(&p, ret + 4, 4);
    memcpy(&l, ret + 8, 4);
    lp_free((void *)(uintptr_t)p, l);
  }
}
#endif

#ifdef LP_ASSERTION
LP_EXPORT(LP_EXPORT_NAME("assertion", "check"))
uint8_t *lp_check_export(int64_t status, uint8_t *body, size_t body_len, lp_header *hdrs, size_t hdr_len,
                         double duration_ms, char *cfg, size_t cfg_len) {
  lp_input in = lp_input_of(body, body_len, hdrs, hdr_len, cfg, cfg_len);
  char *detail = NULL;
  size_t n = 0;
  int pass = lp_check(status, &in, duration_ms, &detail, &n);
  lp_free_input(&in);
  if (detail && n == 0) { free(detail); detail = NULL; }
  memset(lp_ret, 0, 12);
  lp_ret[0] = pass ? 1 : 0;
  lp_put_str(lp_ret + 4, detail, detail ? n : 0);
  return lp_ret;
}

LP_EXPORT("cabi_post_" LP_EXPORT_NAME("assertion", "check"))
void lp_check_post(uint8_t *ret) {
  uint32_t p, l;
  memcpy(&p, ret + 4, 4);
  memcpy(&l, ret + 8, 4);
  lp_free((void *)(uintptr_t)p, l);
}
#endif

/* ---- helpers ---- */

/* Are n bytes at a and b equal? Eight bytes a step: wasi-libc's memcmp goes byte by byte, and each
   loop iteration of a plugin pays the host's deadline instrumentation (a fuel decrement). */
static inline int lp_equal(const void *a, const void *b, size_t n) {
  const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
  for (; n >= 8; n -= 8, x += 8, y += 8) {
    uint64_t u, v;
    memcpy(&u, x, 8);
    memcpy(&v, y, 8);
    if (u != v) return 0;
  }
  for (; n; n--, x++, y++)
    if (*x != *y) return 0;
  return 1;
}

/* ---- a minimal reader for the flat JSON config object loadr passes ---- */

static const char *lp_skip_ws(const char *p, const char *end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
  return p;
}

/* Parses a JSON string at p (on the opening quote) into a malloc'd buffer; returns the end or NULL. */
static const char *lp_json_string(const char *p, const char *end, char **out, size_t *out_len) {
  if (p >= end || *p != '"') return NULL;
  p++;
  char *buf = malloc((size_t)(end - p) + 1);
  size_t n = 0;
  while (p < end && *p != '"') {
    char c = *p++;
    if (c == '\\') {
      if (p >= end) break;
      char e = *p++;
      switch (e) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'r': c = '\r'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'u': {
          unsigned v = 0;
          for (int i = 0; i < 4 && p < end; i++, p++) {
            char h = *p;
            v = v * 16 + (unsigned)(h >= 'a' ? h - 'a' + 10 : h >= 'A' ? h - 'A' + 10 : h - '0');
          }
          if (v < 0x80) buf[n++] = (char)v;
          else if (v < 0x800) { buf[n++] = (char)(0xC0 | (v >> 6)); buf[n++] = (char)(0x80 | (v & 0x3F)); }
          else { buf[n++] = (char)(0xE0 | (v >> 12)); buf[n++] = (char)(0x80 | ((v >> 6) & 0x3F)); buf[n++] = (char)(0x80 | (v & 0x3F)); }
          continue;
        }
        default: c = e; /* \" \\ \/ */
      }
    }
    buf[n++] = c;
  }
  if (p >= end) { free(buf); return NULL; }
  buf[n] = 0;
  *out = buf;
  *out_len = n;
  return p + 1;
}

/* Skips any JSON value (string, number, literal, nested object/array); returns the end or NULL. */
static const char *lp_json_skip(const char *p, const char *end) {
  p = lp_skip_ws(p, end);
  if (p >= end) return NULL;
  if (*p == '"') {
    for (p++; p < end && *p != '"'; p++) if (*p == '\\') p++;
    return p < end ? p + 1 : NULL;
  }
  if (*p == '{' || *p == '[') {
    int depth = 0;
    for (; p < end; p++) {
      if (*p == '"') { p = lp_json_skip(p, end); if (!p) return NULL; p--; continue; }
      if (*p == '{' || *p == '[') depth++;
      else if (*p == '}' || *p == ']') { if (--depth == 0) return p + 1; }
    }
    return NULL;
  }
  while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n') p++;
  return p;
}

/* Finds top-level `key` in the config object; *val points at its raw value. 1 found, 0 absent, -1 not a JSON object. */
static int lp_json_find(lp_str cfg, const char *key, const char **val) {
  const char *p = cfg.ptr, *end = cfg.ptr + cfg.len;
  p = lp_skip_ws(p, end);
  if (p >= end || *p != '{') return -1;
  p = lp_skip_ws(p + 1, end);
  if (p < end && *p == '}') return 0;
  while (p < end) {
    char *k; size_t kl;
    p = lp_json_string(p, end, &k, &kl);
    if (!p) return -1;
    p = lp_skip_ws(p, end);
    if (p >= end || *p != ':') { free(k); return -1; }
    p = lp_skip_ws(p + 1, end);
    int hit = strcmp(k, key) == 0;
    free(k);
    if (hit) { *val = p; return 1; }
    p = lp_json_skip(p, end);
    if (!p) return -1;
    p = lp_skip_ws(p, end);
    if (p < end && *p == ',') { p = lp_skip_ws(p + 1, end); continue; }
    return (p < end && *p == '}') ? 0 : -1;
  }
  return -1;
}

/* The string value of `key` (malloc'd) or NULL when absent / not a string / bad JSON. */
static char *lp_config_string(lp_str cfg, const char *key, size_t *len) {
  const char *v;
  if (lp_json_find(cfg, key, &v) != 1) return NULL;
  char *out;
  if (!lp_json_string(v, cfg.ptr + cfg.len, &out, len)) return NULL;
  return out;
}

#endif
