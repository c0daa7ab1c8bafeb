import { dropoutBits } from '../random/counter-hash.js';
import type { AugmentSettings } from './engine.js';

/**
 * The plain reference of the native augmentation kernel (native/src/augment_body.h): the same draws
 * from the counter hash, the same geometry and the same order of operations, so the two agree to
 * float rounding. Each image's draws depend only on (seed, image index): deterministic for a seed,
 * whatever the number of threads.
 *
 * For output pixel (y, x), offset (dy, dx) from the image centre, the source point is
 *   centre + zoom · rotate(angle) · (dy, dx) − shift + alpha · blurred noise(y, x)
 * sampled bilinearly, reading 0 outside the image (Keras's fill_mode="constant").
 */
export function augmentImagesReference(
  input: Float32Array,
  output: Float32Array,
  rows: number,
  height: number,
  width: number,
  settings: AugmentSettings,
  seed: number,
): void {
  const pixels = height * width;
  const draws = augmentDrawsPerImage(height, width);
  const alpha = settings.elasticAlpha;
  const radius = alpha > 0 ? Math.ceil(3 * settings.elasticSigma) : 0;
  const taps = gaussianTaps(radius, settings.elasticSigma);
  const fieldY = new Float32Array(pixels);
  const fieldX = new Float32Array(pixels);
  const centerY = (height - 1) / 2;
  const centerX = (width - 1) / 2;
  for (let image = 0; image < rows; image++) {
    const base = (image * draws) >>> 0;
    const angle = uniform(seed, base) * settings.rotation;
    const shiftY = uniform(seed, base + 1) * settings.translateHeight * height;
    const shiftX = uniform(seed, base + 2) * settings.translateWidth * width;
    const zoomY = 1 + uniform(seed, base + 3) * settings.zoomHeight;
    const zoomX = settings.zoomWidth < 0 ? zoomY : 1 + uniform(seed, base + 4) * settings.zoomWidth;
    const cosine = Math.cos(angle);
    const sine = Math.sin(angle);
    if (alpha > 0) {
      elasticField(seed, base + 5, height, width, radius, taps, alpha, fieldY);
      elasticField(seed, base + 5 + pixels, height, width, radius, taps, alpha, fieldX);
    }
    const offset = image * pixels;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const dy = y - centerY;
        const dx = x - centerX;
        let sy = centerY + zoomY * (cosine * dy - sine * dx) - shiftY;
        let sx = centerX + zoomX * (sine * dy + cosine * dx) - shiftX;
        if (alpha > 0) {
          sy += fieldY[y * width + x]!;
          sx += fieldX[y * width + x]!;
        }
        const y0 = Math.floor(sy);
        const x0 = Math.floor(sx);
        const fy = sy - y0;
        const fx = sx - x0;
        const at = (row: number, column: number): number =>
          row >= 0 && row < height && column >= 0 && column < width ? input[offset + row * width + column]! : 0;
        output[offset + y * width + x] =
          (1 - fy) * (1 - fx) * at(y0, x0) + (1 - fy) * fx * at(y0, x0 + 1) + fy * (1 - fx) * at(y0 + 1, x0) + fy * fx * at(y0 + 1, x0 + 1);
      }
    }
  }
}

export function augmentDrawsPerImage(height: number, width: number): number {
  return 5 + 2 * height * width;
}

/** The hash's 32 bits as a value in [-1, 1). */
function uniform(seed: number, index: number): number {
  return dropoutBits(seed, index >>> 0) * (2 / 4294967296) - 1;
}

/** The normalized Gaussian's 2·radius + 1 weights, rounded to float as the native kernel keeps them. */
function gaussianTaps(radius: number, sigma: number): Float32Array {
  const taps = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let t = -radius; t <= radius; t++) total += Math.exp(-(t * t) / (2 * sigma * sigma));
  for (let t = -radius; t <= radius; t++) taps[t + radius] = Math.exp(-(t * t) / (2 * sigma * sigma)) / total;
  return taps;
}

/** Uniform noise in [-1, 1) per pixel, blurred by the Gaussian (zero outside), times alpha. */
function elasticField(seed: number, first: number, height: number, width: number, radius: number, taps: Float32Array, alpha: number, field: Float32Array): void {
  const noise = new Float32Array(height * width);
  for (let i = 0; i < height * width; i++) noise[i] = uniform(seed, first + i);
  const rows = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let t = -radius; t <= radius; t++) {
        const column = x + t;
        if (column >= 0 && column < width) sum += taps[t + radius]! * noise[y * width + column]!;
      }
      rows[y * width + x] = sum;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let t = -radius; t <= radius; t++) {
        const row = y + t;
        if (row >= 0 && row < height) sum += taps[t + radius]! * rows[row * width + x]!;
      }
      field[y * width + x] = alpha * sum;
    }
  }
}
