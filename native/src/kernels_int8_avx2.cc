// The int8 microkernel for AVX2 (no VNNI): per group of eight reduction steps, two vpmaddubsw
// (unsigned activations × signed weights, pairs summed in 16 bits) added in 16 bits, then one
// vpmaddwd against ones widens to 32 bits. With activations in 0..127 and weights in -63..63 a
// 16-bit lane holds at most 4 × 127 × 63 = 32004, so nothing saturates and the sums are exact.
#include "precision.h"

#if defined(DIGITNET_X86)

#include <immintrin.h>
#include <string.h>

namespace digitnet {

__attribute__((target("avx2,fma"))) void int8MicrokernelAvx2(int rows, int kPadded, const uint8_t* a, const int8_t* panel,
                                                             int32_t* out, const int* groups, int groupCount) {
  (void)rows;  // always kInt8Rows (the caller pads)
  static_assert(kInt8Rows == 4, "the kernel holds four rows");
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc[4][2];
  for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  const uint8_t* a0 = a;
  const uint8_t* a1 = a + kPadded;
  const uint8_t* a2 = a + 2L * kPadded;
  const uint8_t* a3 = a + 3L * kPadded;
  for (int step = 0; step < groupCount; step++) {
    const int g = groups[step];
    // Two groups of four p: 64 bytes each (16 columns × 4 p).
    const __m256i* b = reinterpret_cast<const __m256i*>(panel + static_cast<long>(g) * kInt8Group * kInt8PanelColumns);
    const __m256i b00 = _mm256_loadu_si256(b), b01 = _mm256_loadu_si256(b + 1);
    const __m256i b10 = _mm256_loadu_si256(b + 2), b11 = _mm256_loadu_si256(b + 3);
    const uint8_t* rowsA[4] = {a0, a1, a2, a3};
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++) {
      int32_t first, second;
      memcpy(&first, rowsA[r] + g * kInt8Group, 4);
      memcpy(&second, rowsA[r] + g * kInt8Group + 4, 4);
      const __m256i x0 = _mm256_set1_epi32(first), x1 = _mm256_set1_epi32(second);
      const __m256i low = _mm256_add_epi16(_mm256_maddubs_epi16(x0, b00), _mm256_maddubs_epi16(x1, b10));
      const __m256i high = _mm256_add_epi16(_mm256_maddubs_epi16(x0, b01), _mm256_maddubs_epi16(x1, b11));
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(low, ones));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(high, ones));
    }
  }
  for (int r = 0; r < 4; r++) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * kInt8PanelColumns), acc[r][0]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + r * kInt8PanelColumns + 8), acc[r][1]);
  }
}

}  // namespace digitnet

#endif
