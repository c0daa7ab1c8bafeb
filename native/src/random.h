// The dropout hash, bit-exact with dropoutBits/dropoutThreshold in src/random/counter-hash.ts:
// element i's fate depends only on (seed, i), so every engine and thread count drops the same
// elements. Keep the two in step.
#ifndef DIGITNET_RANDOM_H
#define DIGITNET_RANDOM_H

#include <stdint.h>

namespace digitnet {

static inline uint32_t dropoutBits(uint32_t seed, uint32_t index) {
  uint32_t x = seed ^ (index * 0x9e3779b9u);
  x ^= x >> 16;
  x *= 0x21f0aaadu;
  x ^= x >> 15;
  x *= 0x735a2d97u;
  x ^= x >> 15;
  return x;
}

// Math.min(0xffffffff, Math.floor(rate * 2^32)); rate is checked to lie in [0, 1) by the caller.
static inline uint32_t dropoutThreshold(double rate) {
  double scaled = rate * 4294967296.0;
  if (!(scaled > 0)) return 0;
  if (scaled >= 4294967295.0) return 0xffffffffu;
  return static_cast<uint32_t>(scaled);  // truncation == floor for positive values
}

}  // namespace digitnet

#endif
