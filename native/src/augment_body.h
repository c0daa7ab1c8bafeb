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

// One field of uniform noise in [-1, 1), blurred by a normalized Gaussian (zero outside the image),
// times alpha, into field[height × width]. padded is (height + 2r) × (width + 2r), rows is
// (height + 2r) × width; both have zero borders (the caller clears them once per call).
static void elasticField(uint32_t seed, uint32_t first, int height, int width, int radius, const float* __restrict taps,
                         float alpha, float* __restrict padded, float* __restrict rows, float* __restrict field) {
  const int paddedWidth = width + 2 * radius;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      padded[(y + radius) * paddedWidth + x + radius] =
          static_cast<float>(augmentUniform(seed, first + static_cast<uint32_t>(y * width + x)));
  for (int y = 0; y < height; y++) {
    const float* source = padded + (y + radius) * paddedWidth;
    float* out = rows + (y + radius) * width;
    for (int x = 0; x < width; x++) out[x] = 0.0f;
    for (int t = 0; t <= 2 * radius; t++) {
      const float tap = taps[t];
      for (int x = 0; x < width; x++) out[x] += tap * source[x + t];
    }
  }
  for (int y = 0; y < height; y++) {
    float* out = field + y * width;
    for (int x = 0; x < width; x++) out[x] = 0.0f;
    for (int t = 0; t <= 2 * radius; t++) {
      const float tap = taps[t];
      const float* source = rows + (y + t) * width;
      for (int x = 0; x < width; x++) out[x] += tap * source[x];
    }
    for (int x = 0; x < width; x++) out[x] *= alpha;
  }
}

// Images [begin, end) of input (each height × width) warped into output. Scratch holds
// augmentScratchFloats(height, width, radius) floats, private to the calling thread.
static void augmentImagesKernel(const float* __restrict input, float* __restrict output, long begin, long end,
                                int height, int width, const double* settings, uint32_t seed, int radius,
                                const float* taps, float* scratch) {
  const double rotation = settings[0], translateHeight = settings[1], translateWidth = settings[2];
  const double zoomHeight = settings[3], zoomWidth = settings[4], alpha = settings[5];
  const long pixels = static_cast<long>(height) * width;
  const long draws = augmentDrawsPerImage(height, width);
  const double centerY = (height - 1) / 2.0, centerX = (width - 1) / 2.0;
  float* padded = scratch;
  float* rows = padded + (height + 2 * radius) * (width + 2 * radius);
  float* fieldY = rows + (height + 2 * radius) * width;
  float* fieldX = fieldY + pixels;
  for (long i = 0; i < (height + 2 * radius) * (width + 2 * radius); i++) padded[i] = 0.0f;
  for (long i = 0; i < (height + 2 * radius) * width; i++) rows[i] = 0.0f;
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
    float* out = output + image * pixels;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        const double dy = y - centerY, dx = x - centerX;
        double sy = centerY + zoomY * (cosine * dy - sine * dx) - shiftY;
        double sx = centerX + zoomX * (sine * dy + cosine * dx) - shiftX;
        if (alpha > 0) {
          sy += fieldY[y * width + x];
          sx += fieldX[y * width + x];
        }
        const double floorY = floor(sy), floorX = floor(sx);
        const double fy = sy - floorY, fx = sx - floorX;
        const long y0 = static_cast<long>(floorY), x0 = static_cast<long>(floorX);
        double value = 0;
        // Outside the image reads as 0 (Keras's fill_mode="constant", fill_value=0).
        if (y0 >= 0 && y0 < height) {
          if (x0 >= 0 && x0 < width) value += (1 - fy) * (1 - fx) * source[y0 * width + x0];
          if (x0 + 1 >= 0 && x0 + 1 < width) value += (1 - fy) * fx * source[y0 * width + x0 + 1];
        }
        if (y0 + 1 >= 0 && y0 + 1 < height) {
          if (x0 >= 0 && x0 < width) value += fy * (1 - fx) * source[(y0 + 1) * width + x0];
          if (x0 + 1 >= 0 && x0 + 1 < width) value += fy * fx * source[(y0 + 1) * width + x0 + 1];
        }
        out[y * width + x] = static_cast<float>(value);
      }
    }
  }
}
