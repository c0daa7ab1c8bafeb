/**
 * Digits drawn as text. A terminal cell is about twice as tall as wide, so each text line
 * shows two pixel rows and each column one pixel column, keeping the digit's proportions.
 */

export type DigitStyle = 'shades' | 'half-blocks';

export interface RenderDigitOptions {
  /** 'shades' (default) keeps grey levels with ' ░▒▓█' from the mean of the two rows;
   *  'half-blocks' keeps full vertical resolution with ▀▄█ at a 50% threshold. */
  readonly style?: DigitStyle;
}

const SHADES = [' ', '░', '▒', '▓', '█'] as const;

function checkSize(pixels: ArrayLike<number>, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`Digit size ${rows}×${cols} is invalid: rows and cols must be positive integers.`);
  }
  if (pixels.length !== rows * cols) {
    throw new RangeError(`A ${rows}×${cols} digit needs ${rows * cols} pixels, not ${pixels.length}.`);
  }
}

function shade(level: number): string {
  // Levels 0..255 split into five equal bands; only true background is blank.
  return SHADES[Math.min(SHADES.length - 1, Math.ceil((level / 255) * (SHADES.length - 1)))]!;
}

/** Renders grey levels (0 = background) as ceil(rows/2) lines of `cols` characters each. */
export function renderDigit(
  pixels: ArrayLike<number>, rows = 28, cols = 28, options: RenderDigitOptions = {},
): string {
  return renderLines(pixels, rows, cols, options).join('\n');
}

function renderLines(pixels: ArrayLike<number>, rows: number, cols: number, options: RenderDigitOptions): string[] {
  checkSize(pixels, rows, cols);
  const style = options.style ?? 'shades';
  const lines: string[] = [];
  for (let row = 0; row < rows; row += 2) {
    let line = '';
    for (let column = 0; column < cols; column++) {
      const upper = pixels[row * cols + column]!;
      const lower = row + 1 < rows ? pixels[(row + 1) * cols + column]! : 0;
      if (style === 'shades') {
        line += shade((upper + lower) / 2);
      } else {
        const upperOn = upper >= 128;
        const lowerOn = lower >= 128;
        line += upperOn ? (lowerOn ? '█' : '▀') : lowerOn ? '▄' : ' ';
      }
    }
    lines.push(line);
  }
  return lines;
}

export interface RenderDigitRowOptions extends RenderDigitOptions {
  readonly rows?: number;
  readonly cols?: number;
  /** Spaces between digits (default 2). */
  readonly gap?: number;
  /**
   * The widest a line may be, e.g. the terminal's columns: digits that do not fit go on further
   * rows, a blank line between. All on one row when omitted.
   */
  readonly width?: number;
}

/** Several digits side by side, each with its label (e.g. `7` or `7→1`) centred above it. */
export function renderDigitRow(
  images: readonly ArrayLike<number>[], labels: readonly (string | number)[], options: RenderDigitRowOptions = {},
): string {
  if (labels.length !== images.length) {
    throw new RangeError(`renderDigitRow got ${images.length} images but ${labels.length} labels; give one label per image.`);
  }
  const width = options.width;
  if (width !== undefined && (!Number.isInteger(width) || width < 1)) {
    throw new RangeError(`renderDigitRow width ${width} is invalid: give the widest line as a positive whole number of characters.`);
  }
  if (images.length === 0) return '';
  const cols = options.cols ?? 28;
  const gap = options.gap ?? 2;
  // A digit wider than the line still gets a row of its own.
  const perRow = width === undefined ? images.length : Math.max(1, Math.floor((width + gap) / (cols + gap)));
  const rows: string[] = [];
  for (let start = 0; start < images.length; start += perRow) {
    rows.push(digitsSideBySide(images.slice(start, start + perRow), labels.slice(start, start + perRow), options));
  }
  return rows.join('\n\n');
}

function digitsSideBySide(images: readonly ArrayLike<number>[], labels: readonly (string | number)[], options: RenderDigitRowOptions): string {
  const rows = options.rows ?? 28;
  const cols = options.cols ?? 28;
  const gap = ' '.repeat(options.gap ?? 2);
  const drawn = images.map((image) => renderLines(image, rows, cols, options));
  const header = labels
    .map((label) => {
      const text = String(label).slice(0, cols);
      const before = Math.floor((cols - text.length) / 2);
      return ' '.repeat(before) + text + ' '.repeat(cols - text.length - before);
    })
    .join(gap);
  const body = drawn[0]!.map((_, line) => drawn.map((lines) => lines[line]!).join(gap));
  return [header, ...body].map((line) => line.trimEnd()).join('\n');
}
