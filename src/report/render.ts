import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatValue } from '../validation.js';
import type { RenderedChart } from './types.js';

/** Where the chart text font came from: an npm package (same everywhere), the system, or nowhere. */
export interface ChartFont {
  readonly source: 'package' | 'system' | 'none';
  readonly files: readonly string[];
  readonly family: string;
}

const fontFamily = 'DejaVu Sans';
const fontFileNames = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];
const systemFontFolders = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/TTF', '/usr/share/fonts/dejavu', '/Library/Fonts'];

let cachedFont: ChartFont | undefined;

/**
 * The font resvg draws chart text with. The `dejavu-fonts-ttf` package comes first so PNGs look
 * the same on every machine; an installed DejaVu is next; otherwise resvg falls back to whatever
 * fonts the system has (text may then be missing from PNGs, never from SVGs).
 */
export function chartFont(): ChartFont {
  if (cachedFont) return cachedFont;
  const folders: [ChartFont['source'], string][] = [];
  try {
    const require = createRequire(import.meta.url);
    folders.push(['package', join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf')]);
  } catch {
    // The package is optional: fall through to the system's fonts.
  }
  for (const folder of systemFontFolders) folders.push(['system', folder]);
  for (const [source, folder] of folders) {
    const files = fontFileNames.map((name) => join(folder, name));
    if (existsSync(files[0]!)) {
      cachedFont = { source, files: files.filter((file) => existsSync(file)), family: fontFamily };
      return cachedFont;
    }
  }
  cachedFont = { source: 'none', files: [], family: '' };
  return cachedFont;
}

/**
 * Compiles a Vega-Lite spec and renders it to SVG text, headless (no browser, no canvas).
 * Asynchronous, as Vega's rendering is: `const svg = await renderSvg(spec)`.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new TypeError(`renderSvg() takes a Vega-Lite spec object (e.g. from trainingCurvesSpec); got ${formatValue(spec)}.`);
  }
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises SVG text to PNG at `scale` times its size (2 by default, for sharp text on high-DPI screens). */
export function svgToPng(svg: string, scale = 2): Buffer {
  if (!(scale > 0 && scale <= 8)) throw new RangeError(`scale is ${scale}; it must be greater than 0 and at most 8.`);
  const font = chartFont();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      // With the bundled font found, skip scanning system fonts: faster and machine-independent.
      loadSystemFonts: font.source === 'none',
      fontFiles: [...font.files],
      ...(font.family ? { defaultFontFamily: font.family, sansSerifFamily: font.family } : {}),
    },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}

function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  if (!match) throw new Error('The rendered SVG has no width and height attributes.');
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** Renders a spec to both SVG and PNG. */
export async function renderChart(name: string, title: string, spec: TopLevelSpec, scale = 2): Promise<RenderedChart> {
  const svg = await renderSvg(spec);
  return { name, title, spec, svg, png: svgToPng(svg, scale), ...svgSize(svg) };
}
