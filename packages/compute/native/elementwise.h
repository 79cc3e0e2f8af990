// Memory-bound float32 kernels that dominate a tfjs training step once convs are fast.
#pragma once
#include <cstdint>
namespace cvc {
enum BinOp { OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3, OP_MAX = 4, OP_MIN = 5, OP_SQDIFF = 6 };
enum UnOp { U_SQRT = 0, U_SQUARE = 1, U_NEG = 2, U_RELU = 3, U_EXP = 4, U_LOG = 5, U_ABS = 6, U_SIGMOID = 7, U_RSQRT = 8, U_RECIP = 9 };
// out[i] = a[i % na] op b[i % nb]; na, nb each == n, 1, or a divisor of n (trailing broadcast).
void binary(int op, const float* a, long na, const float* b, long nb, float* out, long n);
void unary(int op, const float* x, float* out, long n);
void leaky_relu(const float* x, float* y, long n, float alpha);
void leaky_relu_grad(const float* dy, const float* x, float* dx, long n, float alpha);
void relu_grad(const float* dy, const float* x, float* dx, long n);  // dy · step(x), tfjs's Relu gradient
void select(const uint8_t* cond, const float* a, const float* b, float* out, long n);
// General broadcasting: out has `rank` dims; sa/sb are element strides of a/b per out dim
// (0 where that input is broadcast).
void binary_strided(int op, const float* a, const float* b, float* out, int rank, const long* dims,
                    const long* sa, const long* sb);
// x viewed as [outer, red, inner]: out[o, i] = scale * sum_r x[o, r, i] (double accumulators).
void reduce_sum(const float* x, long outer, long red, long inner, double scale, float* out);
// Batch norm over the last axis: every parameter has length C or 1 (nullptr = default).
void batch_norm(const float* x, long n, long C, const float* mean, long nm, const float* var, long nv,
                const float* offset, long no, const float* scale, long ns, float eps, float* out);
// One Adam step in place of tfjs's ~12 elementwise kernels; writes new var, m, v.
void adam(const float* var, const float* g, const float* m, const float* v, long n, float lr, float b1,
          float b2, float eps, float b1pow, float b2pow, float* var_out, float* m_out, float* v_out);
// One variable's buffers for adam_all; the outputs may alias the inputs (in-place update).
struct AdamSlot { const float *var, *g, *m, *v; float *var_out, *m_out, *v_out; long n; };
// The Adam step of every variable of a training step in one parallel loop (same per-element
// arithmetic as adam(), so the results are identical; chunks never depend on the thread count).
void adam_all(const AdamSlot* slots, int nslots, float lr, float b1, float b2, float eps, float b1pow, float b2pow);
// average ← average·d + weight·c for each slot (float32, no FMA: tfjs's Multiply, Multiply, Add);
// slot = {average, weight, out, n}, out may be average itself.
struct EmaSlot { const float *avg, *w; float* out; long n; };
void ema_all(const EmaSlot* slots, int nslots, float d, float c);
// One variable of momentum_all; outputs may alias the inputs (in-place update).
struct MomentumSlot { const float *var, *g, *acc; float *var_out, *acc_out; long n; bool has_decay; float decay; };
// SGD with (Nesterov) momentum for every variable of a step in one parallel loop, bit for bit
// tfjs's MomentumOptimizer (c = −learning rate), then ·decay for slots that have it.
void momentum_all(const MomentumSlot* slots, int nslots, float m, float c, bool nesterov);
}  // namespace cvc
