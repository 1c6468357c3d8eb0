/*
 * A tiny N-API module that points file descriptor 2 at /dev/null and back.
 * TensorFlow 2.21 logs its start-up banners through absl before any log
 * level applies (TF_CPP_MIN_LOG_LEVEL does not reach them), so ecg-lab
 * closes stderr around loading the addon unless --verbose.
 *   close(): saved = dup(2); dup2(open("/dev/null"), 2)
 *   open():  dup2(saved, 2)
 */
#include <fcntl.h>
#include <stdio.h>
#include <node_api.h>
#include <unistd.h>

static int saved = -1;

static napi_value gate_close(napi_env env, napi_callback_info info) {
  (void)info;
  if (saved < 0) {
    int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) {
      fflush(NULL);
      saved = dup(2);
      dup2(null_fd, 2);
      close(null_fd);
    }
  }
  return NULL;
}

static napi_value gate_open(napi_env env, napi_callback_info info) {
  (void)info;
  if (saved >= 0) {
    dup2(saved, 2);
    close(saved);
    saved = -1;
  }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"close", NULL, gate_close, NULL, NULL, NULL, napi_default, NULL},
    {"open", NULL, gate_open, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
