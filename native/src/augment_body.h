// Image augmentation (random rotation, translation, zoom and Simard's elastic distortion), included
// inside each kernels_<isa>.cc namespace by kernels_body.h so the blur loops vectorize per ISA.
// Mirror of src/engine/augment-reference.ts: the same draws, the same geometry, in the same order.
// Each image's draws depend only on (seed, image index), so any split among threads gives the same
// images.

// Draws per image: 5 for the geometry, then one uniform value per pixel for each displacement field.
static inline long augmentDrawsPerImage(int height, int width) { return 5 + 2L * height * width; }

static inline double augmentUniform(uint32_t seed, uint32_t index) {
  // In [-1, 1): the hash's 32 bits scaled.
  return digitnet::dropoutBits(seed, index) * (2.0 / 4294967296.0) - 1.0;
}

// float(augmentUniform(seed, index)) bit for bit, in a form that vectorizes (int32 -> float
// conversions exist on every x86 ISA; uint32 -> double do not before AVX-512): bits·2^-31 - 1 is
// exactly (bits - 2^31)·2^-31, and rounding to float commutes with a power-of-two scale.
static inline float augmentUniformFloat(uint32_t seed, uint32_t index) {
  return static_cast<float>(static_cast<int32_t>(digitnet::dropoutBits(seed, index) ^ 0x80000000u)) * (1.0f / 2147483648.0f);
}

// The blur works on groups of four blocks of eight columns, each block one vector (two on SSE):
// the four sums are independent, so their multiply-adds overlap instead of each waiting for the
// one before (a loop over whole rows would instead load and store each output once per tap).
static const int kBlurBlock = digitnet::kAugmentBlurBlock;
static const int kBlurGroup = digitnet::kAugmentBlurGroup;
typedef float BlurBlock __attribute__((vector_size(digitnet::kAugmentBlurBlock * sizeof(float))));
// The sampling's frame of zeros: two rows and columns, so a corner clamped into it whose two rows
// (or columns) both lie outside the image reads zeros.
static const int kFrameBorder = digitnet::kAugmentFrameBorder;

// Not std::min/max: kernels_body.h keeps C++ templates out of ISA-targeted code.
static inline int smallerOf(int a, int b) { return a < b ? a : b; }
static inline int largerOf(int a, int b) { return a > b ? a : b; }

static inline BlurBlock loadBlock(const float* source) {
  BlurBlock block;
  __builtin_memcpy(&block, source, sizeof block);
  return block;
}

// The first `lanes` (at most kBlurGroup · kBlurBlock) columns of a group of sums into out.
static inline void storeGroup(float* out, const BlurBlock* sums, float factor, int lanes) {
  for (int b = 0; b < kBlurGroup && b * kBlurBlock < lanes; b++) {
    const BlurBlock block = sums[b] * factor;
    const int count = smallerOf(kBlurBlock, lanes - b * kBlurBlock);
    if (count == kBlurBlock) __builtin_memcpy(out + b * kBlurBlock, &block, sizeof block);
    else
      for (int i = 0; i < count; i++) out[b * kBlurBlock + i] = block[i];
  }
}

// One field of uniform noise in [-1, 1), blurred by a normalized Gaussian (zero outside the image),
// times alpha, into field[height × width]. padded is (height + 2r) × (width + 2r) and rows is
// (height + 2r) × width, both with zero borders (the caller clears them once per call) and a
// group's floats of slack after them, read by a last group's unused lanes.
//
// Two rows at a time, each in a group of four blocks: eight independent sums, enough to keep both
// multiply-add units busy. Each output adds its taps in order from +0, as the plain loops of the
// reference do; taps that read the zero border add exactly +0, so which of them a pair of rows or
// a group of columns includes changes nothing. An odd last row is computed twice and kept once.
static void elasticField(uint32_t seed, uint32_t first, int height, int width, int radius, const float* __restrict taps,
                         float alpha, float* __restrict padded, float* __restrict rows, float* __restrict field) {
  const int paddedWidth = width + 2 * radius;
  const int groupWidth = kBlurGroup * kBlurBlock;
  for (int y = 0; y < height; y++) {
    float* noise = padded + (y + radius) * paddedWidth + radius;
    const uint32_t rowFirst = first + static_cast<uint32_t>(y * width);
    for (int x = 0; x < width; x++) noise[x] = augmentUniformFloat(seed, rowFirst + static_cast<uint32_t>(x));
  }
  for (int y = 0; y < height; y += 2) {
    const int second = y + 1 < height ? 1 : 0;
    const float* source = padded + (y + radius) * paddedWidth;
    for (int x0 = 0; x0 < width; x0 += groupWidth) {
      // Taps before firstTap or after lastTap read only the zero border, for every lane.
      const int firstTap = largerOf(0, radius - (x0 + groupWidth - 1));
      const int lastTap = smallerOf(2 * radius, radius + width - 1 - x0);
      BlurBlock top[kBlurGroup] = {}, bottom[kBlurGroup] = {};
      for (int t = firstTap; t <= lastTap; t++)
        for (int b = 0; b < kBlurGroup; b++) {
          top[b] += taps[t] * loadBlock(source + x0 + b * kBlurBlock + t);
          bottom[b] += taps[t] * loadBlock(source + second * paddedWidth + x0 + b * kBlurBlock + t);
        }
      storeGroup(rows + (y + radius) * width + x0, top, 1.0f, width - x0);
      storeGroup(rows + (y + radius + second) * width + x0, second ? bottom : top, 1.0f, width - x0);
    }
  }
  for (int y = 0; y < height; y += 2) {
    const int second = y + 1 < height ? 1 : 0;
    // Taps outside [firstTap, lastTap] read only the zero border rows, for both rows.
    const int firstTap = largerOf(0, radius - y - second);
    const int lastTap = smallerOf(2 * radius, radius + height - 1 - y);
    for (int x0 = 0; x0 < width; x0 += groupWidth) {
      BlurBlock top[kBlurGroup] = {}, bottom[kBlurGroup] = {};
      for (int t = firstTap; t <= lastTap; t++) {
        const float* source = rows + (y + t) * width + x0;
        for (int b = 0; b < kBlurGroup; b++) {
          top[b] += taps[t] * loadBlock(source + b * kBlurBlock);
          bottom[b] += taps[t] * loadBlock(source + second * width + b * kBlurBlock);
        }
      }
      storeGroup(field + y * width + x0, top, alpha, width - x0);
      if (second) storeGroup(field + (y + 1) * width + x0, bottom, alpha, width - x0);
    }
  }
}

// The sampling works on four columns at once, in double as the reference does.
static const int kSampleLanes = 4;
typedef double SampleLanes __attribute__((vector_size(4 * sizeof(double))));
typedef float SampleFloats __attribute__((vector_size(4 * sizeof(float))));
typedef int32_t SampleIndices __attribute__((vector_size(4 * sizeof(int32_t))));

static inline SampleFloats loadFour(const float* source) {
  SampleFloats four;
  __builtin_memcpy(&four, source, sizeof four);
  return four;
}

// The four corners of each lane's bilinear sample: offsets index the top-left corner in frame.
struct Corners {
  SampleFloats topLeft, topRight, bottomLeft, bottomRight;
};

#if defined(DIGITNET_AUGMENT_AVX2)
// AVX2 (the kernels_<isa>.cc that include <immintrin.h> and target it define the macro): one
// instruction for floor, for each clamp and for widening four floats (which GCC otherwise does
// two at a time), and each lane's two corners of a row read as one pair.
static inline SampleLanes widen(SampleFloats four) { return _mm256_cvtps_pd(four); }

static inline SampleLanes floorLanes(SampleLanes value) { return _mm256_floor_pd(value); }

static inline SampleLanes clampLanes(SampleLanes value, double lowest, double highest) {
  return _mm256_max_pd(_mm256_set1_pd(lowest), _mm256_min_pd(_mm256_set1_pd(highest), value));
}

static inline __m128 twoPairs(const float* first, const float* second) {
  return _mm_loadh_pi(_mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(first))), reinterpret_cast<const __m64*>(second));
}

static inline Corners cornersAt(const float* frame, SampleIndices offsets, int frameWidth) {
  const float *a = frame + offsets[0], *b = frame + offsets[1], *c = frame + offsets[2], *d = frame + offsets[3];
  const __m128 topAB = twoPairs(a, b), topCD = twoPairs(c, d);
  const __m128 bottomAB = twoPairs(a + frameWidth, b + frameWidth), bottomCD = twoPairs(c + frameWidth, d + frameWidth);
  return {_mm_shuffle_ps(topAB, topCD, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(topAB, topCD, _MM_SHUFFLE(3, 1, 3, 1)),
          _mm_shuffle_ps(bottomAB, bottomCD, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(bottomAB, bottomCD, _MM_SHUFFLE(3, 1, 3, 1))};
}
#else
// floor of each lane, exact: truncated toward zero, then one less where that rounded up. Lanes are
// first kept within ±2^30, far outside any frame (they then read zeros either way), so that the
// truncation to int32 cannot overflow.
static inline SampleLanes floorLanes(SampleLanes value) {
  const double limit = 1073741824.0;
  const SampleLanes kept = value < -limit ? -limit : (value > limit ? limit : value);
  const SampleLanes truncated = __builtin_convertvector(__builtin_convertvector(kept, SampleIndices), SampleLanes);
  return truncated - (truncated > kept ? 1.0 : 0.0);
}

static inline SampleLanes widen(SampleFloats four) { return __builtin_convertvector(four, SampleLanes); }

static inline SampleLanes clampLanes(SampleLanes value, double lowest, double highest) {
  return value < lowest ? lowest : (value > highest ? highest : value);
}

static inline Corners cornersAt(const float* frame, SampleIndices offsets, int frameWidth) {
  Corners corners;
  for (int i = 0; i < kSampleLanes; i++) {
    const float* corner = frame + offsets[i];
    corners.topLeft[i] = corner[0];
    corners.topRight[i] = corner[1];
    corners.bottomLeft[i] = corner[frameWidth];
    corners.bottomRight[i] = corner[frameWidth + 1];
  }
  return corners;
}
#endif

// Images [begin, end) of input (each height × width) warped into output. Scratch holds
// augmentScratchFloats(height, width, radius) floats, private to the calling thread.
//
// The sampling reads each image from a copy framed by zeros, with the corner clamped into the
// frame, instead of testing each of the four reads against the image's bounds: a read outside
// adds weight · 0 = +0, which is what skipping it gives, so the result is bit for bit the
// reference's, and the loop has no branches for the compiler to keep it from vectorizing.
static void augmentImagesKernel(const float* __restrict input, float* __restrict output, long begin, long end,
                                int height, int width, const double* settings, uint32_t seed, int radius,
                                const float* taps, float* scratch) {
  const double rotation = settings[0], translateHeight = settings[1], translateWidth = settings[2];
  const double zoomHeight = settings[3], zoomWidth = settings[4], alpha = settings[5];
  const long pixels = static_cast<long>(height) * width;
  const long draws = augmentDrawsPerImage(height, width);
  const double centerY = (height - 1) / 2.0, centerX = (width - 1) / 2.0;
  const int frameWidth = width + 2 * kFrameBorder;
  const long paddedFloats = static_cast<long>(height + 2 * radius) * (width + 2 * radius) + digitnet::kAugmentBlurSlack;
  float* padded = scratch;
  float* rows = padded + paddedFloats;
  const long rowsFloats = static_cast<long>(height + 2 * radius) * width + digitnet::kAugmentBlurSlack;
  float* fieldY = rows + rowsFloats;
  float* fieldX = fieldY + pixels;
  float* frame = fieldX + pixels;
  const long frameFloats = static_cast<long>(height + 2 * kFrameBorder) * frameWidth;
  for (long i = 0; i < paddedFloats; i++) padded[i] = 0.0f;
  for (long i = 0; i < rowsFloats; i++) rows[i] = 0.0f;
  // Without elastic distortion the fields stay zero: adding +0 to a coordinate changes nothing.
  for (long i = 0; i < 2 * pixels; i++) fieldY[i] = 0.0f;
  for (long i = 0; i < frameFloats; i++) frame[i] = 0.0f;
  float* frameImage = frame + kFrameBorder * frameWidth + kFrameBorder;
  const double lowest = -kFrameBorder, highestY = height, highestX = width;
  for (long image = begin; image < end; image++) {
    const uint32_t base = static_cast<uint32_t>(image * draws);
    const double angle = augmentUniform(seed, base) * rotation;
    const double shiftY = augmentUniform(seed, base + 1) * translateHeight * height;
    const double shiftX = augmentUniform(seed, base + 2) * translateWidth * width;
    const double zoomY = 1.0 + augmentUniform(seed, base + 3) * zoomHeight;
    // A negative zoomWidth keeps the aspect ratio (Keras's width_factor=None).
    const double zoomX = zoomWidth < 0 ? zoomY : 1.0 + augmentUniform(seed, base + 4) * zoomWidth;
    const double cosine = cos(angle), sine = sin(angle);
    if (alpha > 0) {
      elasticField(seed, base + 5, height, width, radius, taps, static_cast<float>(alpha), padded, rows, fieldY);
      elasticField(seed, base + 5 + static_cast<uint32_t>(pixels), height, width, radius, taps,
                   static_cast<float>(alpha), padded, rows, fieldX);
    }
    const float* source = input + image * pixels;
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++) frameImage[y * frameWidth + x] = source[y * width + x];
    float* out = output + image * pixels;
    for (int y = 0; y < height; y++) {
      const double dy = y - centerY;
      int x = 0;
      for (; x + kSampleLanes <= width; x += kSampleLanes) {
        const SampleLanes dx = SampleLanes{0, 1, 2, 3} + (x - centerX);
        const SampleLanes sy = centerY + zoomY * (cosine * dy - sine * dx) - shiftY + widen(loadFour(fieldY + y * width + x));
        const SampleLanes sx = centerX + zoomX * (sine * dy + cosine * dx) - shiftX + widen(loadFour(fieldX + y * width + x));
        const SampleLanes floorY = floorLanes(sy), floorX = floorLanes(sx);
        const SampleLanes fy = sy - floorY, fx = sx - floorX;
        const SampleIndices at = __builtin_convertvector(clampLanes(floorY, lowest, highestY), SampleIndices) * frameWidth +
                                 __builtin_convertvector(clampLanes(floorX, lowest, highestX), SampleIndices);
        const Corners corners = cornersAt(frameImage, at, frameWidth);
        SampleLanes value = (1 - fy) * (1 - fx) * widen(corners.topLeft);
        value += (1 - fy) * fx * widen(corners.topRight);
        value += fy * (1 - fx) * widen(corners.bottomLeft);
        value += fy * fx * widen(corners.bottomRight);
        const SampleFloats narrowed = __builtin_convertvector(value, SampleFloats);
        __builtin_memcpy(out + y * width + x, &narrowed, sizeof narrowed);
      }
      for (; x < width; x++) {
        const double dx = x - centerX;
        const double sy = centerY + zoomY * (cosine * dy - sine * dx) - shiftY + fieldY[y * width + x];
        const double sx = centerX + zoomX * (sine * dy + cosine * dx) - shiftX + fieldX[y * width + x];
        const double floorY = floor(sy), floorX = floor(sx);
        const double fy = sy - floorY, fx = sx - floorX;
        const double cornerY = floorY < lowest ? lowest : (floorY > highestY ? highestY : floorY);
        const double cornerX = floorX < lowest ? lowest : (floorX > highestX ? highestX : floorX);
        const float* corner = frameImage + static_cast<int>(cornerY) * frameWidth + static_cast<int>(cornerX);
        double value = (1 - fy) * (1 - fx) * corner[0];
        value += (1 - fy) * fx * corner[1];
        value += fy * (1 - fx) * corner[frameWidth];
        value += fy * fx * corner[frameWidth + 1];
        out[y * width + x] = static_cast<float>(value);
      }
    }
  }
}
