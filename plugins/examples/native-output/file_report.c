/*
 * file-report: an output plugin over the loadr descriptor ABI (plugins/include/loadr_plugin.h).
 * Writes one digest line per snapshot ("snapshot N: series=M") and, at the end, the summary line
 * ("summary: run_id=<id> snapshots=N") to config.path. start() without `path` fails, which
 * aborts the run before any load is sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../include/loadr_plugin.h"

typedef struct { FILE *f; unsigned snapshots; } report;

static void set_err(uint8_t **err, size_t *err_len, const char *msg) {
  size_t n = strlen(msg);
  *err = malloc(n);
  memcpy(*err, msg, n);
  *err_len = n;
}

/* `"key":"value"` → malloc'd value (no escapes expected in paths/ids; \" is kept verbatim). */
static char *json_str(const uint8_t *j, size_t len, const char *key) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":\"", key);
  size_t pl = strlen(pat);
  for (size_t i = 0; i + pl <= len; i++) {
    if (memcmp(j + i, pat, pl) != 0) continue;
    size_t s = i + pl, e = s;
    while (e < len && j[e] != '"') e += j[e] == '\\' ? 2 : 1;
    char *out = malloc(e - s + 1);
    memcpy(out, j + s, e - s);
    out[e - s] = 0;
    return out;
  }
  return NULL;
}

static int32_t start(const uint8_t *cfg, size_t len, void **handle, uint8_t **err, size_t *err_len) {
  char *path = json_str(cfg, len, "path");
  if (!path) { set_err(err, err_len, "config.path is required (the file to write the report to)"); return 1; }
  FILE *f = fopen(path, "w");
  if (!f) {
    char msg[600];
    snprintf(msg, sizeof msg, "cannot open config.path %s for writing", path);
    free(path);
    set_err(err, err_len, msg);
    return 1;
  }
  free(path);
  report *r = calloc(1, sizeof *r);
  r->f = f;
  *handle = r;
  return 0;
}

static void on_samples(void *h, const uint8_t *json, size_t len) { (void)h; (void)json; (void)len; }

static void on_snapshot(void *h, const uint8_t *json, size_t len) {
  report *r = h;
  unsigned series = 0;
  const char *pat = "\"metric\":";
  size_t pl = strlen(pat);
  for (size_t i = 0; i + pl <= len; i++) if (memcmp(json + i, pat, pl) == 0) series++;
  fprintf(r->f, "snapshot %u: series=%u\n", ++r->snapshots, series);
  fflush(r->f);
}

static int32_t finish(void *h, const uint8_t *json, size_t len, uint8_t **err, size_t *err_len) {
  (void)err; (void)err_len;
  report *r = h;
  char *id = json_str(json, len, "run_id");
  fprintf(r->f, "summary: run_id=%s snapshots=%u\n", id ? id : "?", r->snapshots);
  free(id);
  fclose(r->f);
  free(r);
  return 0;
}

static void free_buf(uint8_t *p, size_t n) { (void)n; free(p); }

static const loadr_output_v1 DESCRIPTOR = {
  {LOADR_DESCRIPTOR_MAGIC, LOADR_DESCRIPTOR_ABI_MAJOR, LOADR_DESCRIPTOR_ABI_MINOR, sizeof(loadr_output_v1), LOADR_ROLE_OUTPUT},
  "{\"name\":\"file-report\",\"version\":\"0.1.0\",\"kind\":\"output\",\"description\":\"Writes snapshot digests and the summary line to config.path\"}",
  start, on_samples, on_snapshot, finish, free_buf,
};

LOADR_EXPORT const loadr_plugin_header *loadr_plugin_descriptor(uint32_t host_abi_major) {
  return host_abi_major == LOADR_DESCRIPTOR_ABI_MAJOR ? &DESCRIPTOR.hdr : NULL;
}
