// Node-API bindings. JS allocates every output typed array; native code fills it in place.
// All functions are synchronous (they run on the JS thread plus the pool's workers).
#include <node_api.h>

#include <malloc.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "conv.h"
#include "elementwise.h"
#include "gemm.h"
#include "layout.h"
#include "norm.h"
#include "pool.h"
#include "threadpool.h"

using namespace cvc;

namespace {

struct Args {
  napi_env env;
  napi_value argv[20];
  size_t argc = 20;
  bool failed = false;
  Args(napi_env e, napi_callback_info info) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  }
  void fail(const std::string& msg) {
    if (!failed) napi_throw_error(env, "CVC_NATIVE", msg.c_str());
    failed = true;
  }
  bool is_null(size_t i) {
    napi_valuetype t;
    if (i >= argc) return true;
    napi_typeof(env, argv[i], &t);
    return t == napi_null || t == napi_undefined;
  }
  // Typed array data pointer and element count (nullptr for null/undefined).
  void* arr(size_t i, long* len = nullptr, size_t elem = 4) {
    if (is_null(i)) { if (len) *len = 0; return nullptr; }
    bool ok = false;
    napi_is_typedarray(env, argv[i], &ok);
    if (!ok) { fail("argument " + std::to_string(i) + " must be a typed array"); return nullptr; }
    napi_typedarray_type type; size_t n; void* data; napi_value ab; size_t off;
    napi_get_typedarray_info(env, argv[i], &type, &n, &data, &ab, &off);
    size_t want = elem == 4 ? (type == napi_float32_array || type == napi_int32_array ? 4 : 0)
                            : (type == napi_uint8_array ? 1 : 0);
    if (want != elem) { fail("argument " + std::to_string(i) + " has the wrong typed array type"); return nullptr; }
    if (len) *len = (long)n;
    return data;
  }
  float* f32(size_t i, long* len = nullptr) { return (float*)arr(i, len, 4); }
  const int32_t* i32(size_t i, long* len = nullptr) { return (const int32_t*)arr(i, len, 4); }
  double num(size_t i) {
    double v = 0;
    if (i < argc) napi_get_value_double(env, argv[i], &v);
    return v;
  }
  long integer(size_t i) { return (long)num(i); }
  bool flag(size_t i) { bool b = false; if (i < argc) napi_get_value_bool(env, argv[i], &b); return b; }
};

ConvGeom conv_geom(const int32_t* q, const float* x) {
  return ConvGeom{x, q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11], q[12], q[13]};
}
PoolGeom pool_geom(const int32_t* q) {
  return PoolGeom{q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7], q[8], q[9], q[10], q[11]};
}
Epilogue epilogue(Args& a, size_t i) {  // (bias|null, biasScalar, act, alpha)
  Epilogue ep;
  long nb = 0;
  ep.bias = a.f32(i, &nb);
  ep.bias_scalar = a.flag(i + 1);
  ep.act = (int)a.integer(i + 2);
  ep.alpha = (float)a.num(i + 3);
  return ep;
}

napi_value ret_undef(napi_env env) { napi_value u; napi_get_undefined(env, &u); return u; }

// info() -> { arch, threads }
napi_value Info(napi_env env, napi_callback_info) {
  napi_value o, s, t;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, gemm_arch(), NAPI_AUTO_LENGTH, &s);
  napi_create_int32(env, pool_threads(), &t);
  napi_set_named_property(env, o, "arch", s);
  napi_set_named_property(env, o, "threads", t);
  return o;
}

// threadCpuMs() -> CPU time of the calling (JS) thread, ms: the serial critical path of a step.
napi_value ThreadCpuMs(napi_env env, napi_callback_info) {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  napi_value v;
  napi_create_double(env, ts.tv_sec * 1e3 + ts.tv_nsec / 1e6, &v);
  return v;
}

// poolStats() -> { workerBusyMs, callerWaitMs, runs, wakeups, backgroundMs, callerJobMs } (cumulative; see threadpool.h)
napi_value PoolStatsFn(napi_env env, napi_callback_info) {
  const PoolStats st = pool_stats();
  napi_value o, v;
  napi_create_object(env, &o);
  const std::pair<const char*, double> fields[] = {{"workerBusyMs", st.worker_busy_ns / 1e6}, {"callerWaitMs", st.caller_wait_ns / 1e6},
                                                   {"runs", (double)st.runs}, {"wakeups", (double)st.wakeups},
                                                   {"backgroundMs", st.bg_ns / 1e6}, {"callerJobMs", st.caller_job_ns / 1e6}};
  for (const auto& f : fields) { napi_create_double(env, f.second, &v); napi_set_named_property(env, o, f.first, v); }
  return o;
}

// conv2d(x, w, y, geom[14], F, bias, biasScalar, act, alpha)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *x = a.f32(0), *w = a.f32(1), *y = a.f32(2);
  const int32_t* q = a.i32(3);
  Epilogue ep = epilogue(a, 5);
  if (a.failed) return nullptr;
  ConvGeom g = conv_geom(q, x);
  conv2d_forward(g, w, (int)a.integer(4), y, ep);
  return ret_undef(env);
}

// conv2dBackpropInput(dy, w, dx, geom[14], F)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *dy = a.f32(0), *w = a.f32(1), *dx = a.f32(2);
  const int32_t* q = a.i32(3);
  if (a.failed) return nullptr;
  ConvGeom g = conv_geom(q, nullptr);
  conv2d_backprop_input(g, dy, w, (int)a.integer(4), dx);
  return ret_undef(env);
}

// conv2dBackpropFilter(x, dy, dw, geom[14], F)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *x = a.f32(0), *dy = a.f32(1), *dw = a.f32(2);
  const int32_t* q = a.i32(3);
  if (a.failed) return nullptr;
  ConvGeom g = conv_geom(q, x);
  conv2d_backprop_filter(g, dy, (int)a.integer(4), dw);
  return ret_undef(env);
}

// Background tasks started from JS, by id (only the JS thread touches this map).
std::unordered_map<uint32_t, std::shared_ptr<BackgroundTask>> g_tasks;
uint32_t g_next_task = 1;

// conv2dBackpropFilterAsync(x, dy, dw, geom[14], F) -> task id: queues the filter gradient for
// the pool's worker (see BackgroundTask); the caller keeps x, dy and dw alive and unchanged
// until waitTask(id) returned.
napi_value Conv2dBackpropFilterAsync(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *x = a.f32(0), *dy = a.f32(1), *dw = a.f32(2);
  const int32_t* q = a.i32(3);
  if (a.failed) return nullptr;
  const ConvGeom g = conv_geom(q, x);
  const int F = (int)a.integer(4);
  const uint32_t id = g_next_task++;
  g_tasks[id] = run_in_background([g, dy, F, dw] { conv2d_backprop_filter(g, dy, F, dw); });
  napi_value r;
  napi_create_uint32(env, id, &r);
  return r;
}

// conv2dAsync(x, w, y, geom[14], F, bias, biasScalar, act, alpha) -> task id; conv2dBackpropInputAsync(dy,
// w, dx, geom[14], F) -> task id: the same convs queued for the pool's worker, so the JS thread's
// bookkeeping between this kernel and the one that reads y (dx) overlaps with the conv; the
// reader's waitTask(id) shares the rest of its chunks. The caller keeps every input and the
// output alive and unchanged until waitTask(id) returned.
napi_value Conv2dAsync(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *x = a.f32(0), *w = a.f32(1), *y = a.f32(2);
  const int32_t* q = a.i32(3);
  const Epilogue ep = epilogue(a, 5);
  if (a.failed) return nullptr;
  const ConvGeom g = conv_geom(q, x);
  const int F = (int)a.integer(4);
  const uint32_t id = g_next_task++;
  g_tasks[id] = run_in_background([g, w, F, y, ep] { conv2d_forward(g, w, F, y, ep); });
  napi_value r;
  napi_create_uint32(env, id, &r);
  return r;
}

napi_value Conv2dBackpropInputAsync(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *dy = a.f32(0), *w = a.f32(1), *dx = a.f32(2);
  const int32_t* q = a.i32(3);
  if (a.failed) return nullptr;
  const ConvGeom g = conv_geom(q, nullptr);
  const int F = (int)a.integer(4);
  const uint32_t id = g_next_task++;
  g_tasks[id] = run_in_background([g, dy, w, F, dx] { conv2d_backprop_input(g, dy, w, F, dx); });
  napi_value r;
  napi_create_uint32(env, id, &r);
  return r;
}

// waitTask(id): returns once the task is done (runs it here if no worker has started it).
napi_value WaitTask(napi_env env, napi_callback_info info) {
  Args a(env, info);
  const uint32_t id = (uint32_t)a.integer(0);
  auto it = g_tasks.find(id);
  if (it == g_tasks.end()) { a.fail("waitTask: no pending task " + std::to_string(id)); return nullptr; }
  auto t = it->second;
  g_tasks.erase(it);
  t->wait();
  return ret_undef(env);
}

// matmul(a, b, c, batch, M, N, K, transA, transB, aBatchStride, bBatchStride, bias, biasScalar, act, alpha)
// Per-batch C[M,N] = op(A)*op(B); batch strides are element counts (0 = broadcast).
napi_value Matmul(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *A = a.f32(0), *B = a.f32(1), *C = a.f32(2);
  long batch = a.integer(3), M = a.integer(4), N = a.integer(5), K = a.integer(6);
  bool ta = a.flag(7), tb = a.flag(8);
  long sa = a.integer(9), sb = a.integer(10);
  Epilogue ep = epilogue(a, 11);
  if (a.failed) return nullptr;
  for (long i = 0; i < batch; i++) {
    GemmArgs g{};
    g.M = M; g.N = N; g.K = K;
    g.a = {ta ? A_DENSE_T : A_DENSE, A + i * sa, ta ? M : K, nullptr};
    g.b = {tb ? B_DENSE_T : B_DENSE, B + i * sb, tb ? K : N};
    g.c = C + i * M * N; g.ldc = N; g.accumulate = false; g.ep = ep;
    gemm(g);
  }
  return ret_undef(env);
}

// maxPool/avgPool(x, y, geom[12]); maxPoolGrad(dy, x, dx, geom); avgPoolGrad(dy, dx, geom)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *x = a.f32(0), *y = a.f32(1); const int32_t* q = a.i32(2);
  if (a.failed) return nullptr;
  max_pool(pool_geom(q), x, y);
  return ret_undef(env);
}
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *dy = a.f32(0), *x = a.f32(1), *dx = a.f32(2); const int32_t* q = a.i32(3);
  if (a.failed) return nullptr;
  max_pool_grad(pool_geom(q), dy, x, dx);
  return ret_undef(env);
}
napi_value AvgPool(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *x = a.f32(0), *y = a.f32(1); const int32_t* q = a.i32(2);
  if (a.failed) return nullptr;
  avg_pool(pool_geom(q), x, y);
  return ret_undef(env);
}
napi_value AvgPoolGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *dy = a.f32(0), *dx = a.f32(1); const int32_t* q = a.i32(2);
  if (a.failed) return nullptr;
  avg_pool_grad(pool_geom(q), dy, dx);
  return ret_undef(env);
}

// binary(op, a, b, out)
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long na, nb, n;
  int op = (int)a.integer(0);
  float *x = a.f32(1, &na), *y = a.f32(2, &nb), *o = a.f32(3, &n);
  if (a.failed) return nullptr;
  if ((na != n && (na == 0 || n % na)) || (nb != n && (nb == 0 || n % nb))) { a.fail("binary: bad broadcast"); return nullptr; }
  binary(op, x, na, y, nb, o, n);
  return ret_undef(env);
}
// unary(op, x, out)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n;
  int op = (int)a.integer(0);
  float *x = a.f32(1), *o = a.f32(2, &n);
  if (a.failed) return nullptr;
  unary(op, x, o, n);
  return ret_undef(env);
}
// leakyRelu(x, y, alpha); leakyReluGrad(dy, x, dx, alpha)
napi_value LeakyRelu(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n;
  float *x = a.f32(0), *y = a.f32(1, &n);
  if (a.failed) return nullptr;
  leaky_relu(x, y, n, (float)a.num(2));
  return ret_undef(env);
}
napi_value LeakyReluGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n;
  float *dy = a.f32(0), *x = a.f32(1), *dx = a.f32(2, &n);
  if (a.failed) return nullptr;
  leaky_relu_grad(dy, x, dx, n, (float)a.num(3));
  return ret_undef(env);
}
// reluGrad(dy, x, dx)
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n, ny, nx;
  float *dy = a.f32(0, &ny), *x = a.f32(1, &nx), *dx = a.f32(2, &n);
  if (a.failed) return nullptr;
  if (ny != n || nx != n) { a.fail("reluGrad: sizes do not match"); return nullptr; }
  relu_grad(dy, x, dx, n);
  return ret_undef(env);
}
// select(cond u8, a, b, out)
napi_value Select(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n;
  const uint8_t* c = (const uint8_t*)a.arr(0, nullptr, 1);
  float *x = a.f32(1), *y = a.f32(2), *o = a.f32(3, &n);
  if (a.failed) return nullptr;
  select(c, x, y, o, n);
  return ret_undef(env);
}
// reduceSum(x, outer, red, inner, scale, out)
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  Args a(env, info);
  float *x = a.f32(0), *o = a.f32(5);
  if (a.failed) return nullptr;
  reduce_sum(x, a.integer(1), a.integer(2), a.integer(3), a.num(4), o);
  return ret_undef(env);
}
// binaryStrided(op, a, b, out, dims: Int32Array, stridesA: Int32Array, stridesB: Int32Array)
napi_value BinaryStrided(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long r, ra, rb;
  int op = (int)a.integer(0);
  float *x = a.f32(1), *y = a.f32(2), *o = a.f32(3);
  const int32_t *d = a.i32(4, &r), *sa = a.i32(5, &ra), *sb = a.i32(6, &rb);
  if (a.failed) return nullptr;
  if (r > 8 || ra != r || rb != r) { a.fail("binaryStrided: bad rank"); return nullptr; }
  long dims[8], s1[8], s2[8];
  for (long i = 0; i < r; i++) { dims[i] = d[i]; s1[i] = sa[i]; s2[i] = sb[i]; }
  binary_strided(op, x, y, o, (int)r, dims, s1, s2);
  return ret_undef(env);
}
// batchNorm(x, out, C, mean, variance, offset|null, scale|null, eps)
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n, nm, nv, no, ns;
  float *x = a.f32(0), *o = a.f32(1, &n);
  long C = a.integer(2);
  float *m = a.f32(3, &nm), *v = a.f32(4, &nv), *off = a.f32(5, &no), *sc = a.f32(6, &ns);
  if (a.failed) return nullptr;
  batch_norm(x, n, C, m, nm, v, nv, off, no, sc, ns, (float)a.num(7), o);
  return ret_undef(env);
}
// adam(var, g, m, v, lr, b1, b2, eps, b1pow, b2pow, varOut, mOut, vOut)
napi_value Adam(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n;
  float *var = a.f32(0, &n), *g = a.f32(1), *m = a.f32(2), *v = a.f32(3);
  float *vo = a.f32(10), *mo = a.f32(11), *vvo = a.f32(12);
  if (a.failed) return nullptr;
  adam(var, g, m, v, n, (float)a.num(4), (float)a.num(5), (float)a.num(6), (float)a.num(7), (float)a.num(8),
       (float)a.num(9), vo, mo, vvo);
  return ret_undef(env);
}

// adamAll(slots: (Float32Array[7])[] = [var, g, m, v, varOut, mOut, vOut] per variable, lr, b1, b2,
// eps, b1pow, b2pow): every variable's Adam step in one call; outputs may be the inputs.
napi_value AdamAll(napi_env env, napi_callback_info info) {
  Args a(env, info);
  bool isArr = false;
  if (a.argc < 7 || (napi_is_array(env, a.argv[0], &isArr), !isArr)) { a.fail("adamAll: slots must be an array"); return nullptr; }
  uint32_t ns = 0;
  napi_get_array_length(env, a.argv[0], &ns);
  std::vector<AdamSlot> slots(ns);
  for (uint32_t s = 0; s < ns; s++) {
    napi_value slot;
    napi_get_element(env, a.argv[0], s, &slot);
    float* p[7];
    long len[7];
    for (uint32_t k = 0; k < 7; k++) {
      napi_value el;
      bool ok = false;
      napi_get_element(env, slot, k, &el);
      napi_is_typedarray(env, el, &ok);
      napi_typedarray_type type = napi_int8_array;
      size_t n = 0; void* data = nullptr; napi_value ab; size_t off;
      if (ok) napi_get_typedarray_info(env, el, &type, &n, &data, &ab, &off);
      if (!ok || type != napi_float32_array) {
        a.fail("adamAll: slot " + std::to_string(s) + " element " + std::to_string(k) + " must be a Float32Array");
        return nullptr;
      }
      p[k] = (float*)data;
      len[k] = (long)n;
    }
    for (int k = 1; k < 7; k++)
      if (len[k] != len[0]) { a.fail("adamAll: slot " + std::to_string(s) + " arrays differ in length"); return nullptr; }
    slots[s] = AdamSlot{p[0], p[1], p[2], p[3], p[4], p[5], p[6], len[0]};
  }
  adam_all(slots.data(), (int)ns, (float)a.num(1), (float)a.num(2), (float)a.num(3), (float)a.num(4), (float)a.num(5),
           (float)a.num(6));
  return ret_undef(env);
}

// bnTrain(x, gamma, beta, C, eps, y, mean, variance, act, alpha): training-mode batch norm over the
// last axis (act 1: then a leaky ReLU of slope alpha).
napi_value BnTrain(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n, ng, nb, ny, nm, nv;
  float *x = a.f32(0, &n), *g = a.f32(1, &ng), *b = a.f32(2, &nb);
  const long C = a.integer(3);
  float *y = a.f32(5, &ny), *m = a.f32(6, &nm), *v = a.f32(7, &nv);
  if (a.failed) return nullptr;
  if (C < 1 || n % C || ng != C || nb != C || ny != n || nm != C || nv != C) { a.fail("bnTrain: shapes do not match"); return nullptr; }
  bn_train_forward(x, n / C, C, g, b, (float)a.num(4), y, m, v, (int)a.integer(8), (float)a.num(9));
  return ret_undef(env);
}

// bnTrainGrad(dy, x, mean, variance, gamma, beta, C, eps, dx, dgamma, dbeta, act, alpha)
napi_value BnTrainGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n, nx, nm, nv, ng, nb, ndx, ndg, ndb;
  float *dy = a.f32(0, &n), *x = a.f32(1, &nx), *m = a.f32(2, &nm), *v = a.f32(3, &nv), *g = a.f32(4, &ng), *b = a.f32(5, &nb);
  const long C = a.integer(6);
  float *dx = a.f32(8, &ndx), *dg = a.f32(9, &ndg), *db = a.f32(10, &ndb);
  if (a.failed) return nullptr;
  if (C < 1 || n % C || nx != n || ndx != n || nm != C || nv != C || ng != C || nb != C || ndg != C || ndb != C) {
    a.fail("bnTrainGrad: shapes do not match"); return nullptr;
  }
  bn_train_backward(dy, x, n / C, C, m, v, g, b, (float)a.num(7), dx, dg, db, (int)a.integer(11), (float)a.num(12));
  return ret_undef(env);
}

// bnTrainGradAsync(same arguments) -> task id: bnTrainGrad queued for the pool's worker (see
// conv2dAsync); the caller keeps every array alive and unchanged until waitTask(id) returned.
napi_value BnTrainGradAsync(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long n, nx, nm, nv, ng, nb, ndx, ndg, ndb;
  float *dy = a.f32(0, &n), *x = a.f32(1, &nx), *m = a.f32(2, &nm), *v = a.f32(3, &nv), *g = a.f32(4, &ng), *b = a.f32(5, &nb);
  const long C = a.integer(6);
  float *dx = a.f32(8, &ndx), *dg = a.f32(9, &ndg), *db = a.f32(10, &ndb);
  if (a.failed) return nullptr;
  if (C < 1 || n % C || nx != n || ndx != n || nm != C || nv != C || ng != C || nb != C || ndg != C || ndb != C) {
    a.fail("bnTrainGradAsync: shapes do not match"); return nullptr;
  }
  const float eps = (float)a.num(7), alpha = (float)a.num(12);
  const int act = (int)a.integer(11);
  const long R = n / C;
  const uint32_t id = g_next_task++;
  g_tasks[id] = run_in_background([=] { bn_train_backward(dy, x, R, C, m, v, g, b, eps, dx, dg, db, act, alpha); });
  napi_value r;
  napi_create_uint32(env, id, &r);
  return r;
}

// NormAct from (N, S, C, group, eps, act, alpha) at argument i, A|null, aN, B|null, bN at j.
static bool norm_act_params(Args& a, size_t i, size_t j, NormAct* p) {
  p->N = a.integer(i); p->S = a.integer(i + 1); p->C = a.integer(i + 2); p->group = a.integer(i + 3);
  p->eps = (float)a.num(i + 4); p->act = (int)a.integer(i + 5); p->alpha = (float)a.num(i + 6);
  long na = 0, nb = 0;
  p->A = a.f32(j, &na); p->a_n = a.integer(j + 1);
  p->B = a.f32(j + 2, &nb); p->b_n = a.integer(j + 3);
  if (a.failed) return false;
  const bool ok = p->N > 0 && p->S > 0 && p->C > 0 && p->group >= 0 && (p->group == 0 || p->C % p->group == 0) &&
                  (!p->A || ((p->a_n == 1 || p->a_n == p->N) && na == p->a_n * p->C)) &&
                  (!p->B || ((p->b_n == 1 || p->b_n == p->N) && nb == p->b_n * p->C)) && p->act >= 0 && p->act <= 2;
  if (!ok) a.fail("normAct: shapes or options do not match");
  return ok;
}

// normAct(x, y, mean, variance, N, S, C, group, eps, act, alpha, A|null, aN, B|null, bN)
napi_value NormActFwd(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long nx, ny, nm, nv;
  float *x = a.f32(0, &nx), *y = a.f32(1, &ny), *m = a.f32(2, &nm), *v = a.f32(3, &nv);
  NormAct p{};
  if (a.failed || !norm_act_params(a, 4, 11, &p)) return nullptr;
  const long stats = p.group ? p.N * (p.C / p.group) : p.C;
  if (nx != p.N * p.S * p.C || ny != nx || nm != stats || nv != stats) { a.fail("normAct: array sizes do not match"); return nullptr; }
  norm_act_forward(p, x, y, m, v);
  return ret_undef(env);
}

// normActGrad(dy, x, mean, variance, dx, dA, dB, N, S, C, group, eps, act, alpha, A|null, aN, B|null, bN)
napi_value NormActGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long ndy, nx, nm, nv, ndx, nda, ndb;
  float *dy = a.f32(0, &ndy), *x = a.f32(1, &nx), *m = a.f32(2, &nm), *v = a.f32(3, &nv);
  float *dx = a.f32(4, &ndx), *dA = a.f32(5, &nda), *dB = a.f32(6, &ndb);
  NormAct p{};
  if (a.failed || !norm_act_params(a, 7, 14, &p)) return nullptr;
  const long stats = p.group ? p.N * (p.C / p.group) : p.C;
  if (nx != p.N * p.S * p.C || ndy != nx || ndx != nx || nm != stats || nv != stats || nda != p.N * p.C || ndb != p.N * p.C) {
    a.fail("normActGrad: array sizes do not match"); return nullptr;
  }
  norm_act_backward(p, dy, x, m, v, dx, dA, dB);
  return ret_undef(env);
}

// emaAll(slots: (Float32Array[3])[] = [average, weight, out], d, c): out = average·d + weight·c.
napi_value EmaAll(napi_env env, napi_callback_info info) {
  Args a(env, info);
  bool isArr = false;
  if (a.argc < 3 || (napi_is_array(env, a.argv[0], &isArr), !isArr)) { a.fail("emaAll: slots must be an array"); return nullptr; }
  uint32_t ns = 0;
  napi_get_array_length(env, a.argv[0], &ns);
  std::vector<EmaSlot> slots(ns);
  for (uint32_t s = 0; s < ns; s++) {
    napi_value slot;
    napi_get_element(env, a.argv[0], s, &slot);
    float* p[3];
    long len[3];
    for (uint32_t k = 0; k < 3; k++) {
      napi_value el;
      bool ok = false;
      napi_get_element(env, slot, k, &el);
      napi_is_typedarray(env, el, &ok);
      napi_typedarray_type type = napi_int8_array;
      size_t n = 0; void* data = nullptr; napi_value ab; size_t off;
      if (ok) napi_get_typedarray_info(env, el, &type, &n, &data, &ab, &off);
      if (!ok || type != napi_float32_array) { a.fail("emaAll: slot " + std::to_string(s) + " element " + std::to_string(k) + " must be a Float32Array"); return nullptr; }
      p[k] = (float*)data;
      len[k] = (long)n;
    }
    if (len[1] != len[0] || len[2] != len[0]) { a.fail("emaAll: slot " + std::to_string(s) + " arrays differ in length"); return nullptr; }
    slots[s] = EmaSlot{p[0], p[1], p[2], len[0]};
  }
  ema_all(slots.data(), (int)ns, (float)a.num(1), (float)a.num(2));
  return ret_undef(env);
}

// augmentCopy(src, idx: Int32Array, params: Int32Array [5 per image], cutout, size, dst)
napi_value AugmentCopy(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long ns, ni, np, nd;
  float* src = a.f32(0, &ns);
  const int32_t *idx = a.i32(1, &ni), *p = a.i32(2, &np);
  const int cutout = (int)a.integer(3), size = (int)a.integer(4);
  float* dst = a.f32(5, &nd);
  if (a.failed) return nullptr;
  const long px = (long)size * size * 3;
  if (size < 1 || np != 5 * ni || nd != ni * px) { a.fail("augmentCopy: sizes do not match"); return nullptr; }
  for (long j = 0; j < ni; j++)
    if (idx[j] < 0 || (idx[j] + 1) * px > ns) { a.fail("augmentCopy: image index " + std::to_string(idx[j]) + " out of range"); return nullptr; }
  augment_copy(src, idx, ni, p, cutout, size, dst);
  return ret_undef(env);
}

// copyRows(src, srcOffset, srcStride, dst, dstOffset, dstStride, rows, len)
napi_value CopyRows(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long ns, nd;
  float *src = a.f32(0, &ns), *dst = a.f32(3, &nd);
  const long so = a.integer(1), ss = a.integer(2), dof = a.integer(4), ds = a.integer(5), rows = a.integer(6), len = a.integer(7);
  if (a.failed) return nullptr;
  if (rows > 0 && len > 0 && (so < 0 || dof < 0 || so + (rows - 1) * ss + len > ns || dof + (rows - 1) * ds + len > nd)) {
    a.fail("copyRows: out of bounds"); return nullptr;
  }
  copy_rows(src + so, ss, dst + dof, ds, rows, len);
  return ret_undef(env);
}

// tile(x, dims: Int32Array, reps: Int32Array, out)
napi_value Tile(napi_env env, napi_callback_info info) {
  Args a(env, info);
  long nx, r, rr, no;
  float* x = a.f32(0, &nx);
  const int32_t *d = a.i32(1, &r), *p = a.i32(2, &rr);
  float* o = a.f32(3, &no);
  if (a.failed) return nullptr;
  if (r < 1 || r > 8 || rr != r) { a.fail("tile: bad rank"); return nullptr; }
  long dims[8], reps[8], in = 1, out = 1;
  for (long i = 0; i < r; i++) { dims[i] = d[i]; reps[i] = p[i]; in *= dims[i]; out *= dims[i] * reps[i]; }
  if (in != nx || out != no) { a.fail("tile: sizes do not match"); return nullptr; }
  if (out > 0) tile(x, (int)r, dims, reps, o);
  return ret_undef(env);
}

// momentumAll(slots: (Float32Array[5])[] = [var, g, acc, varOut, accOut], decays: Float32Array (NaN = none),
// momentum, c = -learningRate, nesterov)
napi_value MomentumAll(napi_env env, napi_callback_info info) {
  Args a(env, info);
  bool isArr = false;
  if (a.argc < 5 || (napi_is_array(env, a.argv[0], &isArr), !isArr)) { a.fail("momentumAll: slots must be an array"); return nullptr; }
  uint32_t ns = 0;
  napi_get_array_length(env, a.argv[0], &ns);
  long nd = 0;
  const float* decays = a.f32(1, &nd);
  if (a.failed) return nullptr;
  if (nd != (long)ns) { a.fail("momentumAll: one decay per slot"); return nullptr; }
  std::vector<MomentumSlot> slots(ns);
  for (uint32_t s = 0; s < ns; s++) {
    napi_value slot;
    napi_get_element(env, a.argv[0], s, &slot);
    float* p[5];
    long len[5];
    for (uint32_t k = 0; k < 5; k++) {
      napi_value el;
      bool ok = false;
      napi_get_element(env, slot, k, &el);
      napi_is_typedarray(env, el, &ok);
      napi_typedarray_type type = napi_int8_array;
      size_t n = 0; void* data = nullptr; napi_value ab; size_t off;
      if (ok) napi_get_typedarray_info(env, el, &type, &n, &data, &ab, &off);
      if (!ok || type != napi_float32_array) {
        a.fail("momentumAll: slot " + std::to_string(s) + " element " + std::to_string(k) + " must be a Float32Array");
        return nullptr;
      }
      p[k] = (float*)data;
      len[k] = (long)n;
    }
    for (int k = 1; k < 5; k++)
      if (len[k] != len[0]) { a.fail("momentumAll: slot " + std::to_string(s) + " arrays differ in length"); return nullptr; }
    const bool has = decays[s] == decays[s];  // NaN: no decay
    slots[s] = MomentumSlot{p[0], p[1], p[2], p[3], p[4], len[0], has, has ? decays[s] : 1.f};
  }
  momentum_all(slots.data(), (int)ns, (float)a.num(2), (float)a.num(3), a.flag(4));
  return ret_undef(env);
}

// At environment teardown, finish queued or running tasks: they write into JS-owned buffers.
void WaitAllTasks(void*) {
  for (auto& kv : g_tasks) kv.second->wait();
  g_tasks.clear();
}

napi_value Init(napi_env env, napi_value exports) {
  napi_add_env_cleanup_hook(env, WaitAllTasks, nullptr);
  // Tensor buffers of a few MB are allocated and freed every step. With glibc's defaults they
  // are fresh mmaps, so each first write page-faults (~1 ms per 4 MB). Serve them from the
  // heap and keep freed memory instead (CVC_KEEP_MALLOC=1 leaves malloc settings alone).
  const char* keep = std::getenv("CVC_KEEP_MALLOC");
  if (!(keep && keep[0] == '1')) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
  }
  struct { const char* name; napi_callback cb; } fns[] = {
      {"info", Info}, {"poolStats", PoolStatsFn}, {"threadCpuMs", ThreadCpuMs}, {"conv2d", Conv2d}, {"conv2dAsync", Conv2dAsync}, {"conv2dBackpropInput", Conv2dBackpropInput}, {"conv2dBackpropInputAsync", Conv2dBackpropInputAsync},
      {"conv2dBackpropFilter", Conv2dBackpropFilter}, {"matmul", Matmul}, {"maxPool", MaxPool},
      {"maxPoolGrad", MaxPoolGrad}, {"avgPool", AvgPool}, {"avgPoolGrad", AvgPoolGrad},
      {"binary", Binary}, {"unary", Unary}, {"leakyRelu", LeakyRelu}, {"leakyReluGrad", LeakyReluGrad},
      {"select", Select}, {"reduceSum", ReduceSum}, {"binaryStrided", BinaryStrided},
      {"batchNorm", BatchNorm}, {"adam", Adam}, {"adamAll", AdamAll},
      {"conv2dBackpropFilterAsync", Conv2dBackpropFilterAsync}, {"waitTask", WaitTask},
      {"bnTrain", BnTrain}, {"bnTrainGrad", BnTrainGrad}, {"bnTrainGradAsync", BnTrainGradAsync}, {"copyRows", CopyRows}, {"tile", Tile},
      {"momentumAll", MomentumAll}, {"normAct", NormActFwd}, {"augmentCopy", AugmentCopy}, {"emaAll", EmaAll}, {"reluGrad", ReluGrad}, {"normActGrad", NormActGrad},
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
