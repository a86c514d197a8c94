/*
 * max-body-size (reference §6.8): passes iff the body is at most config.max_body_bytes bytes.
 * Details, as the reference words them: `body is N bytes (limit M)`,
 * `body is N bytes, exceeds limit of M bytes`, `invalid config: <why>`.
 */
#define LP_ASSERTION
#include <stdio.h>
#include "loadr_wasm_plugin.h"

const lp_info LP_INFO = { "max-body-size", "0.1.0", "assertion", "fails when the response body exceeds max_body_bytes" };

static int fail(char **detail, size_t *len, const char *why) {
  *detail = malloc(strlen(why) + 32);
  *len = (size_t)sprintf(*detail, "invalid config: %s", why);
  return 0;
}

int lp_check(int64_t status, const lp_input *in, double duration_ms, char **detail, size_t *len) {
  (void)status; (void)duration_ms;
  const char *v;
  int found = lp_json_find(in->config, "max_body_bytes", &v);
  if (found < 0) return fail(detail, len, "expected a JSON object");
  if (found == 0) return fail(detail, len, "missing field `max_body_bytes`");
  unsigned long long limit = 0;
  const char *end = in->config.ptr + in->config.len;
  if (v >= end || *v < '0' || *v > '9') return fail(detail, len, "invalid type: expected a non-negative integer for `max_body_bytes`");
  for (; v < end && *v >= '0' && *v <= '9'; v++) limit = limit * 10 + (unsigned long long)(*v - '0');
  if (v < end && (*v == '.' || *v == 'e' || *v == 'E')) return fail(detail, len, "invalid type: expected a non-negative integer for `max_body_bytes`");
  unsigned long long n = in->body_len;
  *detail = malloc(96);
  if (n <= limit) {
    *len = (size_t)sprintf(*detail, "body is %llu bytes (limit %llu)", n, limit);
    return 1;
  }
  *len = (size_t)sprintf(*detail, "body is %llu bytes, exceeds limit of %llu bytes", n, limit);
  return 0;
}
