/*
 * gzip(buffer, level): one complete gzip member made by ISA-L's igzip
 * (isal_deflate_stateless), copied into a V8-owned Buffer.
 *
 * Thread-safe: each Node environment (the main thread, every worker thread)
 * gets its own level and output buffers through napi_set_instance_data; a
 * call only touches the buffers of the environment it runs in, and an
 * environment runs one call at a time. Nothing static is mutable.
 */
#define NAPI_VERSION 8
#include <isa-l/igzip_lib.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>

/* The levels allowed: 0 (no matching, Huffman only) to 3. */
#define MAX_LEVEL ISAL_DEF_MAX_LEVEL

typedef struct {
  uint8_t *level_buf;
  size_t level_buf_size;
  uint8_t *out;
  size_t out_size;
} env_buffers;

static void free_buffers(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  env_buffers *b = data;
  free(b->level_buf);
  free(b->out);
  free(b);
}

static size_t level_buf_size(int level) {
  switch (level) {
  case 1: return ISAL_DEF_LVL1_DEFAULT;
  case 2: return ISAL_DEF_LVL2_DEFAULT;
  case 3: return ISAL_DEF_LVL3_DEFAULT;
  default: return 0;
  }
}

/* Grows *buf to at least size bytes; 0 when memory runs out (*buf is kept). */
static int reserve(uint8_t **buf, size_t *have, size_t size) {
  if (*have >= size) return 1;
  uint8_t *bigger = realloc(*buf, size);
  if (!bigger) return 0;
  *buf = bigger;
  *have = size;
  return 1;
}

static napi_value throw_error(napi_env env, const char *code, const char *message) {
  napi_throw_error(env, code, message);
  return NULL;
}

static napi_value gzip(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2)
    return throw_error(env, "ERR_INVALID_ARG", "isal-gzip: gzip(buffer, level) takes two arguments");

  bool is_buffer = false;
  napi_is_buffer(env, argv[0], &is_buffer);
  if (!is_buffer) return throw_error(env, "ERR_INVALID_ARG_TYPE", "isal-gzip: the input must be a Buffer or Uint8Array");
  void *in = NULL;
  size_t in_len = 0;
  if (napi_get_buffer_info(env, argv[0], &in, &in_len) != napi_ok)
    return throw_error(env, "ERR_INVALID_ARG_TYPE", "isal-gzip: cannot read the input buffer");

  int32_t level = -1;
  if (napi_get_value_int32(env, argv[1], &level) != napi_ok || level < 0 || level > MAX_LEVEL)
    return throw_error(env, "ERR_OUT_OF_RANGE", "isal-gzip: the level must be an integer from 0 to 3");
  /* ISA-L sizes stored blocks in 32-bit arithmetic, which wraps for inputs within 64 KiB
   * of 4 GiB (a truncated member reported as COMP_OK): stay far below. */
  if (in_len > ((size_t)1 << 31))
    return throw_error(env, "ERR_OUT_OF_RANGE", "isal-gzip: the input must be at most 2 GiB");

  env_buffers *b = NULL;
  if (napi_get_instance_data(env, (void **)&b) != napi_ok || !b)
    return throw_error(env, "ERR_ISAL_STATE", "isal-gzip: the module was not initialised in this thread");

  size_t need_level = level_buf_size(level);
  if (!reserve(&b->level_buf, &b->level_buf_size, need_level))
    return throw_error(env, "ERR_ISAL_MEMORY", "isal-gzip: out of memory");

  /* Stored blocks cost 5 bytes per 64 KiB; gzip's header and trailer 18. Room for
   * incompressible input from the start; STATELESS_OVERFLOW still doubles it. */
  size_t cap = in_len + in_len / 16 + 1024;
  for (;;) {
    if (!reserve(&b->out, &b->out_size, cap))
      return throw_error(env, "ERR_ISAL_MEMORY", "isal-gzip: out of memory");
    struct isal_zstream s;
    isal_deflate_stateless_init(&s);
    s.level = (uint32_t)level;
    s.level_buf = need_level ? b->level_buf : NULL;
    s.level_buf_size = (uint32_t)need_level;
    s.gzip_flag = IGZIP_GZIP;
    /* The stateless init leaves it unset: 0 is ISA-L's default window (32 KiB). */
    s.hist_bits = 0;
    s.next_in = in;
    s.avail_in = (uint32_t)in_len;
    s.end_of_stream = 1;
    s.flush = NO_FLUSH;
    s.next_out = b->out;
    s.avail_out = (uint32_t)(b->out_size > UINT32_MAX ? UINT32_MAX : b->out_size);
    int r = isal_deflate_stateless(&s);
    if (r == COMP_OK) {
      napi_value result;
      if (napi_create_buffer_copy(env, s.total_out, b->out, NULL, &result) != napi_ok)
        return throw_error(env, "ERR_ISAL_MEMORY", "isal-gzip: cannot allocate the result buffer");
      return result;
    }
    if (r != STATELESS_OVERFLOW || cap >= (size_t)UINT32_MAX) {
      char message[96];
      snprintf(message, sizeof message, "isal-gzip: isal_deflate_stateless failed with code %d", r);
      return throw_error(env, "ERR_ISAL_DEFLATE", message);
    }
    cap *= 2;
  }
}

NAPI_MODULE_INIT() {
  env_buffers *b = calloc(1, sizeof *b);
  if (!b) {
    napi_throw_error(env, "ERR_ISAL_MEMORY", "isal-gzip: out of memory");
    return NULL;
  }
  if (napi_set_instance_data(env, b, free_buffers, NULL) != napi_ok) {
    free(b);
    napi_throw_error(env, "ERR_ISAL_STATE", "isal-gzip: cannot keep per-thread state");
    return NULL;
  }
  napi_value fn, max;
  napi_create_function(env, "gzip", NAPI_AUTO_LENGTH, gzip, NULL, &fn);
  napi_set_named_property(env, exports, "gzip", fn);
  napi_create_int32(env, MAX_LEVEL, &max);
  napi_set_named_property(env, exports, "maxLevel", max);
  return exports;
}
