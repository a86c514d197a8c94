/*
 * route-timing: an on-log hook (after each request's metrics) that records a custom trend,
 *
 *   route_duration{route: "<the URL's first `depth` path segments>", plugin: <entry>} = duration ms
 *
 * so thresholds can hold each route to its own budget (`route_duration{route:/api}: [p(95) < 50]`)
 * without a `name:` on every request. Requests that failed are left out (their duration says
 * little about the route). config: depth (default 1). The trend is declared in plugin.toml's
 * [metrics]; the host bounds its tag values (100 routes per worker).
 */
#define LP_ON_LOG
#include "loadr_wasm_hook.h"

const lp_info LP_INFO = { "route-timing", "0.1.0", "hook", "trend route_duration per URL path prefix, from on-log" };

static int depth = -1;

static void configure(void) {
  size_t n = 0;
  char *raw = lp_config("depth", &n);
  depth = raw ? atoi(raw) : 1;
  if (depth < 1) depth = 1;
  free(raw);
}

void lp_on_log(const lp_exchange *x) {
  if (depth < 0) configure();
  if (x->failed) return;
  const char *u = x->url.ptr, *end = u + x->url.len;
  /* the path starts after scheme://authority (a URL without them is all path) */
  const char *p = u;
  for (const char *s = u; s + 2 < end; s++)
    if (s[0] == ':' && s[1] == '/' && s[2] == '/') {
      for (p = s + 3; p < end && *p != '/'; p++) {}
      break;
    }
  const char *r = p;
  int seen = 0;
  while (r < end && *r != '?' && *r != '#') {
    if (*r == '/' && r != p && ++seen == depth) break;
    r++;
  }
  size_t len = (size_t)(r - p);
  char route[128];
  if (len == 0) route[0] = '/', len = 1;
  else {
    if (len > sizeof route - 1) len = sizeof route - 1;
    memcpy(route, p, len);
  }
  route[len] = 0;
  lp_tag tags[] = { { "route", route } };
  lp_trend_add("route_duration", x->duration_ms, tags, 1);
}
