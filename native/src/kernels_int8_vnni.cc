// The int8 microkernel for AVX512_VNNI: one vpdpbusd per row and group of four reduction steps
// adds 16 columns × 4 products (unsigned activations × signed weights) into 32-bit sums. Same
// layout and the same exact integer sums as the AVX2 kernel and the reference.
#include "precision.h"

#if defined(DIGITNET_X86)

#include <immintrin.h>
#include <string.h>

namespace digitnet {

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) void int8MicrokernelVnni(int rows, int kPadded, const uint8_t* a,
                                                                                        const int8_t* panel, int32_t* out,
                                                                                        const int* groups, int groupCount) {
  (void)rows;  // always kInt8Rows (the caller pads)
  static_assert(kInt8Rows == 4, "the kernel holds four rows");
  __m512i acc[4][2];
  for (int r = 0; r < 4; r++) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  for (int step = 0; step < groupCount; step++) {
    const int g = groups[step];
    const int8_t* b = panel + static_cast<long>(g) * kInt8Group * kInt8PanelColumns;
    // 16 columns × 4 p per 64 bytes: the group's two quads. Two accumulators per row keep two
    // independent chains (the sum of both is the same integer).
    const __m512i b0 = _mm512_loadu_si512(b), b1 = _mm512_loadu_si512(b + 64);
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++) {
      int32_t first, second;
      memcpy(&first, a + static_cast<long>(r) * kPadded + g * kInt8Group, 4);
      memcpy(&second, a + static_cast<long>(r) * kPadded + g * kInt8Group + 4, 4);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], _mm512_set1_epi32(first), b0);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], _mm512_set1_epi32(second), b1);
    }
  }
  for (int r = 0; r < 4; r++) _mm512_storeu_si512(out + r * kInt8PanelColumns, _mm512_add_epi32(acc[r][0], acc[r][1]));
}

}  // namespace digitnet

#endif
