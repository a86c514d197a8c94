/*
 * redis: a loadr protocol plugin over the C ABI v1, on Debian's hiredis 0.14 (linked statically,
 * so the .so needs nothing but libc). Options as the reference redis plugin (reference §6.11):
 *   url      redis://[:password@]host[:port][/db]      (no TLS: rediss:// is refused)
 *   plugin:  { command: ["SET", "k", "v"] }            or a space-separated command as the body
 * Response: status 0 = ok, 1 = RESP error reply (then `error` stays null: the server answered);
 * transport or bad-request failures: status 0 and `error` set. extras {reply_type, value}.
 * One connection pool per target URL, shared by every call and thread: a call borrows an idle
 * connection (or opens one), and returns it unless it broke.
 */
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../../include/loadr_plugin.h"
#include "mini_json.h"

static const char INFO[] =
    "{\"name\":\"redis\",\"version\":\"0.1.0\",\"kind\":\"protocol\","
    "\"description\":\"Redis commands over RESP (hiredis 0.14, pooled per URL, no TLS)\","
    "\"schemes\":[\"redis\"],\"blocking\":true}";

LOADR_EXPORT uint32_t loadr_plugin_abi_version(void) { return LOADR_C_ABI_VERSION; }
LOADR_EXPORT void loadr_plugin_free(uint8_t *p, size_t n) { (void)n; free(p); }
LOADR_EXPORT uint8_t *loadr_plugin_info(size_t *out_len) {
  uint8_t *p = malloc(sizeof INFO);
  memcpy(p, INFO, sizeof INFO - 1);
  *out_len = sizeof INFO - 1;
  return p;
}

/* ---------- growable output buffer ---------- */
typedef struct { char *p; size_t n, cap; } sbuf;
static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    b->cap = (b->n + n + 1) * 2;
    b->p = realloc(b->p, b->cap);
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
static void sb_str(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }
static void sb_json_string(sbuf *b, const char *s, size_t n) {
  sb_put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') { esc[0] = '\\'; esc[1] = (char)c; sb_put(b, esc, 2); }
    else if (c < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", c); sb_put(b, esc, 6); }
    else sb_put(b, (const char *)&c, 1);
  }
  sb_put(b, "\"", 1);
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static void sb_b64(sbuf *b, const uint8_t *in, size_t n) {
  char q[4];
  for (size_t i = 0; i < n; i += 3) {
    uint32_t x = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    q[0] = B64[x >> 18 & 63]; q[1] = B64[x >> 12 & 63];
    q[2] = i + 1 < n ? B64[x >> 6 & 63] : '=';
    q[3] = i + 2 < n ? B64[x & 63] : '=';
    sb_put(b, q, 4);
  }
}
static size_t b64_decode(const char *in, size_t n, char *out) {
  size_t o = 0; uint32_t acc = 0; int bits = 0;
  for (size_t i = 0; i < n; i++) {
    const char *d = strchr(B64, in[i]);
    if (!d || !in[i]) continue;
    acc = acc << 6 | (uint32_t)(d - B64);
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = (char)(acc >> bits & 0xff); }
  }
  return o;
}

/* ---------- target URL ---------- */
typedef struct { char host[256]; int port; int db; char password[256]; } target;

static const char *parse_url(const char *url, target *t) {
  memset(t, 0, sizeof *t);
  t->port = 6379;
  if (strncmp(url, "rediss://", 9) == 0) return "rediss:// (TLS) is not supported by this plugin; use redis:// or a TLS proxy";
  if (strncmp(url, "redis://", 8) != 0) return "url must start with redis://";
  const char *p = url + 8, *at = strchr(p, '@'), *slash = strchr(p, '/');
  if (at && (!slash || at < slash)) {
    const char *colon = memchr(p, ':', (size_t)(at - p));
    const char *pw = colon ? colon + 1 : p;
    snprintf(t->password, sizeof t->password, "%.*s", (int)(at - pw), pw);
    p = at + 1;
  }
  const char *hend = slash ? slash : p + strlen(p);
  const char *colon = memchr(p, ':', (size_t)(hend - p));
  if (colon) { t->port = atoi(colon + 1); hend = colon; }
  snprintf(t->host, sizeof t->host, "%.*s", (int)(hend - p), p);
  if (!t->host[0]) snprintf(t->host, sizeof t->host, "127.0.0.1");
  if (slash && slash[1]) t->db = atoi(slash + 1);
  return NULL;
}

/* ---------- pool per URL ---------- */
typedef struct conn { redisContext *c; struct conn *next; } conn;
typedef struct pool { char *url; conn *idle; struct pool *next; } pool;
static pthread_mutex_t pools_mu = PTHREAD_MUTEX_INITIALIZER;
static pool *pools;

static pool *pool_for(const char *url) {
  for (pool *p = pools; p; p = p->next) if (strcmp(p->url, url) == 0) return p;
  pool *p = calloc(1, sizeof *p);
  p->url = strdup(url);
  p->next = pools;
  pools = p;
  return p;
}

static redisContext *borrow(const char *url, const target *t, int timeout_ms, char *err, size_t errn) {
  pthread_mutex_lock(&pools_mu);
  pool *p = pool_for(url);
  conn *c = p->idle;
  if (c) p->idle = c->next;
  pthread_mutex_unlock(&pools_mu);
  if (c) { redisContext *ctx = c->c; free(c); return ctx; }
  struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  redisContext *ctx = redisConnectWithTimeout(t->host, t->port, tv);
  if (!ctx || ctx->err) {
    snprintf(err, errn, "connect %s:%d: %s", t->host, t->port, ctx ? ctx->errstr : "out of memory");
    if (ctx) redisFree(ctx);
    return NULL;
  }
  const char *setup_err = NULL;
  redisReply *r = NULL;
  if (t->password[0]) {
    r = redisCommand(ctx, "AUTH %s", t->password);
    if (!r || r->type == REDIS_REPLY_ERROR) setup_err = "AUTH";
    if (r) freeReplyObject(r);
  }
  if (!setup_err && t->db) {
    r = redisCommand(ctx, "SELECT %d", t->db);
    if (!r || r->type == REDIS_REPLY_ERROR) setup_err = "SELECT";
    if (r) freeReplyObject(r);
  }
  if (setup_err) {
    snprintf(err, errn, "%s failed on %s:%d", setup_err, t->host, t->port);
    redisFree(ctx);
    return NULL;
  }
  return ctx;
}

static void give_back(const char *url, redisContext *ctx) {
  if (ctx->err) { redisFree(ctx); return; }
  conn *c = malloc(sizeof *c);
  c->c = ctx;
  pthread_mutex_lock(&pools_mu);
  pool *p = pool_for(url);
  c->next = p->idle;
  p->idle = c;
  pthread_mutex_unlock(&pools_mu);
}

/* ---------- reply → JSON ---------- */
static const char *reply_type(int t) {
  switch (t) {
    case REDIS_REPLY_STRING: return "string";
    case REDIS_REPLY_STATUS: return "status";
    case REDIS_REPLY_INTEGER: return "integer";
    case REDIS_REPLY_NIL: return "nil";
    case REDIS_REPLY_ARRAY: return "array";
    case REDIS_REPLY_ERROR: return "error";
    default: return "unknown";
  }
}
static void reply_json(sbuf *b, redisReply *r) {
  char num[32];
  switch (r->type) {
    case REDIS_REPLY_STRING: case REDIS_REPLY_STATUS: case REDIS_REPLY_ERROR: sb_json_string(b, r->str, r->len); break;
    case REDIS_REPLY_INTEGER: snprintf(num, sizeof num, "%lld", r->integer); sb_str(b, num); break;
    case REDIS_REPLY_ARRAY:
      sb_str(b, "[");
      for (size_t i = 0; i < r->elements; i++) { if (i) sb_str(b, ","); reply_json(b, r->element[i]); }
      sb_str(b, "]");
      break;
    default: sb_str(b, "null");
  }
}
/* The body: the raw bytes of a string/status/error reply, an integer in decimal, an array as JSON. */
static void reply_body(sbuf *body, redisReply *r) {
  char num[32];
  if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR) sb_put(body, r->str, r->len);
  else if (r->type == REDIS_REPLY_INTEGER) { snprintf(num, sizeof num, "%lld", r->integer); sb_str(body, num); }
  else if (r->type == REDIS_REPLY_ARRAY) reply_json(body, r);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint8_t *respond(sbuf *out, size_t *out_len) { *out_len = out->n; return (uint8_t *)out->p; }

static uint8_t *fail(const char *msg, double ms, size_t *out_len) {
  sbuf o = {0};
  char d[64];
  sb_str(&o, "{\"status\":0,\"status_text\":\"ERROR\",\"headers\":[],\"body_b64\":\"\",\"duration_ms\":");
  snprintf(d, sizeof d, "%.3f", ms);
  sb_str(&o, d);
  sb_str(&o, ",\"error\":");
  sb_json_string(&o, msg, strlen(msg));
  sb_str(&o, ",\"extras\":null}");
  return respond(&o, out_len);
}

#define MAX_ARGS 256

LOADR_EXPORT uint8_t *loadr_plugin_execute(const uint8_t *req, size_t len, size_t *out_len) {
  double t0 = now_ms();
  mj root = {(const char *)req, (const char *)req + len}, v;
  char *url = NULL, *body = NULL, *argv[MAX_ARGS];
  size_t argl[MAX_ARGS], n = 0, ul = 0;
  int argc = 0, timeout_ms = 30000;
  uint8_t *result;
  char err[512];

  if (mj_key(root, "url", &v)) url = mj_string(&v, &ul);
  if (mj_key(root, "timeout_ms", &v)) timeout_ms = atoi(v.p);
  if (timeout_ms <= 0) timeout_ms = 30000;
  if (!url) return fail("request has no url", 0, out_len);

  mj opts, cmd;
  if (mj_key(root, "options", &opts) && mj_key(opts, "command", &cmd)) {
    mj_ws(&cmd);
    if (cmd.p >= cmd.end || *cmd.p != '[') { free(url); return fail("options.command must be a list, e.g. [\"GET\", \"key\"]", 0, out_len); }
    cmd.p++;
    for (;;) {
      mj_ws(&cmd);
      if (cmd.p < cmd.end && *cmd.p == ']') break;
      if (argc == MAX_ARGS) { snprintf(err, sizeof err, "options.command has more than %d items", MAX_ARGS); goto bad; }
      argv[argc] = mj_scalar(&cmd, &argl[argc]);
      if (!argv[argc]) { snprintf(err, sizeof err, "options.command items must be strings or numbers"); goto bad; }
      argc++;
      mj_ws(&cmd);
      if (cmd.p < cmd.end && *cmd.p == ',') cmd.p++;
    }
  } else if (mj_key(root, "body_b64", &v) && (body = mj_string(&v, &n)) && n > 0) {
    /* a space-separated command in the body */
    char *raw = malloc(n + 1);
    size_t rn = b64_decode(body, n, raw);
    raw[rn] = 0;
    /* strtok_r: calls run concurrently on the host's thread pool, and strtok's one static cursor
       let two body commands tokenize each other's text (a GET now and then lost its key) */
    char *save = NULL;
    for (char *tok = strtok_r(raw, " \t\r\n", &save); tok && argc < MAX_ARGS; tok = strtok_r(NULL, " \t\r\n", &save)) {
      argv[argc] = strdup(tok);
      argl[argc] = strlen(tok);
      argc++;
    }
    free(raw);
  }
  if (argc == 0) { snprintf(err, sizeof err, "no command: set `plugin: {command: [\"PING\"]}` or a body like `GET key`"); goto bad; }

  target t;
  const char *uerr = parse_url(url, &t);
  if (uerr) { snprintf(err, sizeof err, "%s", uerr); goto bad; }
  redisContext *ctx = borrow(url, &t, timeout_ms, err, sizeof err);
  if (!ctx) goto bad_timed;
  struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  redisSetTimeout(ctx, tv);
  redisReply *r = redisCommandArgv(ctx, argc, (const char **)argv, argl);
  if (!r) {
    snprintf(err, sizeof err, "redis %s:%d: %s", t.host, t.port, ctx->err == REDIS_ERR_IO && ctx->errstr[0] == 0 ? "i/o error" : ctx->errstr);
    if (strstr(err, "Resource temporarily unavailable")) snprintf(err, sizeof err, "redis %s:%d: timed out after %dms", t.host, t.port, timeout_ms);
    redisFree(ctx);
    goto bad_timed;
  }
  give_back(url, ctx);
  double ms = now_ms() - t0;
  sbuf o = {0}, b = {0};
  char d[64];
  int is_err = r->type == REDIS_REPLY_ERROR;
  sb_str(&o, is_err ? "{\"status\":1,\"status_text\":\"ERROR\",\"headers\":[],\"body_b64\":\"" : "{\"status\":0,\"status_text\":\"OK\",\"headers\":[],\"body_b64\":\"");
  reply_body(&b, r);
  sb_b64(&o, (const uint8_t *)b.p, b.n);
  snprintf(d, sizeof d, "\",\"duration_ms\":%.3f,\"error\":null,\"extras\":{\"reply_type\":\"", ms);
  sb_str(&o, d);
  sb_str(&o, reply_type(r->type));
  sb_str(&o, "\",\"value\":");
  reply_json(&o, r);
  sb_str(&o, "}}");
  free(b.p);
  freeReplyObject(r);
  result = respond(&o, out_len);
  goto done;

bad:
  result = fail(err, 0, out_len);
  goto done;
bad_timed:
  result = fail(err, now_ms() - t0, out_len);
done:
  for (int i = 0; i < argc; i++) free(argv[i]);
  free(url);
  free(body);
  return result;
}
