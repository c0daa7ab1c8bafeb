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
// Below this many flops a second thread costs more in synchronisation than it saves. Measured
// within training steps of 784-50-50-10 (the pool's worker is then spinning, not asleep): the
// 128×50×50 forward and input-gradient products (0.64 MFLOP) take 8.5–10 µs on two threads
// against 11–15 on one; the 128×50×10 ones (0.13 MFLOP, 2–4 µs) would gain nothing.
#ifndef DIGITNET_PARALLEL_FLOPS
#define DIGITNET_PARALLEL_FLOPS 4.0e5
#endif
const double kParallelFlops = DIGITNET_PARALLEL_FLOPS;

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
  // Makes room for `count` floats, keeping the first `keep`; grows by half again at least.
  float* grow(size_t count, size_t keep) {
    if (count <= capacity) return data;
    const size_t larger = std::max(count, capacity + capacity / 2);
    float* grown = static_cast<float*>(aligned_alloc(64, (larger * sizeof(float) + 63) / 64 * 64));
    if (!grown) abort();  // out of memory for lists no larger than A: nothing sane to do
    if (keep) memcpy(grown, data, keep * sizeof(float));
    free(data);
    data = grown;
    capacity = larger;
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
  int* grow(size_t count, size_t keep) {
    if (count <= capacity) return data;
    const size_t larger = std::max(count, capacity + capacity / 2);
    int* grown = static_cast<int*>(malloc(larger * sizeof(int)));
    if (!grown) abort();
    if (keep) memcpy(grown, data, keep * sizeof(int));
    free(data);
    data = grown;
    capacity = larger;
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
  // Each list has room for whole vectors of 16 past its end (the AVX-512 lister stores them).
  int* lists = nonzeroLists.get(static_cast<size_t>(chunkPanels) * (largestKc + 16));
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
        int* list = lists + static_cast<long>(index) * (largestKc + 16);
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
          if (rows == mr && isa->maskedColumns) {
            kernel(panelSteps[index], panelOffsets[index], panelA[index], lda, bPanel, c, P.ldc, bias,
                   mode | (cols << kColumnsShift), relu);
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

// ---- the sparse path ----------------------------------------------------------------------------
//
// When A is mostly exact zeros (MNIST pixels: about 81%), each output row is built from A's nonzeros
// alone: out[i,:] = init + Σ over the nonzero A(i,p), in order of p, of A(i,p)·B(p,:). Every element
// is still one chain of fused multiply-adds in order of p that skips only exact zeros (as the
// reference does), so it matches the dense path, which skips or adds zero products (only the sign
// of a zero sum or an infinite B can tell them apart), and is the same for any split of rows or
// columns among threads.

// Below these shares of nonzeros in A (sampled) the sparse path runs. Measured with 2 threads on
// 128-row batches (bench/kernels.ts and a C++ harness; a shared, noisy machine): on MNIST pixels
// (19% nonzero) the sparse forward product beats the dense path's zero-strip skipping by 15–25% at
// 512 columns, breaks even at 256 and loses at 50; the sparse weight gradient wins by 10–25% at
// 50 to 512 columns. On ReLU outputs (zeros scattered, 128×512×512) the forward product breaks
// even near 45% nonzeros and the weight gradient past 55%, but at 128 columns or fewer the weight
// gradient needs far sparser input, and below 32 columns listing costs more than it saves.
#ifndef DIGITNET_SPARSE_FORWARD
#define DIGITNET_SPARSE_FORWARD 0.35
#endif
#ifndef DIGITNET_SPARSE_GRADIENT
#define DIGITNET_SPARSE_GRADIENT 0.55
#endif
const double kSparseNarrowBelow = 0.30;
const int kSparseWideColumns = 256;
const int kSparseGradientMinimumColumns = 32;
double sparseForwardBelow = DIGITNET_SPARSE_FORWARD;
double sparseGradientBelow = DIGITNET_SPARSE_GRADIENT;

// Whether A's sampled density takes the sparse path; a threshold above 1 forces it (tests), 0 or
// below turns it off.
bool sparseForwardWins(double density, int n) {
  if (sparseForwardBelow > 1) return true;
  return n >= kSparseWideColumns && density < sparseForwardBelow;
}
bool sparseGradientWins(double density, int n) {
  if (sparseGradientBelow > 1) return true;
  if (n < kSparseGradientMinimumColumns) return false;
  return density < (n >= kSparseWideColumns ? sparseGradientBelow : std::min(sparseGradientBelow, kSparseNarrowBelow));
}

thread_local IntScratch sparseStarts;
thread_local IntScratch sparseIndices;
thread_local Scratch sparseValues;
thread_local IntScratch sampleIndices;
thread_local Scratch sampleValues;
thread_local IntScratch bucketCursor;
thread_local Scratch sparseB;
thread_local IntScratch seenRows;
thread_local IntScratch sparseBounds;

// Columns of B per pass of the forward kernel, and reduction steps per tile: a tile of B
// (128 × 64 floats, 32 KiB) stays in L1 while every row's nonzeros in it pass.
#ifndef DIGITNET_SPARSE_COLUMNS
#define DIGITNET_SPARSE_COLUMNS 64
#endif
#ifndef DIGITNET_SPARSE_TILE
#define DIGITNET_SPARSE_TILE 128
#endif
const int kSparseForwardColumns = DIGITNET_SPARSE_COLUMNS;
const int kSparseTile = DIGITNET_SPARSE_TILE;
// Largest B (floats) the sparse path copies, and the most list entries the shared lists of a
// column-split forward product reserve (a row's worth, k + 16, for every row).
const long kSparseLargestB = 1L << 23;
const long kSparseSharedEntries = 1L << 22;
// Rows listed at a time by the forward kernel.
const int kSparseRows = 256;

// Columns of B per pass of the weight-gradient kernel: the block (batch × 64) stays in L1.
const int kSparseGradientColumns = 64;
// The largest batch a sparse weight gradient takes (its per-thread copies and lists grow with it).
const int kSparseGradientLargestBatch = 8192;

// The share of nonzeros in up to 32 evenly spaced rows of x (rows × cols, row stride ld). A sample
// only picks the path, and both paths give the same result.
double sampledDensity(const IsaKernels* isa, const float* x, long rows, int cols, long ld) {
  const long samples = std::min(rows, 32L);
  int* indices = sampleIndices.get(cols + 16);
  float* values = sampleValues.get(cols + 16);
  if (!indices || !values) abort();
  long nonzero = 0;
  for (long s = 0; s < samples; s++) nonzero += isa->listNonzero(x + rows * s / samples * ld, cols, indices, values, nullptr);
  return static_cast<double>(nonzero) / (static_cast<double>(samples) * cols);
}

// Where a sorted list of columns [begin, end) reaches each reduction tile: bounds[tile * stride] for
// tile = 0..tiles (absolute positions; the first is begin, the last end).
inline void tileBounds(const int* columns, int begin, int end, int tiles, int* bounds, long stride) {
  const int* t = columns + begin;
  bounds[0] = begin;
  for (int tile = 1; tile < tiles; tile++) {
    t = std::lower_bound(t, columns + end, tile * kSparseTile);
    bounds[tile * stride] = static_cast<int>(t - columns);
  }
  bounds[tiles * stride] = end;
}

// Lists shared by the threads of a column-split forward product: row r's list is at r * stride
// (listed by sharedListTask), or anywhere (sparse rows given by the caller, stride 0); either way
// bounds hold absolute positions in indices/values.
struct SharedLists {
  int* indices;
  float* values;
  long stride;
  int* bounds;     // (tiles + 1) × m: bounds[t * m + r] is where row r's list reaches tile t
  uint16_t* seen;  // one bit set per row of B that a list uses, per listing chunk
  int tiles, seenWords;
};

struct SparseJob {
  const IsaKernels* isa;
  const GemmProblem* problem;
  int rowChunks, columnChunks;
  SharedLists* shared;
};

thread_local IntScratch sharedIndices;
thread_local Scratch sharedValues;
thread_local IntScratch sharedBounds;
thread_local IntScratch sharedSeen;

// Columns [c0, c1) of chunk `index` of `chunks`, cut at whole vectors of 16.
void columnRange(int n, int index, int chunks, int* c0, int* c1) {
  const int vectors = (n + 15) / 16;
  *c0 = std::min(n, vectors * index / chunks * 16);
  *c1 = std::min(n, vectors * (index + 1) / chunks * 16);
}

// Copies B(0..rows, c0..c0+width) into 64-byte aligned rows of `ld` floats: typed arrays from
// JavaScript are aligned to 16 bytes at best, and vectors that straddle cache lines cost twice as
// much; the copy is contiguous too, so the block sits in cache without conflicts.
// Copies B(0..rows, c0..c1) into blocks of `width` columns, block b at out + b * rows * width,
// each row 64-byte aligned and zero-padded (the kernel reads whole vectors; the padding is never a
// stray denormal or NaN). One pass over B's rows, as whole vectors of 16. Rows whose bit in `seen`
// (when not null) is clear are left out: no list refers to them.
const float* alignedBlocks(const GemmProblem& P, int rows, int c0, int c1, int width, const uint16_t* seen) {
  const int blocks = (c1 - c0 + width - 1) / width;
  float* out = sparseB.get(static_cast<size_t>(blocks) * rows * width);
  if (!out) abort();
  const int columns = c1 - c0;
  for (int p = 0; p < rows; p++) {
    if (seen && !((seen[p / 16] >> (p % 16)) & 1)) continue;
    const float* source = P.b + static_cast<long>(p) * P.bRow + c0;
    int c = 0;
    for (; c + 16 <= columns; c += 16) {
      float* target = out + (static_cast<long>(c / width) * rows + p) * width + c % width;
      __builtin_memcpy(target, source + c, 16 * sizeof(float));
    }
    if (c < columns) {
      float* target = out + (static_cast<long>(c / width) * rows + p) * width + c % width;
      for (int j = 0; j < 16; j++) target[j] = c + j < columns ? source[c + j] : 0.0f;
    }
  }
  return out;
}

// A row-major (a forward pass): each row's nonzeros are listed straight from it.
void sparseForwardTask(void* context, int index, int count) {
  (void)count;
  const SparseJob& job = *static_cast<const SparseJob*>(context);
  const GemmProblem& P = *job.problem;
  const int rowChunk = index / job.columnChunks, columnChunk = index % job.columnChunks;
  const int m0 = static_cast<int>(static_cast<long>(P.m) * rowChunk / job.rowChunks);
  const int m1 = static_cast<int>(static_cast<long>(P.m) * (rowChunk + 1) / job.rowChunks);
  int c0, c1;
  columnRange(P.n, columnChunk, job.columnChunks, &c0, &c1);
  if (m0 >= m1 || c0 >= c1) return;
  // Rows are listed a block at a time (their lists and outputs stay in cache). With one block, B
  // is copied after listing, leaving out the rows no list uses (an image's border pixels are zero
  // in every image); with several, all of B's rows are copied once, before.
  const bool oneBlock = m1 - m0 <= kSparseRows;
  const int block = std::min(kSparseRows, m1 - m0);
  const int tiles = (P.k + kSparseTile - 1) / kSparseTile;
  int* starts = sparseStarts.get(static_cast<size_t>(block) + 1);
  int* bounds = sparseBounds.get(static_cast<size_t>(tiles + 1) * block);
  const int seenWords = (P.k + 15) / 16;
  uint16_t* seen = reinterpret_cast<uint16_t*>(seenRows.get(seenWords / 2 + 1));
  if (!starts || !bounds || !seen) abort();
  memset(seen, 0, seenWords * sizeof(uint16_t));
  const float* blocks = oneBlock ? nullptr : alignedBlocks(P, P.k, c0, c1, kSparseForwardColumns, nullptr);
  const int initMode = P.bias ? kInitBias : kInitZero;
  for (int i0 = m0; i0 < m1; i0 += block) {
    const int rows = std::min(block, m1 - i0);
    int* indices = sparseIndices.data;
    float* values = sparseValues.data;
    starts[0] = 0;
    for (int r = 0; r < rows; r++) {
      const size_t needed = static_cast<size_t>(starts[r]) + P.k + 16;
      indices = sparseIndices.grow(needed, starts[r]);
      values = sparseValues.grow(needed, starts[r]);
      const float* a = P.a + static_cast<long>(i0 + r) * P.aRow;
      starts[r + 1] = starts[r] + job.isa->listNonzero(a, P.k, indices + starts[r], values + starts[r], oneBlock ? seen : nullptr);
    }
    // The reduction is cut into tiles whose block of B (kSparseTile × kSparseForwardColumns floats)
    // stays in L1 while every row's nonzeros in it pass; bounds[t * rows + r] is where row r's list
    // reaches tile t.
    for (int r = 0; r < rows; r++) tileBounds(indices, starts[r], starts[r + 1], tiles, bounds + r, rows);
    if (oneBlock) blocks = alignedBlocks(P, P.k, c0, c1, kSparseForwardColumns, seen);
    for (int j0 = c0; j0 < c1; j0 += kSparseForwardColumns) {
      const int width = std::min(kSparseForwardColumns, c1 - j0);
      const float* panel = blocks + static_cast<long>((j0 - c0) / kSparseForwardColumns) * P.k * kSparseForwardColumns;
      float* out = P.c + static_cast<long>(i0) * P.ldc + j0;
      const float* bias = P.bias ? P.bias + j0 : nullptr;
      for (int tile = 0; tile < tiles; tile++) {
        job.isa->sparseRows(rows, bounds + tile * rows, bounds + (tile + 1) * rows, indices, values, panel,
                            kSparseForwardColumns, width, out, P.ldc, bias, tile == 0 ? initMode : kAccumulate,
                            P.relu && tile == tiles - 1);
      }
    }
  }
}

// Phase one of a column-split forward product: chunk `index` of `count` lists its share of the rows
// (so no row is listed twice), with their tile bounds and the rows of B they use.
void sharedListTask(void* context, int index, int count) {
  const SparseJob& job = *static_cast<const SparseJob*>(context);
  const GemmProblem& P = *job.problem;
  SharedLists& L = *job.shared;
  const int m0 = static_cast<int>(static_cast<long>(P.m) * index / count);
  const int m1 = static_cast<int>(static_cast<long>(P.m) * (index + 1) / count);
  uint16_t* seen = L.seen + static_cast<long>(index) * L.seenWords;
  memset(seen, 0, L.seenWords * sizeof(uint16_t));
  for (int r = m0; r < m1; r++) {
    const long begin = r * L.stride;
    const int found = job.isa->listNonzero(P.a + static_cast<long>(r) * P.aRow, P.k, L.indices + begin, L.values + begin, seen);
    tileBounds(L.indices, static_cast<int>(begin), static_cast<int>(begin + found), L.tiles, L.bounds + r, P.m);
  }
}

// Phase two: chunk `index` computes its columns for all the rows from the shared lists.
void sharedComputeTask(void* context, int index, int count) {
  const SparseJob& job = *static_cast<const SparseJob*>(context);
  const GemmProblem& P = *job.problem;
  const SharedLists& L = *job.shared;
  int c0, c1;
  columnRange(P.n, index, count, &c0, &c1);
  if (c0 >= c1) return;
  uint16_t* seen = reinterpret_cast<uint16_t*>(seenRows.get(L.seenWords / 2 + 1));
  if (!seen) abort();
  memset(seen, 0, L.seenWords * sizeof(uint16_t));
  for (int chunk = 0; chunk < job.columnChunks; chunk++)
    for (int word = 0; word < L.seenWords; word++) seen[word] |= L.seen[static_cast<long>(chunk) * L.seenWords + word];
  const float* blocks = alignedBlocks(P, P.k, c0, c1, kSparseForwardColumns, seen);
  const int initMode = P.bias ? kInitBias : kInitZero;
  for (int j0 = c0; j0 < c1; j0 += kSparseForwardColumns) {
    const int width = std::min(kSparseForwardColumns, c1 - j0);
    const float* panel = blocks + static_cast<long>((j0 - c0) / kSparseForwardColumns) * P.k * kSparseForwardColumns;
    for (int tile = 0; tile < L.tiles; tile++) {
      job.isa->sparseRows(P.m, L.bounds + static_cast<long>(tile) * P.m, L.bounds + static_cast<long>(tile + 1) * P.m,
                          L.indices, L.values, panel, kSparseForwardColumns, width, P.c + j0, P.ldc,
                          P.bias ? P.bias + j0 : nullptr, tile == 0 ? initMode : kAccumulate, P.relu && tile == L.tiles - 1);
    }
  }
}

void columnSumsOfB(const GemmProblem& P) {
  // The bias gradient: column sums of B in order of p, as the dense path computes them, 64
  // columns at a time in a local array (which the compiler vectorizes: it cannot alias B).
  for (int j0 = 0; j0 < P.n; j0 += 64) {
    const int width = std::min(64, P.n - j0);
    float sums[64] = {};
    for (int p = 0; p < P.k; p++) {
      const float* row = P.b + static_cast<long>(p) * P.bRow + j0;
      for (int j = 0; j < width; j++) sums[j] += row[j];
    }
    for (int j = 0; j < width; j++) P.columnSums[j0 + j] = sums[j];
  }
}

// A transposed (a weight gradient, A = Xᵀ): the lists of A's rows are the columns of X, gathered by
// walking X's rows in order (so each list is in order of p) into buckets.
void sparseGradientTask(void* context, int index, int count) {
  (void)count;
  const SparseJob& job = *static_cast<const SparseJob*>(context);
  const GemmProblem& P = *job.problem;
  const int m0 = static_cast<int>(static_cast<long>(P.m) * index / job.rowChunks);
  const int m1 = static_cast<int>(static_cast<long>(P.m) * (index + 1) / job.rowChunks);
  if (index == 0 && P.columnSums) columnSumsOfB(P);
  if (m0 >= m1) return;
  const int rows = m1 - m0;
  // First every row of X's nonzeros within [m0, m1), then those scattered into per-column buckets.
  int* sampleStarts = bucketCursor.get(static_cast<size_t>(P.k) + 1 + rows + 1);
  int* cursor = sampleStarts + P.k + 1;
  int* starts = sparseStarts.get(rows + 1);
  if (!sampleStarts || !starts) abort();
  int* listed = sampleIndices.data;
  float* listedValues = sampleValues.data;
  for (int r = 0; r <= rows; r++) starts[r] = 0;
  sampleStarts[0] = 0;
  for (int p = 0; p < P.k; p++) {
    listed = sampleIndices.grow(static_cast<size_t>(sampleStarts[p]) + rows + 16, sampleStarts[p]);
    listedValues = sampleValues.grow(static_cast<size_t>(sampleStarts[p]) + rows + 16, sampleStarts[p]);
    const float* x = P.a + static_cast<long>(p) * P.aCol + m0;
    const int found = job.isa->listNonzero(x, rows, listed + sampleStarts[p], listedValues + sampleStarts[p], nullptr);
    for (int t = sampleStarts[p]; t < sampleStarts[p] + found; t++) starts[listed[t] + 1]++;
    sampleStarts[p + 1] = sampleStarts[p] + found;
  }
  for (int r = 0; r < rows; r++) starts[r + 1] += starts[r];
  const int total = starts[rows];
  int* indices = sparseIndices.get(static_cast<size_t>(total) + 16);
  float* values = sparseValues.get(static_cast<size_t>(total) + 16);
  if (!indices || !values) abort();
  for (int r = 0; r < rows; r++) cursor[r] = starts[r];
  for (int p = 0; p < P.k; p++) {
    for (int t = sampleStarts[p]; t < sampleStarts[p + 1]; t++) {
      const int position = cursor[listed[t]]++;
      indices[position] = p;
      values[position] = listedValues[t];
    }
  }
  const float* blocks = alignedBlocks(P, P.k, 0, P.n, kSparseGradientColumns, nullptr);
  for (int j0 = 0; j0 < P.n; j0 += kSparseGradientColumns) {
    const int width = std::min(kSparseGradientColumns, P.n - j0);
    const int ld = kSparseGradientColumns;
    const float* block = blocks + static_cast<long>(j0 / kSparseGradientColumns) * P.k * ld;
    job.isa->sparseRows(rows, starts, starts + 1, indices, values, block, ld, width, P.c + static_cast<long>(m0) * P.ldc + j0,
                        P.ldc, nullptr, kInitZero, 0);
  }
}

// The weight gradient scattered sample by sample (IsaKernels::scatterGradient): no per-column lists
// to gather, so it wins where gathering dominates, i.e. few columns. Measured on MNIST batches
// (128 × 784, 19% nonzero), one thread: 50 columns 95 µs against 130, 64 columns 90 against 135,
// 100 columns 145 against 160, 128 columns even; 512 columns 440 against 285.
#ifndef DIGITNET_SCATTER_COLUMNS
#define DIGITNET_SCATTER_COLUMNS 112
#endif
const int kScatterMaxColumns = DIGITNET_SCATTER_COLUMNS;

void scatterGradientTask(void* context, int index, int count) {
  const SparseJob& job = *static_cast<const SparseJob*>(context);
  const GemmProblem& P = *job.problem;
  // Whole vectors of 16 rows per chunk, so no chunk reads a vector of X that straddles another's.
  const int vectors = (P.m + 15) / 16;
  const int m0 = std::min(P.m, vectors * index / count * 16);
  const int m1 = std::min(P.m, vectors * (index + 1) / count * 16);
  if (index == 0 && P.columnSums) columnSumsOfB(P);
  if (m0 >= m1) return;
  job.isa->scatterGradient(P.k, P.a, P.aCol, m0, m1, P.b, P.bRow, P.n, P.c, P.ldc);
}

// Runs the product on the sparse path and returns true when A is sparse enough for it to pay.
bool sparseGemm(const IsaKernels* isa, ThreadPool* pool, int threads, const GemmProblem& P) {
  if (P.bCol != 1 || !isa->sparseRows || !isa->listNonzero) return false;
  // Each thread copies all of B's rows for its columns: fine for layers like MNIST's (784 × 512),
  // not for a B of hundreds of megabytes, which the dense path packs a block at a time.
  if (static_cast<long>(P.k) * P.n > kSparseLargestB) return false;
  const double flops = 2.0 * P.m * P.n * P.k;
  const int count = flops < kParallelFlops ? 1 : threads;
  SparseJob job = {isa, &P, 1, 1, nullptr};
  // A row-major A is a forward product, unless the bias gradient is wanted: a weight gradient of a
  // layer with one input has a transposed A that is row-major too, and goes to the branch below.
  if (P.aCol == 1 && !P.columnSums) {
    if (sparseForwardBelow <= 0 || (sparseForwardBelow <= 1 && P.n < kSparseWideColumns)) return false;
    if (!sparseForwardWins(sampledDensity(isa, P.a, P.m, P.k, P.aRow), P.n)) return false;
    // A few rows against a wide B: split the columns, so each thread copies only its share of B,
    // after the threads have listed a share of the rows each (a second, short pass of the pool).
    // Otherwise split the rows: each thread lists its own and copies all of B.
    const bool splitColumns = count > 1 && P.m < 1024 && P.n >= 64 * count;
    if (splitColumns && static_cast<long>(P.m) * (P.k + 16) <= kSparseSharedEntries) {
      SharedLists lists;
      lists.stride = P.k + 16;
      lists.tiles = (P.k + kSparseTile - 1) / kSparseTile;
      lists.seenWords = (P.k + 15) / 16;
      lists.indices = sharedIndices.get(static_cast<size_t>(P.m) * lists.stride);
      lists.values = sharedValues.get(static_cast<size_t>(P.m) * lists.stride);
      lists.bounds = sharedBounds.get(static_cast<size_t>(lists.tiles + 1) * P.m);
      lists.seen = reinterpret_cast<uint16_t*>(sharedSeen.get(static_cast<size_t>(count) * lists.seenWords / 2 + 1));
      if (!lists.indices || !lists.values || !lists.bounds || !lists.seen) abort();
      job.shared = &lists;
      job.columnChunks = count;
      pool->run(sharedListTask, &job, count);
      pool->run(sharedComputeTask, &job, count);
      return true;
    } else if (splitColumns) {
      job.columnChunks = count;
    } else {
      job.rowChunks = std::min(P.m, count);
    }
    if (job.rowChunks * job.columnChunks <= 1) {
      sparseForwardTask(&job, 0, 1);
    } else {
      pool->run(sparseForwardTask, &job, job.rowChunks * job.columnChunks);
    }
    return true;
  }
  // The gradient's lists grow with the batch; beyond a few thousand samples the dense path, which
  // needs none, is the safer choice.
  if (P.aRow == 1 && P.bias == nullptr && !P.relu && P.k <= kSparseGradientLargestBatch) {
    if (sparseGradientBelow <= 0 || (sparseGradientBelow <= 1 && P.n < kSparseGradientMinimumColumns)) return false;
    if (!sparseGradientWins(sampledDensity(isa, P.a, P.k, P.m, P.aCol), P.n)) return false;
    if (isa->scatterGradient && P.n <= kScatterMaxColumns) {
      const int chunks = std::min((P.m + 15) / 16, count);
      if (chunks <= 1) {
        scatterGradientTask(&job, 0, 1);
      } else {
        pool->run(scatterGradientTask, &job, chunks);
      }
      return true;
    }
    job.rowChunks = std::min(P.m, count);
    if (job.rowChunks <= 1) {
      sparseGradientTask(&job, 0, 1);
    } else {
      pool->run(sparseGradientTask, &job, job.rowChunks);
    }
    return true;
  }
  return false;
}

// A weight gradient with a narrow output (n ≤ kNarrowGradientColumns) on the narrow kernel: the
// dense path would pack A (transposed) and pad n to whole vectors.
#ifndef DIGITNET_NARROW_GRADIENT_COLUMNS
#define DIGITNET_NARROW_GRADIENT_COLUMNS 64
#endif
const int kNarrowGradientColumns = DIGITNET_NARROW_GRADIENT_COLUMNS;

void narrowGradientTask(void* context, int index, int count) {
  const SparseJob& job = *static_cast<const SparseJob*>(context);
  const GemmProblem& P = *job.problem;
  // Whole blocks of 32 rows per chunk, so blocks are the same however the rows are split.
  const int blocks = (P.m + 31) / 32;
  const int m0 = std::min(P.m, blocks * index / count * 32);
  const int m1 = std::min(P.m, blocks * (index + 1) / count * 32);
  if (index == 0 && P.columnSums) columnSumsOfB(P);
  if (m0 >= m1) return;
  job.isa->narrowGradient(P.k, P.a, P.aCol, m0, m1, P.b, P.bRow, P.n, P.c, P.ldc);
}

// The narrow kernel reads all of A once per pass of 12 columns and per block of 32 rows with no
// blocking over the reduction (the batch), so A should stay in L2: batches of a few hundred.
const long kNarrowGradientLargestA = 1L << 18;

bool narrowGradientGemm(const IsaKernels* isa, ThreadPool* pool, int threads, const GemmProblem& P) {
  if (!isa->narrowGradient || P.aRow != 1 || P.bCol != 1 || P.bias || P.relu || P.n > kNarrowGradientColumns) return false;
  if (static_cast<long>(P.m) * P.k > kNarrowGradientLargestA) return false;
  const double flops = 2.0 * P.m * P.n * P.k;
  const int chunks = flops < kParallelFlops ? 1 : std::min((P.m + 31) / 32, threads);
  SparseJob job = {isa, &P, chunks, 1, nullptr};
  if (chunks <= 1) {
    narrowGradientTask(&job, 0, 1);
  } else {
    pool->run(narrowGradientTask, &job, chunks);
  }
  return true;
}

// ---- products of rows given as their nonzeros --------------------------------------------------

struct SparseRowsJob {
  const IsaKernels* isa;
  const GemmProblem* problem;  // B, C, bias and relu; A comes from `rows`
  const SparseRows* rows;
  SharedLists* lists;
  int chunks;
  bool splitColumns;
};

thread_local IntScratch usedRows;

// For rows [m0, m1): where each row's list reaches each reduction tile (bounds[tile * m + r]), and
// in `seen` one bit per row of B that the lists use (so only those are copied). The lists are
// sorted, so each tile boundary is a binary search; the rows used are marked in a byte per row
// first (independent stores: setting bits in place would make each entry wait on the last).
void sparseRowsBounds(const SparseRows& A, int k, int m, int m0, int m1, const SharedLists& L, uint16_t* seen) {
  uint8_t* used = reinterpret_cast<uint8_t*>(usedRows.get(static_cast<size_t>(k) / 4 + 16));
  if (!used) abort();
  memset(used, 0, static_cast<size_t>(L.seenWords) * 16);
  for (int r = m0; r < m1; r++) {
    tileBounds(A.columns, A.rowStarts[r], A.rowStarts[r + 1], L.tiles, L.bounds + r, m);
    for (int t = A.rowStarts[r]; t < A.rowStarts[r + 1]; t++) used[A.columns[t]] = 1;
  }
  for (int word = 0; word < L.seenWords; word++) {
    unsigned bits = 0;
    for (int bit = 0; bit < 16; bit++) bits |= static_cast<unsigned>(used[word * 16 + bit]) << bit;
    seen[word] = static_cast<uint16_t>(bits);
  }
}

// Phase one of a column-split product: chunk `index` does its share of the rows' bounds.
void sparseRowsBoundsTask(void* context, int index, int count) {
  const SparseRowsJob& job = *static_cast<const SparseRowsJob*>(context);
  const GemmProblem& P = *job.problem;
  const int m0 = static_cast<int>(static_cast<long>(P.m) * index / count);
  const int m1 = static_cast<int>(static_cast<long>(P.m) * (index + 1) / count);
  sparseRowsBounds(*job.rows, P.k, P.m, m0, m1, *job.lists, job.lists->seen + static_cast<long>(index) * job.lists->seenWords);
}

// Split by rows: chunk `index` finds its rows' bounds, then computes every column of its rows from
// the rows of B they use.
void sparseRowsComputeTask(void* context, int index, int count) {
  const SparseRowsJob& job = *static_cast<const SparseRowsJob*>(context);
  const GemmProblem& P = *job.problem;
  const SharedLists& L = *job.lists;
  const int m0 = static_cast<int>(static_cast<long>(P.m) * index / count);
  const int m1 = static_cast<int>(static_cast<long>(P.m) * (index + 1) / count);
  if (m0 >= m1) return;
  uint16_t* seen = L.seen + static_cast<long>(index) * L.seenWords;
  sparseRowsBounds(*job.rows, P.k, P.m, m0, m1, L, seen);
  const float* blocks = alignedBlocks(P, P.k, 0, P.n, kSparseForwardColumns, seen);
  const int initMode = P.bias ? kInitBias : kInitZero;
  // Rows a block at a time, so that their outputs stay in cache while every tile adds to them.
  for (int i0 = m0; i0 < m1; i0 += kSparseRows) {
    const int rows = std::min(kSparseRows, m1 - i0);
    for (int j0 = 0; j0 < P.n; j0 += kSparseForwardColumns) {
      const int width = std::min(kSparseForwardColumns, P.n - j0);
      const float* panel = blocks + static_cast<long>(j0 / kSparseForwardColumns) * P.k * kSparseForwardColumns;
      for (int tile = 0; tile < L.tiles; tile++) {
        job.isa->sparseRows(rows, L.bounds + static_cast<long>(tile) * P.m + i0, L.bounds + static_cast<long>(tile + 1) * P.m + i0,
                            L.indices, L.values, panel, kSparseForwardColumns, width, P.c + static_cast<long>(i0) * P.ldc + j0,
                            P.ldc, P.bias ? P.bias + j0 : nullptr, tile == 0 ? initMode : kAccumulate, P.relu && tile == L.tiles - 1);
      }
    }
  }
}

thread_local IntScratch csrCounts;

// The weight gradient, split by rows of G (columns of A): chunk `index` gathers, for each of its
// columns p, the samples whose row has a nonzero there (in order of sample), then builds G's rows
// from those lists against D, as sparseGradientTask does after listing.
void sparseRowsGradientTask(void* context, int index, int count) {
  const SparseRowsJob& job = *static_cast<const SparseRowsJob*>(context);
  const GemmProblem& P = *job.problem;  // here m = k of the layer (G's rows), k = the samples
  const SparseRows& A = *job.rows;
  const int samples = P.k;
  // Whole vectors of 16 columns per chunk keep the chunks' rows of G apart.
  const int vectors = (P.m + 15) / 16;
  const int p0 = std::min(P.m, vectors * index / count * 16);
  const int p1 = std::min(P.m, vectors * (index + 1) / count * 16);
  if (index == 0 && P.columnSums) columnSumsOfB(P);
  if (p0 >= p1) return;
  const int span = p1 - p0;
  // starts (span + 1), cursor (span), and each sample's run of entries within [p0, p1) (2 × samples):
  // a sample's list is sorted, so its entries in the range are one run.
  int* starts = csrCounts.get(static_cast<size_t>(span) * 2 + 1 + static_cast<size_t>(samples) * 2);
  if (!starts) abort();
  int* cursor = starts + span + 1;
  int* runs = cursor + span;
  memset(starts, 0, (static_cast<size_t>(span) + 1) * sizeof(int));
  int total = 0;
  for (int s = 0; s < samples; s++) {
    const int* first = A.columns + A.rowStarts[s];
    const int* last = A.columns + A.rowStarts[s + 1];
    const int* t = p0 == 0 ? first : std::lower_bound(first, last, p0);
    runs[2 * s] = static_cast<int>(t - A.columns);
    for (; t < last && *t < p1; t++) starts[*t - p0 + 1]++;
    runs[2 * s + 1] = static_cast<int>(t - A.columns);
    total += runs[2 * s + 1] - runs[2 * s];
  }
  for (int p = 0; p < span; p++) starts[p + 1] += starts[p];
  int* indices = sparseIndices.get(static_cast<size_t>(total) + 16);
  float* values = sparseValues.get(static_cast<size_t>(total) + 16);
  if (!indices || !values) abort();
  for (int p = 0; p < span; p++) cursor[p] = starts[p];
  for (int s = 0; s < samples; s++) {
    for (int t = runs[2 * s]; t < runs[2 * s + 1]; t++) {
      const int position = cursor[A.columns[t] - p0]++;
      indices[position] = s;
      values[position] = A.values[t];
    }
  }
  const float* blocks = alignedBlocks(P, samples, 0, P.n, kSparseGradientColumns, nullptr);
  for (int j0 = 0; j0 < P.n; j0 += kSparseGradientColumns) {
    const int width = std::min(kSparseGradientColumns, P.n - j0);
    const float* block = blocks + static_cast<long>(j0 / kSparseGradientColumns) * samples * kSparseGradientColumns;
    job.isa->sparseRows(span, starts, starts + 1, indices, values, block, kSparseGradientColumns, width,
                        P.c + static_cast<long>(p0) * P.ldc + j0, P.ldc, nullptr, kInitZero, 0);
  }
}

// Without a sparse kernel for this instruction set, the rows are spread back into a dense A for
// gemm(), which skips its zeros.
thread_local Scratch denseRows;

const float* densify(const SparseRows& a, int m, int k) {
  float* dense = denseRows.get(static_cast<size_t>(m) * k);
  if (!dense) abort();
  memset(dense, 0, static_cast<size_t>(m) * k * sizeof(float));
  for (int r = 0; r < m; r++)
    for (int t = a.rowStarts[r]; t < a.rowStarts[r + 1]; t++) dense[static_cast<long>(r) * k + a.columns[t]] = a.values[t];
  return dense;
}

}  // namespace

void sparseRowsProduct(const IsaKernels* isa, ThreadPool* pool, int threads, const SparseRows& a, int m, int k,
                       const float* b, int n, float* c, const float* bias, int relu) {
  if (!isa->sparseRows || m <= 0 || n <= 0 || k <= 0 || static_cast<long>(k) * n > kSparseLargestB) {
    const GemmProblem dense = {m, n, k, m > 0 && k > 0 ? densify(a, m, k) : nullptr, k, 1, b, n, 1, c, n, bias, relu, nullptr};
    gemm(isa, pool, threads, dense);
    return;
  }
  const double flops = 2.0 * a.rowStarts[m] * n;
  const int count = flops < kParallelFlops ? 1 : std::min(m, threads);
  GemmProblem P = {m, n, k, nullptr, k, 1, b, n, 1, c, n, bias, relu, nullptr};
  SharedLists lists;
  lists.indices = const_cast<int*>(a.columns);
  lists.values = const_cast<float*>(a.values);
  lists.stride = 0;
  lists.tiles = (k + kSparseTile - 1) / kSparseTile;
  lists.seenWords = (k + 15) / 16;
  lists.bounds = sharedBounds.get(static_cast<size_t>(lists.tiles + 1) * m);
  lists.seen = reinterpret_cast<uint16_t*>(sharedSeen.get(static_cast<size_t>(count) * lists.seenWords / 2 + 1));
  if (!lists.bounds || !lists.seen) abort();
  // A few rows against a wide B: split the columns (each thread copies only its share of B);
  // otherwise the rows (each thread copies the rows of B its own rows use).
  const bool splitColumns = count > 1 && m < 1024 && n >= 64 * count;
  SparseRowsJob job = {isa, &P, &a, &lists, count, splitColumns};
  SparseJob shared = {isa, &P, 1, count, &lists};
  if (count <= 1) {
    sparseRowsComputeTask(&job, 0, 1);
  } else if (splitColumns) {
    pool->run(sparseRowsBoundsTask, &job, count);
    pool->run(sharedComputeTask, &shared, count);
  } else {
    pool->run(sparseRowsComputeTask, &job, count);
  }
}

void sparseRowsGradient(const IsaKernels* isa, ThreadPool* pool, int threads, const SparseRows& a, int m, int k,
                        const float* d, int n, float* g, float* columnSums) {
  // Each thread copies D (m × n) and lists per column: fine for batches, not for a whole data set
  // at once, which the dense path handles a block at a time (the same limit as gemm's sparse path).
  if (!isa->sparseRows || m <= 0 || n <= 0 || k <= 0 || m > kSparseGradientLargestBatch) {
    // G = Aᵀ·D: gemm's A is the transposed dense rows.
    const GemmProblem dense = {k, n, m, m > 0 && k > 0 ? densify(a, m, k) : nullptr, 1, k, d, n, 1, g, n, nullptr, 0, columnSums};
    gemm(isa, pool, threads, dense);
    return;
  }
  const double flops = 2.0 * a.rowStarts[m] * n;
  const int count = flops < kParallelFlops ? 1 : std::min((k + 15) / 16, threads);
  // G's rows are the layer's inputs (k of them); the reduction runs over the m samples.
  GemmProblem P = {k, n, m, nullptr, 1, k, d, n, 1, g, n, nullptr, 0, columnSums};
  SparseRowsJob job = {isa, &P, &a, nullptr, count, false};
  if (count <= 1) {
    sparseRowsGradientTask(&job, 0, 1);
  } else {
    pool->run(sparseRowsGradientTask, &job, count);
  }
}

void setSparseThresholds(double forwardBelow, double gradientBelow) {
  if (forwardBelow >= 0) sparseForwardBelow = forwardBelow;
  if (gradientBelow >= 0) sparseGradientBelow = gradientBelow;
}

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
  if (sparseGemm(isa, pool, threads, P)) return;
  if (narrowGradientGemm(isa, pool, threads, P)) return;
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
