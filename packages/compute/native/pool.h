// NHWC float32 max/avg pooling and gradients, matching tfjs-backend-cpu semantics:
// max picks the first strictly-greater element in window scan order; avg divides by the
// number of in-bounds elements; avg grad uses 1/(fh*fw) like tfjs's cpu kernel.
#pragma once
namespace cvc {
struct PoolGeom { int N, H, W, C, OH, OW, fh, fw, sh, sw, padT, padL; };
void max_pool(const PoolGeom& g, const float* x, float* y);
void max_pool_grad(const PoolGeom& g, const float* dy, const float* x, float* dx);
void avg_pool(const PoolGeom& g, const float* x, float* y);
void avg_pool_grad(const PoolGeom& g, const float* dy, float* dx);
}  // namespace cvc
