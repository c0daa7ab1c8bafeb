/**
 * Turns a picture of one handwritten digit into a 28×28 MNIST-style input, the way MNIST itself
 * was made: light ink on a black field, the digit's bounding box scaled (antialiased, aspect
 * kept) so its larger side is 20 px, then placed so its centre of mass sits at the field's
 * centre. On MNIST the centre of mass (row, column indices weighted by grey level) rounds to
 * (14, 14) for every image, so that is the target here.
 *
 * Pure arithmetic with no Node imports, so the studio's page bundles the same code it draws with.
 */
export const MNIST_SIDE = 28;
export const MNIST_BOX = 20;

export interface PrepareDigitOptions {
  /** true/false forces inversion; 'auto' (default) inverts when the border is light. */
  readonly invert?: boolean | 'auto';
  /** Grey level (0..255, after contrast stretching) above which a pixel counts as ink for the bounding box. */
  readonly threshold?: number;
}

/**
 * Grey level per pixel with alpha composited over white; accepts 1 (grey), 2 (grey+alpha),
 * 3 (RGB) or 4 (RGBA) channels, inferred from the array length.
 */
function toGray(pixels: ArrayLike<number>, width: number, height: number): Float64Array {
  const area = width * height;
  const channels = pixels.length / area;
  if (![1, 2, 3, 4].includes(channels)) {
    throw new RangeError(
      `A ${width}×${height} image needs ${area}, ${2 * area}, ${3 * area} or ${4 * area} values (grey, grey+alpha, RGB, RGBA), not ${pixels.length}.`,
    );
  }
  const gray = new Float64Array(area);
  for (let index = 0; index < area; index++) {
    const at = index * channels;
    let level: number;
    let alpha = 1;
    if (channels <= 2) {
      level = pixels[at]!;
      if (channels === 2) alpha = pixels[at + 1]! / 255;
    } else {
      // ITU-R BT.601 luma, as PIL's convert('L') uses.
      level = 0.299 * pixels[at]! + 0.587 * pixels[at + 1]! + 0.114 * pixels[at + 2]!;
      if (channels === 4) alpha = pixels[at + 3]! / 255;
    }
    gray[index] = level * alpha + 255 * (1 - alpha);
  }
  return gray;
}

function borderValues(values: Float64Array, width: number, height: number): number[] {
  const border: number[] = [];
  for (let column = 0; column < width; column++) {
    border.push(values[column]!);
    if (height > 1) border.push(values[(height - 1) * width + column]!);
  }
  for (let row = 1; row < height - 1; row++) {
    border.push(values[row * width]!);
    if (width > 1) border.push(values[row * width + width - 1]!);
  }
  return border;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Area-averaging weights from `source` cells onto `target` cells (each output cell averages the
 * input it covers, partial cells by their overlap) — antialiased when shrinking.
 */
function areaWeights(source: number, target: number): { first: number; weights: number[] }[] {
  const ratio = source / target;
  const result: { first: number; weights: number[] }[] = [];
  for (let out = 0; out < target; out++) {
    const start = out * ratio;
    const end = (out + 1) * ratio;
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let cell = first; cell < end && cell < source; cell++) {
      weights.push((Math.min(end, cell + 1) - Math.max(start, cell)) / ratio);
    }
    result.push({ first, weights });
  }
  return result;
}

function resample(
  values: Float64Array, width: number,
  left: number, top: number, boxWidth: number, boxHeight: number,
  outWidth: number, outHeight: number,
): Float64Array {
  const rowWeights = areaWeights(boxHeight, outHeight);
  const columnWeights = areaWeights(boxWidth, outWidth);
  const rowsDone = new Float64Array(outHeight * boxWidth);
  for (let out = 0; out < outHeight; out++) {
    const { first, weights } = rowWeights[out]!;
    for (let k = 0; k < weights.length; k++) {
      const sourceRow = (top + first + k) * width + left;
      const weight = weights[k]!;
      for (let column = 0; column < boxWidth; column++) rowsDone[out * boxWidth + column]! += weight * values[sourceRow + column]!;
    }
  }
  const result = new Float64Array(outHeight * outWidth);
  for (let row = 0; row < outHeight; row++) {
    for (let out = 0; out < outWidth; out++) {
      const { first, weights } = columnWeights[out]!;
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * rowsDone[row * boxWidth + first + k]!;
      result[row * outWidth + out] = sum;
    }
  }
  return result;
}

/**
 * Pixels of one digit (grey, grey+alpha, RGB or RGBA, row-major) → 784 MNIST grey levels.
 * Throws if the picture holds no ink.
 */
export function prepareDigit(
  pixels: ArrayLike<number>, width: number, height: number, options: PrepareDigitOptions = {},
): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`Image size ${width}×${height} is invalid: width and height must be positive integers.`);
  }
  const threshold = options.threshold ?? 40;
  if (!(threshold >= 0 && threshold < 255)) throw new RangeError(`threshold must be in 0..254, not ${threshold}.`);
  const gray = toGray(pixels, width, height);
  const area = width * height;

  const border = borderValues(gray, width, height);
  const invert = options.invert === undefined || options.invert === 'auto'
    ? border.reduce((sum, value) => sum + value, 0) / border.length > 127.5
    : options.invert;
  const ink = new Float64Array(area);
  for (let index = 0; index < area; index++) ink[index] = invert ? 255 - gray[index]! : gray[index]!;

  // Paper is rarely pure white nor pen pure black: take the border's median as the background
  // and stretch so the darkest ink becomes 255, like MNIST's full-range strokes.
  const background = median(borderValues(ink, width, height));
  let peak = 0;
  for (let index = 0; index < area; index++) peak = Math.max(peak, ink[index]!);
  const contrast = peak - background;
  if (contrast < 16) {
    throw new Error(
      `the image has no ink: every pixel is within ${Math.ceil(Math.max(contrast, 0))} grey levels of the background (at least 16 are needed to find a digit).`,
    );
  }
  for (let index = 0; index < area; index++) {
    ink[index] = Math.min(255, Math.max(0, ((ink[index]! - background) * 255) / contrast));
  }

  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      if (ink[row * width + column]! > threshold) {
        top = Math.min(top, row);
        bottom = Math.max(bottom, row);
        left = Math.min(left, column);
        right = Math.max(right, column);
      }
    }
  }
  if (bottom < 0) {
    throw new Error(`the image has no ink: no pixel is darker than the threshold ${threshold} after contrast stretching.`);
  }
  const boxWidth = right - left + 1;
  const boxHeight = bottom - top + 1;
  const scale = MNIST_BOX / Math.max(boxWidth, boxHeight);
  const outWidth = Math.min(MNIST_BOX, Math.max(1, Math.round(boxWidth * scale)));
  const outHeight = Math.min(MNIST_BOX, Math.max(1, Math.round(boxHeight * scale)));
  const box = resample(ink, width, left, top, boxWidth, boxHeight, outWidth, outHeight);

  let mass = 0;
  let rowMoment = 0;
  let columnMoment = 0;
  for (let row = 0; row < outHeight; row++) {
    for (let column = 0; column < outWidth; column++) {
      const value = box[row * outWidth + column]!;
      mass += value;
      rowMoment += row * value;
      columnMoment += column * value;
    }
  }
  const centre = MNIST_SIDE / 2;
  // Clamped so the whole box stays on the field: losing ink would hurt more than a shifted centre.
  const clamp = (offset: number, size: number): number => Math.min(MNIST_SIDE - size, Math.max(0, offset));
  const rowOffset = clamp(Math.round(centre - rowMoment / mass), outHeight);
  const columnOffset = clamp(Math.round(centre - columnMoment / mass), outWidth);

  const result = new Uint8Array(MNIST_SIDE * MNIST_SIDE);
  for (let row = 0; row < outHeight; row++) {
    for (let column = 0; column < outWidth; column++) {
      result[(row + rowOffset) * MNIST_SIDE + column + columnOffset] = Math.round(box[row * outWidth + column]!);
    }
  }
  return result;
}
