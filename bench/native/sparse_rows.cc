// The AVX-512 sparse-row kernel (IsaKernels::sparseRows) alone, on one thread, with its data hot:
// the first layer's forward product for a batch of 128 MNIST-like rows (150 nonzeros each, at
// random columns of 784) against a 784 × n weight matrix, cut into column blocks and reduction
// tiles as gemm.cc cuts it. It shows what the kernel itself reaches, apart from listing, copying
// and threads. Build and run from the repository root:
//   g++ -O3 -std=c++17 -I native/src bench/native/sparse_rows.cc native/src/kernels_avx512.cc -o /tmp/sparse_rows
//   /tmp/sparse_rows [columns=512] [tile=128] [block=64]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "kernels.h"

int main(int argc, char** argv) {
  using namespace digitnet;
  if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512vl")) {
    fprintf(stderr, "This benchmark needs AVX-512 (F, BW, VL), which this CPU does not have.\n");
    return 2;
  }
  const IsaKernels* isa = kernelsAvx512();
  const int rows = 128, depth = 784, nonzerosPerRow = 150;
  const int columns = argc > 1 ? atoi(argv[1]) : 512;
  const int tile = argc > 2 ? atoi(argv[2]) : 128;
  const int block = argc > 3 ? atoi(argv[3]) : 64;
  if (columns <= 0 || tile <= 0 || block <= 0 || block % 16 != 0 || columns % block != 0) {
    fprintf(stderr, "columns, tile and block must be positive, block a multiple of 16 dividing columns.\n");
    return 2;
  }

  // Each row's nonzeros in order of column, as listNonzero gives them.
  std::mt19937 random(1);
  std::vector<int> indices;
  std::vector<float> values;
  std::vector<int> all(depth);
  for (int r = 0; r < rows; r++) {
    for (int p = 0; p < depth; p++) all[p] = p;
    std::shuffle(all.begin(), all.end(), random);
    std::sort(all.begin(), all.begin() + nonzerosPerRow);
    for (int t = 0; t < nonzerosPerRow; t++) {
      indices.push_back(all[t]);
      values.push_back(0.5f);
    }
  }
  // bounds[tile * rows + r]: where row r's list reaches reduction tile `tile`.
  const int tiles = (depth + tile - 1) / tile;
  std::vector<int> bounds((tiles + 1) * rows);
  for (int r = 0; r < rows; r++) {
    int t = r * nonzerosPerRow;
    for (int k = 0; k < tiles; k++) {
      while (t < (r + 1) * nonzerosPerRow && indices[t] < k * tile) t++;
      bounds[k * rows + r] = t;
    }
    bounds[tiles * rows + r] = (r + 1) * nonzerosPerRow;
  }

  // B in blocks of `block` columns, each block's rows contiguous and 64-byte aligned (as gemm.cc's
  // alignedBlocks copies it).
  float* b = static_cast<float*>(aligned_alloc(64, sizeof(float) * depth * columns));
  float* out = static_cast<float*>(aligned_alloc(64, sizeof(float) * rows * columns));
  for (long i = 0; i < static_cast<long>(depth) * columns; i++) b[i] = 0.001f * static_cast<float>(i % 97);

  double best = 1e30;
  for (int repeat = 0; repeat < 200; repeat++) {
    const auto start = std::chrono::steady_clock::now();
    for (int j0 = 0; j0 < columns; j0 += block) {
      const float* panel = b + static_cast<long>(j0 / block) * depth * block;
      for (int k = 0; k < tiles; k++) {
        isa->sparseRows(rows, bounds.data() + k * rows, bounds.data() + (k + 1) * rows, indices.data(), values.data(),
                        panel, block, block, out + j0, columns, nullptr, k == 0 ? kInitZero : kAccumulate, 0);
      }
    }
    best = std::min(best, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  const double flops = 2.0 * rows * nonzerosPerRow * columns;
  printf("%d×%d (%d nonzeros a row) · %d×%d: best %.1f µs, %.1f GFLOP/s of real work, one thread\n", rows, depth,
         nonzerosPerRow, depth, columns, best, flops / best / 1e3);
  free(b);
  free(out);
  return 0;
}
