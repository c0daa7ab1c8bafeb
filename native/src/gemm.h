// Packed, register-tiled SGEMM over a thread pool, for the three layouts a dense layer needs.
// Work is split over output tiles only (never over the reduction), so every output element is
// the same sequential chain of multiply-adds whatever the number of threads.
#ifndef DIGITNET_GEMM_H
#define DIGITNET_GEMM_H

#include "kernels.h"
#include "thread_pool.h"

namespace digitnet {

struct GemmProblem {
  int m, n, k;
  const float* a;  // A(i, p) = a[i * aRow + p * aCol]
  long aRow, aCol;
  const float* b;  // B(p, j) = b[p * bRow + j * bCol]
  long bRow, bCol;
  float* c;  // C(i, j) = c[i * ldc + j]
  long ldc;
  const float* bias;  // C starts from bias[j] instead of zero when not null
  int relu;           // clamp at zero on the final store
  float* columnSums;  // when not null, receives the column sums of B (over p), in order of p
};

// C = A·B (+bias, relu); uses up to `threads` threads of the pool.
void gemm(const IsaKernels* isa, ThreadPool* pool, int threads, const GemmProblem& problem);

// m rows given by their nonzeros (compressed sparse rows): row i's are columns[t], values[t] for
// t in [rowStarts[i], rowStarts[i + 1]), columns increasing within a row.
struct SparseRows {
  const int* rowStarts;
  const int* columns;
  const float* values;
};

// C[m×n] (row stride n) = A·B (+bias, relu) with A the m×k sparse rows and B row-major k×n. Each
// element is the chain of multiply-adds over A's nonzeros in order of column, as gemm() computes
// it from the dense A (which skips or adds zero products): the same result, for any thread count.
void sparseRowsProduct(const IsaKernels* isa, ThreadPool* pool, int threads, const SparseRows& a, int m, int k,
                       const float* b, int n, float* c, const float* bias, int relu);

// G[k×n] = Aᵀ·D (the weight gradient of a layer whose input A is sparse), D row-major m×n; when
// columnSums is not null it receives D's column sums (the bias gradient). Each element is the
// chain over the samples in order, as gemm() computes it.
void sparseRowsGradient(const IsaKernels* isa, ThreadPool* pool, int threads, const SparseRows& a, int m, int k,
                        const float* d, int n, float* g, float* columnSums);

// The shares of nonzeros in A below which a forward product (A row-major) or a weight gradient
// (A transposed) takes the sparse path; 0 turns it off, 2 forces it, a negative value leaves it.
void setSparseThresholds(double forwardBelow, double gradientBelow);

}  // namespace digitnet

#endif
