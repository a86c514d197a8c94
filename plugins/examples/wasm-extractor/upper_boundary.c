/*
 * upper-boundary (reference §6.8): the text between config.left and config.right, upper-cased
 * (ASCII letters; other bytes are kept as they are). `none` when the config is not an object
 * with non-empty string `left` and `right`, or when the boundaries are not found.
 */
#define LP_EXTRACTOR
#include "loadr_wasm_plugin.h"

const lp_info LP_INFO = { "upper-boundary", "0.1.0", "extractor", "boundary extractor that upper-cases the match" };

/* The first occurrence of needle (m > 0 bytes) in hay. Candidates are screened on their first and
   last byte before the rest is compared: in JSON a boundary like `"token":"` starts at every
   quote, and a full compare per quote costs more than the scan itself. */
static const uint8_t *find(const uint8_t *hay, size_t n, const char *needle, size_t m) {
  if (m > n) return NULL;
  const uint8_t first = (uint8_t)needle[0], last = (uint8_t)needle[m - 1];
  for (size_t i = 0; i + m <= n; i++)
    if (hay[i] == first && hay[i + m - 1] == last && lp_equal(hay + i + 1, needle + 1, m - 1)) return hay + i;
  return NULL;
}

/* The config is the same bytes on every call of a step: parse it once, keep it until it changes. */
static struct { char *raw; size_t raw_len; char *left, *right; size_t ll, rl; } cfg_cache;

static void parse_config(lp_str cfg) {
  if (cfg_cache.raw && cfg_cache.raw_len == cfg.len && lp_equal(cfg_cache.raw, cfg.ptr, cfg.len)) return;
  free(cfg_cache.raw);
  free(cfg_cache.left);
  free(cfg_cache.right);
  cfg_cache.raw = malloc(cfg.len + 1);
  if (!cfg_cache.raw) __builtin_trap(); /* out of memory: trap (the call fails), never write through NULL */
  memcpy(cfg_cache.raw, cfg.ptr, cfg.len);
  cfg_cache.raw_len = cfg.len;
  cfg_cache.ll = cfg_cache.rl = 0;
  cfg_cache.left = lp_config_string(cfg, "left", &cfg_cache.ll);
  cfg_cache.right = lp_config_string(cfg, "right", &cfg_cache.rl);
}

char *lp_extract(const lp_input *in, size_t *out_len) {
  parse_config(in->config);
  const char *left = cfg_cache.left, *right = cfg_cache.right;
  size_t ll = cfg_cache.ll, rl = cfg_cache.rl;
  if (!left || !right || ll == 0 || rl == 0) return NULL;
  const uint8_t *end = in->body + in->body_len;
  const uint8_t *l = find(in->body, in->body_len, left, ll);
  if (!l) return NULL;
  const uint8_t *start = l + ll;
  const uint8_t *r = find(start, (size_t)(end - start), right, rl);
  if (!r) return NULL;
  size_t n = (size_t)(r - start);
  char *out = malloc(n + 1);
  for (size_t i = 0; i < n; i++) {
    uint8_t c = start[i];
    out[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
  }
  *out_len = n;
  return out;
}
