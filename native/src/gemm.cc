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
#ifndef DIGITNET_CHUNKS_PER_THREAD
#define DIGITNET_CHUNKS_PER_THREAD 1
#endif
const int kChunksPerThread = DIGITNET_CHUNKS_PER_THREAD;
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

// Rows of A handled per pass over the packed B block: an A block of mc × kc floats stays in L2.
const int kMc = 256;

struct IntScratch {
  int* data = nullptr;
  size_t capacity = 0;
  ~IntScratch() { free(data); }
  int* get(size_t count) {
    if (count > capacity) {
      free(data);
      data = static_cast<int*>(malloc(count * sizeof(int)));
      capacity = data ? count : 0;
    }
    return data;
  }
};

thread_local Scratch packedA;
thread_local IntScratch nonzeroLists;
thread_local Scratch packedB;
thread_local Scratch edgeBuffer;

struct Job {
  const IsaKernels* isa;
  const GemmProblem* problem;
  bool splitN;
  bool narrow;
  int panels;  // of the split dimension
};

// Packs B(k0.., j0..) for columns [n0, n1) as consecutive kc × nr micro-panels, zero-padded.
void packBlockB(const IsaKernels* isa, const GemmProblem& P, int nr, int n0, int n1, int k0, int kc, float* out) {
  for (int j0 = n0; j0 < n1; j0 += nr) {
    const int cols = std::min(nr, n1 - j0);
    float* panel = out + static_cast<long>((j0 - n0) / nr) * nr * kc;
    if (P.bCol == 1) {
      for (int p = 0; p < kc; p++) {
        const float* src = P.b + static_cast<long>(k0 + p) * P.bRow + j0;
        float* row = panel + p * nr;
        for (int c = 0; c < cols; c++) row[c] = src[c];
        for (int c = cols; c < nr; c++) row[c] = 0.0f;
      }
    } else if (P.bRow == 1) {
      isa->packTransposed(P.b + static_cast<long>(j0) * P.bCol + k0, P.bCol, kc, cols, panel, nr);
    } else {
      for (int p = 0; p < kc; p++)
        for (int c = 0; c < nr; c++)
          panel[p * nr + c] = c < cols ? P.b[static_cast<long>(k0 + p) * P.bRow + static_cast<long>(j0 + c) * P.bCol] : 0.0f;
    }
  }
}

void runRange(const IsaKernels* isa, const GemmProblem& P, bool narrow, int m0, int m1, int n0, int n1, bool writeSums) {
  const int mr = isa->mr;
  const int nr = narrow ? isa->nrNarrow : isa->nr;
  // A is read in place when it is row-major (row kernels); a transposed A is read along strides of
  // a whole row of X (often beyond what the prefetchers follow), so it is copied into contiguous
  // panels once per block of rows, as is a ragged last row panel.
  const bool rowA = P.aCol == 1;
  const Microkernel rowKernel = narrow ? isa->rowKernelNarrow : isa->rowKernel;
  const Microkernel columnKernel = narrow ? isa->columnKernelNarrow : isa->columnKernel;
  const int blocks = (P.k + kMaxKc - 1) / kMaxKc;
  const int panelsN = (n1 - n0 + nr - 1) / nr;
  const int largestKc = (P.k + blocks - 1) / blocks;
  const int chunkPanels = (kMc + mr - 1) / mr + 1;
  float* bPack = packedB.get(static_cast<size_t>(panelsN) * nr * largestKc);
  float* aPack = packedA.get(static_cast<size_t>(chunkPanels) * mr * largestKc);
  float* edge = edgeBuffer.get(static_cast<size_t>(mr) * nr + nr);
  int* lists = nonzeroLists.get(static_cast<size_t>(chunkPanels) * (largestKc + 1));
  if (!bPack || !aPack || !edge || !lists) abort();  // out of memory for a few hundred kilobytes: nothing sane to do
  float* tile = edge;
  float* paddedBias = tile + mr * nr;

  for (int block = 0; block < blocks; block++) {
    const int k0 = static_cast<int>(static_cast<long>(P.k) * block / blocks);
    const int k1 = static_cast<int>(static_cast<long>(P.k) * (block + 1) / blocks);
    const int kc = k1 - k0;
    const bool last = block == blocks - 1;
    const int mode = block > 0 ? kAccumulate : P.bias ? kInitBias : kInitZero;
    const int relu = last && P.relu;
    packBlockB(isa, P, nr, n0, n1, k0, kc, bPack);
    if (writeSums) {
      for (int j0 = n0; j0 < n1; j0 += nr) {
        const float* panel = bPack + static_cast<long>((j0 - n0) / nr) * nr * kc;
        const int cols = std::min(nr, n1 - j0);
        // Each column is summed in order of p, as the reference does, but all nr at once.
        float sums[64];
        for (int c = 0; c < nr; c++) sums[c] = block > 0 && c < cols ? P.columnSums[j0 + c] : 0.0f;
        for (int p = 0; p < kc; p++)
          for (int c = 0; c < nr; c++) sums[c] += panel[p * nr + c];
        for (int c = 0; c < cols; c++) P.columnSums[j0 + c] = sums[c];
      }
    }
    // Whole row panels per pass, so panels are the same however the rows are split.
    const int mc = kMc / mr * mr;
    for (int mStart = m0; mStart < m1; mStart += mc) {
      const int mEnd = std::min(m1, mStart + mc);
      // Per row panel: where A reads from, and the reduction steps where the panel is not all zero.
      const float* panelA[kMc];
      long panelLda[kMc];
      const int* panelOffsets[kMc];
      int panelSteps[kMc];
      for (int i0 = mStart, index = 0; i0 < mEnd; i0 += mr, index++) {
        const int rows = std::min(mr, mEnd - i0);
        const float* a = P.a + static_cast<long>(i0) * P.aRow + static_cast<long>(k0) * P.aCol;
        int* list = lists + static_cast<long>(index) * (largestKc + 1);
        int steps;
        if (rowA && rows == mr) {
          panelA[index] = a;
          panelLda[index] = P.aRow;
          steps = isa->nonzeroInRows(a, P.aRow, kc, list);
        } else {
          float* panel = aPack + static_cast<long>(index) * mr * kc;
          if (P.aRow == 1 && rows == mr) {
            for (int p = 0; p < kc; p++)
              for (int r = 0; r < mr; r++) panel[p * mr + r] = a[p * P.aCol + r];
          } else {
            for (int p = 0; p < kc; p++)
              for (int r = 0; r < mr; r++) panel[p * mr + r] = r < rows ? a[r * P.aRow + p * P.aCol] : 0.0f;
          }
          panelA[index] = panel;
          panelLda[index] = -mr;  // negative: a packed panel, read by the column kernel
          steps = isa->nonzeroInPanel(panel, kc, list);
        }
        // Indexing costs a little per step, so it only pays when enough steps are skipped.
        panelOffsets[index] = steps * 8 <= kc * 7 ? list : nullptr;
        panelSteps[index] = panelOffsets[index] ? steps : kc;
      }
      for (int j0 = n0; j0 < n1; j0 += nr) {
        const int cols = std::min(nr, n1 - j0);
        const float* bPanel = bPack + static_cast<long>((j0 - n0) / nr) * nr * kc;
        const float* bias = P.bias ? P.bias + j0 : nullptr;
        for (int i0 = mStart, index = 0; i0 < mEnd; i0 += mr, index++) {
          const int rows = std::min(mr, mEnd - i0);
          const bool packed = panelLda[index] < 0;
          const Microkernel kernel = packed ? columnKernel : rowKernel;
          const long lda = packed ? mr : panelLda[index];
          float* c = P.c + static_cast<long>(i0) * P.ldc + j0;
          if (rows == mr && cols == nr) {
            kernel(panelSteps[index], panelOffsets[index], panelA[index], lda, bPanel, c, P.ldc, bias, mode, relu);
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
          kernel(panelSteps[index], panelOffsets[index], panelA[index], lda, bPanel, tile, nr, paddedBias, mode, relu);
          for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) c[r * P.ldc + j] = tile[r * nr + j];
        }
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
    const int nr = job.narrow ? job.isa->nrNarrow : job.isa->nr;
    runRange(job.isa, P, job.narrow, 0, P.m, first * nr, std::min(P.n, end * nr), P.columnSums != nullptr);
  } else {
    const int mr = job.isa->mr;
    runRange(job.isa, P, job.narrow, first * mr, std::min(P.m, end * mr), 0, P.n, P.columnSums != nullptr && first == 0);
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
        P.c[static_cast<long>(i) * P.ldc + j] = P.relu && value < 0.0f ? 0.0f : value;
      }
    }
    if (P.columnSums)
      for (int j = 0; j < P.n; j++) P.columnSums[j] = 0.0f;
    return;
  }
  const bool narrow = P.n <= isa->nrNarrow;
  const int panelsM = (P.m + isa->mr - 1) / isa->mr;
  const int panelsN = (P.n + (narrow ? isa->nrNarrow : isa->nr) - 1) / (narrow ? isa->nrNarrow : isa->nr);
  const double flops = 2.0 * P.m * P.n * P.k;
  int count = flops < kParallelFlops ? 1 : threads;
  // Every chunk of rows packs all of B (k×n); every chunk of columns scans all of A for zeros
  // (m×k, cheaper when A is read in place) or packs it (a transposed A). More chunks than threads
  // would balance the load better on a busy machine but repeat that work; measured, one per
  // thread wins (the pool still lets the caller take a chunk a parked worker has not started).
  int chunksM = 1, chunksN = 1;
  if (count > 1) {
    chunksM = std::min(kChunksPerThread * count, panelsM);
    chunksN = std::min(kChunksPerThread * count, panelsN);
  }
  const double costM = static_cast<double>(chunksM) * P.k * P.n;
  const double costN = static_cast<double>(chunksN) * P.m * P.k * (P.aCol == 1 ? 0.5 : 1.0);
  bool splitN;
  if (chunksM < count && chunksN < count) {
    splitN = chunksN > chunksM;
  } else if (chunksM < count || chunksN < count) {
    splitN = chunksN >= count;
  } else {
    splitN = costN < costM;
  }
  const int panels = splitN ? panelsN : panelsM;
  count = splitN ? chunksN : chunksM;
  Job job = {isa, &P, splitN, narrow, panels};
  if (count <= 1) {
    gemmTask(&job, 0, 1);
  } else {
    pool->run(gemmTask, &job, count);
  }
}

}  // namespace digitnet
