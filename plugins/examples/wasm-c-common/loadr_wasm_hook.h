/*
 * Canonical-ABI glue for loadr request hooks in C (wit/0.2/loadr.wit, package
 * loadr:plugin@0.2.0, worlds `hook`, `request-hook-plugin`, `response-hook-plugin`,
 * `log-hook-plugin`). A hook defines LP_INFO (kind "hook") and any of:
 *
 *   #define LP_ON_REQUEST   void lp_on_request(const lp_request *req, lp_request_action *act);
 *   #define LP_ON_RESPONSE  void lp_on_response(const lp_request *req, const lp_response *res, lp_response_action *act);
 *   #define LP_ON_LOG       void lp_on_log(const lp_exchange *x);
 *
 * before including this header, and builds for the world that exports those phases
 * (build-component.sh with LP_WIT=wit/0.2/loadr.wit). The action starts as "proceed" / "no
 * change"; the lp_change_* / lp_respond* / lp_fail / lp_set_var helpers fill it with copies, so
 * a hook may pass any pointer, and the glue frees them after loadr has read the result. Pointers
 * into the arguments (and results of host calls) are valid until the hook returns.
 *
 * Core signatures (wit-component's lowering):
 *   on-request(name, protocol, method, url, headers, body: 6 x (ptr,len)) -> ret
 *       ret: {u8 case @0 (0 proceed, 1 change, 2 respond), payload @4}
 *       change:  method option<string> @4, url option<string> @16, set-headers @28, remove-headers @36, body option<list> @44
 *       respond: u16 status @4, headers @8, body @16
 *   on-response(args ptr) -> ret      args: request (6 x (ptr,len)) @0, response @48:
 *       u16 status @48, headers @52, body @60, f64 duration-ms @72, option<string> error @80, bool synthetic @92
 *       ret: option<string> fail @0, set-vars list<tuple<string,string>> @12
 *   on-log(args ptr)                  exchange: name @0, protocol @8, method @16, url @24, u16 status @32,
 *       f64 duration-ms @40, f64 waiting-ms @48, u64 bytes-sent @56, u64 bytes-received @64, bool failed @72,
 *       option<string> error @76, bool synthetic @88
 * Arguments spilled to memory (on-response, on-log) are one more cabi_realloc allocation the
 * callee owns, like every string and list in them: all of it is in the arena, emptied at return.
 */
#ifndef LOADR_WASM_HOOK_H
#define LOADR_WASM_HOOK_H

#define LP_WIT_VERSION "0.2.0"
#include "loadr_wasm_plugin.h"
#include "loadr_wasm_host.h"

typedef struct { const uint8_t *ptr; size_t len; } lp_bytes;
typedef struct {
  lp_str name, protocol, method, url;
  const lp_header *headers;
  size_t header_count;
  lp_bytes body;
} lp_request;
typedef struct {
  uint16_t status;
  const lp_header *headers;
  size_t header_count;
  lp_bytes body;
  double duration_ms;
  int has_error;
  lp_str error;
  int synthetic;
} lp_response;
typedef struct {
  lp_str name, protocol, method, url;
  uint16_t status;
  double duration_ms, waiting_ms;
  uint64_t bytes_sent, bytes_received;
  int failed, has_error;
  lp_str error;
  int synthetic;
} lp_exchange;

/* A growing list of (name, value) pairs, every string malloc'd. */
typedef struct { lp_header *items; size_t count, cap; } lp_pairs;

static void lp_pairs_add(lp_pairs *l, const char *name, size_t nl, const char *value, size_t vl) {
  if (l->count == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 4;
    l->items = realloc(l->items, l->cap * sizeof *l->items);
    if (!l->items) __builtin_trap();
  }
  lp_header *h = &l->items[l->count++];
  h->name.ptr = lp_dup(name, nl), h->name.len = nl;
  h->value.ptr = value ? lp_dup(value, vl) : NULL, h->value.len = vl;
}

static void lp_pairs_free(lp_pairs *l) {
  for (size_t i = 0; i < l->count; i++) {
    free((void *)l->items[i].name.ptr);
    free((void *)l->items[i].value.ptr);
  }
  free(l->items);
  l->items = NULL;
  l->count = l->cap = 0;
}

/* ---- on-request ---- */
enum { LP_PROCEED = 0, LP_CHANGE = 1, LP_RESPOND = 2 };
typedef struct {
  int action;
  /* change: NULL ptr = unchanged */
  lp_str method, url;
  lp_pairs set_headers, remove_headers; /* remove: names only */
  int has_body;
  lp_bytes body;
  /* respond */
  uint16_t status;
  lp_pairs respond_headers;
} lp_request_action;

static inline void lp_change_method(lp_request_action *a, const char *m) {
  a->action = LP_CHANGE;
  free((void *)a->method.ptr);
  a->method.len = strlen(m), a->method.ptr = lp_dup(m, a->method.len);
}
static inline void lp_change_url(lp_request_action *a, const char *u, size_t len) {
  a->action = LP_CHANGE;
  free((void *)a->url.ptr);
  a->url.len = len, a->url.ptr = lp_dup(u, len);
}
static inline void lp_change_header(lp_request_action *a, const char *name, const char *value, size_t len) {
  a->action = LP_CHANGE;
  lp_pairs_add(&a->set_headers, name, strlen(name), value, len);
}
static inline void lp_remove_header(lp_request_action *a, const char *name) {
  a->action = LP_CHANGE;
  lp_pairs_add(&a->remove_headers, name, strlen(name), NULL, 0);
}
static inline void lp_change_body(lp_request_action *a, const void *body, size_t len) {
  a->action = LP_CHANGE;
  free((void *)a->body.ptr);
  a->has_body = 1, a->body.len = len, a->body.ptr = (const uint8_t *)lp_dup(body, len);
}
/* Answer instead of sending (the request is not sent; its samples are tagged synthetic). */
static inline void lp_respond(lp_request_action *a, uint16_t status, const void *body, size_t len) {
  a->action = LP_RESPOND;
  a->status = status;
  free((void *)a->body.ptr);
  a->body.len = len, a->body.ptr = (const uint8_t *)lp_dup(body, len);
}
static inline void lp_respond_header(lp_request_action *a, const char *name, const char *value) {
  lp_pairs_add(&a->respond_headers, name, strlen(name), value, strlen(value));
}

/* ---- on-response ---- */
typedef struct {
  lp_str fail; /* NULL ptr: not failed */
  lp_pairs set_vars;
} lp_response_action;

static inline void lp_fail(lp_response_action *a, const char *reason) {
  free((void *)a->fail.ptr);
  a->fail.len = strlen(reason), a->fail.ptr = lp_dup(reason, a->fail.len);
}
static inline void lp_set_var(lp_response_action *a, const char *name, const char *value, size_t len) {
  lp_pairs_add(&a->set_vars, name, strlen(name), value, len);
}

/* ---- the exports ---- */
static uint8_t lp_hook_ret[56] __attribute__((aligned(8)));

static void lp_put_opt(uint8_t *at, const void *p, size_t len) {
  at[0] = p != NULL;
  lp_put_str(at + 4, p, p ? len : 0);
}
static void lp_put_list(uint8_t *at, const void *p, size_t count) {
  uint32_t ptr = (uint32_t)(uintptr_t)p, n = (uint32_t)count;
  memcpy(at, &ptr, 4);
  memcpy(at + 4, &n, 4);
}
static lp_str lp_str_at(const uint8_t *p) {
  lp_str s = { (const char *)(uintptr_t)lp_u32_at(p), lp_u32_at(p + 4) };
  return s;
}

/* Freeing the arguments loadr passed (each one its own allocation; those in the arena go with it). */
static void lp_free_headers(const lp_header *h, size_t n) {
  for (size_t i = 0; i < n; i++) lp_free(h[i].name.ptr, h[i].name.len), lp_free(h[i].value.ptr, h[i].value.len);
  lp_free(h, n);
}
static void lp_free_request(const lp_request *r) {
  lp_free(r->name.ptr, r->name.len), lp_free(r->protocol.ptr, r->protocol.len);
  lp_free(r->method.ptr, r->method.len), lp_free(r->url.ptr, r->url.len);
  lp_free_headers(r->headers, r->header_count);
  lp_free(r->body.ptr, r->body.len);
}

#ifdef LP_ON_REQUEST
void lp_on_request(const lp_request *req, lp_request_action *act);
static lp_request_action lp_req_act;

LP_EXPORT(LP_EXPORT_NAME("request-hook", "on-request"))
uint8_t *lp_on_request_export(char *np, size_t nl, char *pp, size_t pl, char *mp, size_t ml, char *up, size_t ul,
                              lp_header *hp, size_t hl, uint8_t *bp, size_t bl) {
  lp_request req = { { np, nl }, { pp, pl }, { mp, ml }, { up, ul }, hp, hl, { bp, bl } };
  lp_request_action *a = &lp_req_act;
  memset(a, 0, sizeof *a);
  lp_on_request(&req, a);
  lp_free_request(&req);
  lp_arena_reset();
  memset(lp_hook_ret, 0, sizeof lp_hook_ret);
  lp_hook_ret[0] = (uint8_t)a->action;
  if (a->action == LP_CHANGE) {
    lp_put_opt(lp_hook_ret + 4, a->method.ptr, a->method.len);
    lp_put_opt(lp_hook_ret + 16, a->url.ptr, a->url.len);
    lp_put_list(lp_hook_ret + 28, a->set_headers.items, a->set_headers.count);
    /* remove-headers is a list<string>: pack the names into the pair array's first halves */
    for (size_t i = 0; i < a->remove_headers.count; i++) ((lp_str *)a->remove_headers.items)[i] = a->remove_headers.items[i].name;
    lp_put_list(lp_hook_ret + 36, a->remove_headers.items, a->remove_headers.count);
    lp_put_opt(lp_hook_ret + 44, a->has_body ? (a->body.ptr ? (const void *)a->body.ptr : (const void *)1) : NULL, a->body.len);
  } else if (a->action == LP_RESPOND) {
    memcpy(lp_hook_ret + 4, &a->status, 2);
    lp_put_list(lp_hook_ret + 8, a->respond_headers.items, a->respond_headers.count);
    lp_put_list(lp_hook_ret + 16, a->body.ptr ? (const void *)a->body.ptr : (const void *)1, a->body.len);
  }
  return lp_hook_ret;
}

LP_EXPORT("cabi_post_" LP_EXPORT_NAME("request-hook", "on-request"))
void lp_on_request_post(uint8_t *ret) {
  (void)ret;
  lp_request_action *a = &lp_req_act;
  free((void *)a->method.ptr);
  free((void *)a->url.ptr);
  free((void *)a->body.ptr);
  /* remove-headers' names were moved to the front of the array: free them as strings */
  for (size_t i = 0; i < a->remove_headers.count; i++) free((void *)((lp_str *)a->remove_headers.items)[i].ptr);
  free(a->remove_headers.items);
  lp_pairs_free(&a->set_headers);
  lp_pairs_free(&a->respond_headers);
  memset(a, 0, sizeof *a);
}
#endif

static lp_request lp_request_at(const uint8_t *p) {
  lp_request r = { lp_str_at(p), lp_str_at(p + 8), lp_str_at(p + 16), lp_str_at(p + 24),
                   (const lp_header *)(uintptr_t)lp_u32_at(p + 32), lp_u32_at(p + 36),
                   { (const uint8_t *)(uintptr_t)lp_u32_at(p + 40), lp_u32_at(p + 44) } };
  return r;
}

#ifdef LP_ON_RESPONSE
void lp_on_response(const lp_request *req, const lp_response *res, lp_response_action *act);
static lp_response_action lp_res_act;

LP_EXPORT(LP_EXPORT_NAME("response-hook", "on-response"))
uint8_t *lp_on_response_export(uint8_t *args) {
  lp_request req = lp_request_at(args);
  const uint8_t *r = args + 48;
  lp_response res;
  memcpy(&res.status, r, 2);
  res.headers = (const lp_header *)(uintptr_t)lp_u32_at(r + 4);
  res.header_count = lp_u32_at(r + 8);
  res.body.ptr = (const uint8_t *)(uintptr_t)lp_u32_at(r + 12);
  res.body.len = lp_u32_at(r + 16);
  memcpy(&res.duration_ms, r + 24, 8);
  res.has_error = r[32];
  res.error = res.has_error ? lp_str_at(r + 36) : (lp_str){ NULL, 0 };
  res.synthetic = r[44];
  lp_response_action *a = &lp_res_act;
  memset(a, 0, sizeof *a);
  lp_on_response(&req, &res, a);
  lp_free_request(&req);
  lp_free_headers(res.headers, res.header_count);
  lp_free(res.body.ptr, res.body.len);
  if (res.has_error) lp_free(res.error.ptr, res.error.len);
  lp_free(args, 96);
  lp_arena_reset();
  memset(lp_hook_ret, 0, 20);
  lp_put_opt(lp_hook_ret, a->fail.ptr, a->fail.len);
  lp_put_list(lp_hook_ret + 12, a->set_vars.items, a->set_vars.count);
  return lp_hook_ret;
}

LP_EXPORT("cabi_post_" LP_EXPORT_NAME("response-hook", "on-response"))
void lp_on_response_post(uint8_t *ret) {
  (void)ret;
  free((void *)lp_res_act.fail.ptr);
  lp_pairs_free(&lp_res_act.set_vars);
  memset(&lp_res_act, 0, sizeof lp_res_act);
}
#endif

#ifdef LP_ON_LOG
void lp_on_log(const lp_exchange *x);

LP_EXPORT(LP_EXPORT_NAME("log-hook", "on-log"))
void lp_on_log_export(uint8_t *args) {
  lp_exchange x;
  x.name = lp_str_at(args), x.protocol = lp_str_at(args + 8), x.method = lp_str_at(args + 16), x.url = lp_str_at(args + 24);
  memcpy(&x.status, args + 32, 2);
  memcpy(&x.duration_ms, args + 40, 8);
  memcpy(&x.waiting_ms, args + 48, 8);
  x.bytes_sent = lp_u64_at(args + 56);
  x.bytes_received = lp_u64_at(args + 64);
  x.failed = args[72];
  x.has_error = args[76];
  x.error = x.has_error ? lp_str_at(args + 80) : (lp_str){ NULL, 0 };
  x.synthetic = args[88];
  lp_on_log(&x);
  lp_free(x.name.ptr, x.name.len), lp_free(x.protocol.ptr, x.protocol.len);
  lp_free(x.method.ptr, x.method.len), lp_free(x.url.ptr, x.url.len);
  if (x.has_error) lp_free(x.error.ptr, x.error.len);
  lp_free(args, 96);
  lp_arena_reset();
}
#endif

#endif
