/*
 * loadr native plugin ABI (docs/plugins/native.md).
 *
 * 1. Protocol plugins — the plain C ABI v1, identical to the reference loadr's (any language):
 *      uint32_t loadr_plugin_abi_version(void);                       must return 1
 *      uint8_t *loadr_plugin_info(size_t *out_len);                   PluginInfo JSON
 *      uint8_t *loadr_plugin_execute(const uint8_t *req, size_t len,  FfiRequest JSON in,
 *                                    size_t *out_len);                FfiResponse JSON out
 *      void     loadr_plugin_free(uint8_t *ptr, size_t len);          frees info/execute buffers
 *    Every returned buffer is owned by the plugin; the host copies it and hands it back to
 *    loadr_plugin_free with the exact pointer and length. `execute` is called concurrently from
 *    many threads (unless PluginInfo says "blocking": false, then only from the JS thread) and
 *    must never unwind or longjmp across the boundary.
 *
 * 2. Output and service plugins — one versioned descriptor:
 *      const loadr_plugin_header *loadr_plugin_descriptor(uint32_t host_abi_major);
 *    returning a static struct that starts with loadr_plugin_header. Rules: the host refuses an
 *    unknown abi_major; a later minor only appends fields, and the host reads a field only when
 *    struct_size covers it; no struct is passed by value; every buffer the plugin hands out
 *    goes back through free_buf. Return NULL when host_abi_major is one you do not support.
 */
#ifndef LOADR_PLUGIN_H
#define LOADR_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOADR_C_ABI_VERSION 1u

#define LOADR_DESCRIPTOR_MAGIC 0x504c444cu /* bytes "LDLP" on a little-endian host */
#define LOADR_DESCRIPTOR_ABI_MAJOR 1u
#define LOADR_DESCRIPTOR_ABI_MINOR 0u

#define LOADR_ROLE_OUTPUT 1u
#define LOADR_ROLE_SERVICE 2u

#if defined(_WIN32)
#define LOADR_EXPORT __declspec(dllexport)
#else
#define LOADR_EXPORT __attribute__((visibility("default")))
#endif

typedef struct {
  uint32_t magic;       /* LOADR_DESCRIPTOR_MAGIC */
  uint16_t abi_major;   /* LOADR_DESCRIPTOR_ABI_MAJOR */
  uint16_t abi_minor;   /* LOADR_DESCRIPTOR_ABI_MINOR */
  uint32_t struct_size; /* sizeof the whole role struct */
  uint32_t role;        /* LOADR_ROLE_* */
} loadr_plugin_header;  /* 16 bytes */

/*
 * Output role. JSON payloads: config = merged plugin config (object); samples = array of
 * {metric, kind, value, tags, timestamp_ms}; snapshot = the once-a-second snapshot; summary =
 * the run summary (the same document as --summary-export).
 * All calls come from the host's main JS thread, one at a time.
 */
typedef struct {
  loadr_plugin_header hdr; /* role = LOADR_ROLE_OUTPUT */
  const char *info_json;   /* PluginInfo JSON, NUL-terminated, static */
  /* 0 = started (*handle set); non-zero = refused, *err = message (free with free_buf) */
  int32_t (*start)(const uint8_t *config, size_t config_len, void **handle, uint8_t **err, size_t *err_len);
  void (*on_samples)(void *handle, const uint8_t *samples, size_t len);
  void (*on_snapshot)(void *handle, const uint8_t *snapshot, size_t len);
  /* last call for the handle (the plugin frees it); 0 = ok, else *err = message */
  int32_t (*finish)(void *handle, const uint8_t *summary, size_t len, uint8_t **err, size_t *err_len);
  void (*free_buf)(uint8_t *ptr, size_t len);
} loadr_output_v1; /* 64 bytes on 64-bit hosts */

/*
 * Service role: started before the plan's requests are compiled, stopped after the run (also
 * on abort, Ctrl-C and SIGTERM). start's result JSON (at least {"url": ...} for a network
 * service) becomes ${services.<entry name>.<key>} in templates.
 */
typedef struct {
  loadr_plugin_header hdr; /* role = LOADR_ROLE_SERVICE */
  const char *info_json;
  /* 0 = started: *handle set, *out = result JSON; non-zero = failed: *out = message */
  int32_t (*start)(const uint8_t *config, size_t config_len, void **handle, uint8_t **out, size_t *out_len);
  void (*stop)(void *handle); /* idempotent for the handle; frees it */
  void (*free_buf)(uint8_t *ptr, size_t len);
} loadr_service_v1; /* 48 bytes on 64-bit hosts */

LOADR_EXPORT const loadr_plugin_header *loadr_plugin_descriptor(uint32_t host_abi_major);

LOADR_EXPORT uint32_t loadr_plugin_abi_version(void);
LOADR_EXPORT uint8_t *loadr_plugin_info(size_t *out_len);
LOADR_EXPORT uint8_t *loadr_plugin_execute(const uint8_t *req, size_t req_len, size_t *out_len);
LOADR_EXPORT void loadr_plugin_free(uint8_t *ptr, size_t len);

#ifdef __cplusplus
}
#endif
#endif
