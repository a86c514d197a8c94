/*
 * upper-boundary (reference §6.8): the text between config.left and config.right, upper-cased
 * (ASCII letters; other bytes are kept as they are). `none` when the config is not an object
 * with non-empty string `left` and `right`, or when the boundaries are not found.
 */
#define LP_EXTRACTOR
#include "loadr_plugin.h"

const lp_info LP_INFO = { "upper-boundary", "0.1.0", "extractor", "boundary extractor that upper-cases the match" };

static const uint8_t *find(const uint8_t *hay, size_t n, const char *needle, size_t m) {
  if (m > n) return NULL;
  for (size_t i = 0; i + m <= n; i++)
    if (hay[i] == (uint8_t)needle[0] && memcmp(hay + i, needle, m) == 0) return hay + i;
  return NULL;
}

char *lp_extract(const lp_input *in, size_t *out_len) {
  size_t ll = 0, rl = 0;
  char *left = lp_config_string(in->config, "left", &ll);
  char *right = lp_config_string(in->config, "right", &rl);
  char *out = NULL;
  if (left && right && ll > 0 && rl > 0) {
    const uint8_t *end = in->body + in->body_len;
    const uint8_t *l = find(in->body, in->body_len, left, ll);
    if (l) {
      const uint8_t *start = l + ll;
      const uint8_t *r = find(start, (size_t)(end - start), right, rl);
      if (r) {
        size_t n = (size_t)(r - start);
        out = malloc(n + 1);
        for (size_t i = 0; i < n; i++) {
          uint8_t c = start[i];
          out[i] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
        }
        *out_len = n;
      }
    }
  }
  free(left);
  free(right);
  return out;
}
