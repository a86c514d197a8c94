/*
 * Just enough JSON for an FfiRequest: find a key in an object, read strings (with escapes),
 * numbers and arrays of scalars, skip any value. Input is trusted to be loadr's own JSON, but
 * every read is bounds-checked so a malformed request fails cleanly instead of crashing.
 */
#ifndef MINI_JSON_H
#define MINI_JSON_H
#include <stdlib.h>
#include <string.h>

typedef struct { const char *p, *end; } mj;

static void mj_ws(mj *j) { while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r')) j->p++; }

static int mj_skip(mj *j);

static int mj_skip_string(mj *j) {
  if (j->p >= j->end || *j->p != '"') return 0;
  for (j->p++; j->p < j->end; j->p++) {
    if (*j->p == '\\') { j->p++; continue; }
    if (*j->p == '"') { j->p++; return 1; }
  }
  return 0;
}

static int mj_skip(mj *j) {
  mj_ws(j);
  if (j->p >= j->end) return 0;
  char c = *j->p;
  if (c == '"') return mj_skip_string(j);
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    j->p++;
    mj_ws(j);
    if (j->p < j->end && *j->p == close) { j->p++; return 1; }
    for (;;) {
      if (c == '{') { if (!mj_skip_string(j)) return 0; mj_ws(j); if (j->p >= j->end || *j->p != ':') return 0; j->p++; }
      if (!mj_skip(j)) return 0;
      mj_ws(j);
      if (j->p >= j->end) return 0;
      if (*j->p == ',') { j->p++; mj_ws(j); continue; }
      if (*j->p == close) { j->p++; return 1; }
      return 0;
    }
  }
  while (j->p < j->end && *j->p != ',' && *j->p != '}' && *j->p != ']' && *j->p != ' ') j->p++;
  return 1;
}

/* Position j at the value of `key` in the object at j. Returns 1 if found. */
static int mj_key(mj j, const char *key, mj *val) {
  mj_ws(&j);
  if (j.p >= j.end || *j.p != '{') return 0;
  j.p++;
  size_t kl = strlen(key);
  for (;;) {
    mj_ws(&j);
    if (j.p >= j.end || *j.p != '"') return 0;
    const char *ks = j.p + 1;
    if (!mj_skip_string(&j)) return 0;
    int match = (size_t)(j.p - 1 - ks) == kl && memcmp(ks, key, kl) == 0;
    mj_ws(&j);
    if (j.p >= j.end || *j.p != ':') return 0;
    j.p++;
    mj_ws(&j);
    if (match) { *val = j; return 1; }
    if (!mj_skip(&j)) return 0;
    mj_ws(&j);
    if (j.p < j.end && *j.p == ',') { j.p++; continue; }
    return 0;
  }
}

static int mj_hex(char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; }

/* Read a JSON string into a malloc'd buffer (UTF-8; \u escapes below 0x800 and surrogate-free). */
static char *mj_string(mj *j, size_t *len) {
  mj_ws(j);
  if (j->p >= j->end || *j->p != '"') return NULL;
  const char *s = j->p + 1;
  mj t = *j;
  if (!mj_skip_string(&t)) return NULL;
  char *out = malloc((size_t)(t.p - s) + 1), *o = out;
  for (const char *q = s; q < t.p - 1; q++) {
    if (*q != '\\') { *o++ = *q; continue; }
    q++;
    switch (*q) {
      case 'n': *o++ = '\n'; break;
      case 't': *o++ = '\t'; break;
      case 'r': *o++ = '\r'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'u': {
        unsigned cp = 0;
        for (int i = 1; i <= 4 && q + i < t.p; i++) cp = cp * 16 + (unsigned)(mj_hex(q[i]) < 0 ? 0 : mj_hex(q[i]));
        q += 4;
        if (cp < 0x80) *o++ = (char)cp;
        else if (cp < 0x800) { *o++ = (char)(0xc0 | cp >> 6); *o++ = (char)(0x80 | (cp & 63)); }
        else { *o++ = (char)(0xe0 | cp >> 12); *o++ = (char)(0x80 | (cp >> 6 & 63)); *o++ = (char)(0x80 | (cp & 63)); }
        break;
      }
      default: *o++ = *q;
    }
  }
  *o = 0;
  *len = (size_t)(o - out);
  j->p = t.p;
  return out;
}

/* A scalar (string, number, bool) as text; numbers/bools verbatim. */
static char *mj_scalar(mj *j, size_t *len) {
  mj_ws(j);
  if (j->p < j->end && *j->p == '"') return mj_string(j, len);
  const char *s = j->p;
  mj t = *j;
  if (!mj_skip(&t) || t.p == s || *s == '{' || *s == '[') return NULL;
  *len = (size_t)(t.p - s);
  char *out = malloc(*len + 1);
  memcpy(out, s, *len);
  out[*len] = 0;
  j->p = t.p;
  return out;
}
#endif
