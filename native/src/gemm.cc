#include "gemm.h"

#include <stdlib.h>
#include <string.h>

#include <algorithm>

namespace digitnet {

namespace {

#ifndef DIGITNET_KC
#define DIGITNET_KC 256
#endif
// The reduction is cut into blocks of at most this many so that a packed B micro-panel
// (kc × nr floats) stays in L1 while every row panel of A streams past it.
const int kMaxKc = DIGITNET_KC;
// Below this many flops a second thread costs more in synchronisation than it saves.
const double kParallelFlops = 400000.0;

// Grows only: after the first few calls no call allocates.
struct Scratch {
  float* data = nullptr;
  size_t capacity = 0;
  ~Scratch() { free(data); }
  float* get(size_t count) {
    if (count > capacity) {
      free(data);
      size_t bytes = ((count * sizeof(float)) + 63) / 64 * 64;
      data = static_cast<float*>(aligned_alloc(64, bytes));
      capacity = data ? count : 0;
    }
    return data;
  }
};

thread_local Scratch packedA;
thread_local Scratch packedB;
thread_local Scratch edgeTile;

struct Job {
  const IsaKernels* isa;
  const GemmProblem* problem;
  bool splitN;
  int panels;  // of the split dimension
};

void packA(const GemmProblem& P, int mr, int m0, int m1, int k0, int kc, float* out) {
  for (int i0 = m0; i0 < m1; i0 += mr) {
    int rows = std::min(mr, m1 - i0);
    float* dst = out + static_cast<long>((i0 - m0) / mr) * mr * kc;
    if (P.aCol == 1) {
      for (int r = 0; r < rows; r++) {
        const float* src = P.a + static_cast<long>(i0 + r) * P.aRow + k0;
        for (int p = 0; p < kc; p++) dst[p * mr + r] = src[p];
      }
      for (int r = rows; r < mr; r++)
        for (int p = 0; p < kc; p++) dst[p * mr + r] = 0.0f;
    } else {
      for (int p = 0; p < kc; p++) {
        const float* src = P.a + static_cast<long>(k0 + p) * P.aCol + static_cast<long>(i0) * P.aRow;
        float* row = dst + p * mr;
        if (P.aRow == 1) {
          memcpy(row, src, rows * sizeof(float));
        } else {
          for (int r = 0; r < rows; r++) row[r] = src[r * P.aRow];
        }
        for (int r = rows; r < mr; r++) row[r] = 0.0f;
      }
    }
  }
}

void packB(const GemmProblem& P, int nr, int j0, int cols, int k0, int kc, float* out) {
  if (P.bCol == 1) {
    for (int p = 0; p < kc; p++) {
      const float* src = P.b + static_cast<long>(k0 + p) * P.bRow + j0;
      float* row = out + p * nr;
      memcpy(row, src, cols * sizeof(float));
      for (int c = cols; c < nr; c++) row[c] = 0.0f;
    }
  } else {
    for (int c = 0; c < cols; c++) {
      const float* src = P.b + static_cast<long>(j0 + c) * P.bCol + static_cast<long>(k0) * P.bRow;
      for (int p = 0; p < kc; p++) out[p * nr + c] = src[p * P.bRow];
    }
    for (int c = cols; c < nr; c++)
      for (int p = 0; p < kc; p++) out[p * nr + c] = 0.0f;
  }
}

void runRange(const IsaKernels* isa, const GemmProblem& P, int m0, int m1, int n0, int n1, bool writeSums) {
  const int mr = isa->mr, nr = isa->nr;
  const int blocks = (P.k + kMaxKc - 1) / kMaxKc;
  const int rowPanels = (m1 - m0 + mr - 1) / mr;
  const int largestKc = (P.k + blocks - 1) / blocks + 1;
  float* aPack = packedA.get(static_cast<size_t>(rowPanels) * mr * largestKc);
  float* bPack = packedB.get(static_cast<size_t>(nr) * largestKc);
  float* tile = edgeTile.get(static_cast<size_t>(mr) * nr + nr);
  float* paddedBias = tile + mr * nr;
  if (!aPack || !bPack || !tile) abort();  // out of memory for a few hundred kilobytes: nothing sane to do

  for (int block = 0; block < blocks; block++) {
    const int k0 = static_cast<int>(static_cast<long>(P.k) * block / blocks);
    const int k1 = static_cast<int>(static_cast<long>(P.k) * (block + 1) / blocks);
    const int kc = k1 - k0;
    const bool last = block == blocks - 1;
    const int mode = block > 0 ? kAccumulate : P.bias ? kInitBias : kInitZero;
    const int relu = last && P.relu;
    packA(P, mr, m0, m1, k0, kc, aPack);
    for (int j0 = n0; j0 < n1; j0 += nr) {
      const int cols = std::min(nr, n1 - j0);
      packB(P, nr, j0, cols, k0, kc, bPack);
      if (writeSums) {
        for (int c = 0; c < cols; c++) {
          float sum = block == 0 ? 0.0f : P.columnSums[j0 + c];
          for (int p = 0; p < kc; p++) sum += bPack[p * nr + c];
          P.columnSums[j0 + c] = sum;
        }
      }
      const float* bias = P.bias ? P.bias + j0 : nullptr;
      for (int i0 = m0; i0 < m1; i0 += mr) {
        const int rows = std::min(mr, m1 - i0);
        const float* aPanel = aPack + static_cast<long>((i0 - m0) / mr) * mr * kc;
        float* c = P.c + static_cast<long>(i0) * P.ldc + j0;
        if (rows == mr && cols == nr) {
          isa->microkernel(kc, aPanel, bPack, c, P.ldc, bias, mode, relu);
          continue;
        }
        // A ragged edge goes through a full-size tile so the microkernel never needs bounds.
        if (mode == kAccumulate) {
          for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++) tile[r * nr + j] = r < rows && j < cols ? c[r * P.ldc + j] : 0.0f;
        }
        if (mode == kInitBias) {
          for (int j = 0; j < nr; j++) paddedBias[j] = j < cols ? bias[j] : 0.0f;
        }
        isa->microkernel(kc, aPanel, bPack, tile, nr, paddedBias, mode, relu);
        for (int r = 0; r < rows; r++) memcpy(c + r * P.ldc, tile + r * nr, cols * sizeof(float));
      }
    }
  }
}

void gemmTask(void* context, int index, int count) {
  const Job& job = *static_cast<const Job*>(context);
  const GemmProblem& P = *job.problem;
  const int first = static_cast<int>(static_cast<long>(job.panels) * index / count);
  const int end = static_cast<int>(static_cast<long>(job.panels) * (index + 1) / count);
  if (first >= end) return;
  if (job.splitN) {
    const int nr = job.isa->nr;
    runRange(job.isa, P, 0, P.m, first * nr, std::min(P.n, end * nr), P.columnSums != nullptr);
  } else {
    const int mr = job.isa->mr;
    runRange(job.isa, P, first * mr, std::min(P.m, end * mr), 0, P.n, P.columnSums != nullptr && first == 0);
  }
}

}  // namespace

void gemm(const IsaKernels* isa, ThreadPool* pool, int threads, const GemmProblem& P) {
  if (P.m <= 0 || P.n <= 0) {
    if (P.columnSums)
      for (int j = 0; j < P.n; j++) P.columnSums[j] = 0.0f;
    return;
  }
  if (P.k <= 0) {
    for (int i = 0; i < P.m; i++) {
      for (int j = 0; j < P.n; j++) {
        float value = P.bias ? P.bias[j] : 0.0f;
        P.c[static_cast<long>(i) * P.ldc + j] = P.relu && !(value > 0.0f) ? 0.0f : value;
      }
    }
    if (P.columnSums)
      for (int j = 0; j < P.n; j++) P.columnSums[j] = 0.0f;
    return;
  }
  const int panelsM = (P.m + isa->mr - 1) / isa->mr;
  const int panelsN = (P.n + isa->nr - 1) / isa->nr;
  const double flops = 2.0 * P.m * P.n * P.k;
  int count = flops < kParallelFlops ? 1 : threads;
  // Each thread packs all of the operand along the dimension it does not split, so split the
  // dimension whose other operand is the smaller one, if it has enough panels to go round.
  bool splitN = P.m <= P.n;
  if (splitN && panelsN < count && panelsM > panelsN) splitN = false;
  if (!splitN && panelsM < count && panelsN > panelsM) splitN = true;
  const int panels = splitN ? panelsN : panelsM;
  if (count > panels) count = panels;
  Job job = {isa, &P, splitN, panels};
  if (count <= 1) {
    gemmTask(&job, 0, 1);
  } else {
    pool->run(gemmTask, &job, count);
  }
}

}  // namespace digitnet
