/**
 * What every plot function returns: a Vega-Lite chart that renders on demand, to SVG or PNG,
 * into a file or inline in a notebook (`show(chart)`). Rendering is asynchronous because Vega's
 * is, so toSVG, toPNG and save return promises: `await chart.save('curves.svg')`.
 */
import { extname, resolve } from 'node:path';
import { inspect } from 'node:util';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../report/files.js';
import { renderSvg, svgToPng } from '../report/render.js';
import { formatValue } from '../validation.js';

const SAVE_FORMATS = ['.svg', '.png', '.json'] as const;

export class Chart {
  private svg: Promise<string> | undefined;

  constructor(
    /** File stem used when a chart is shown outside a notebook, e.g. "training-curves". */
    readonly name: string,
    readonly title: string,
    /** The Vega-Lite spec, for use with any Vega tool. */
    readonly spec: TopLevelSpec,
  ) {}

  /** The chart as SVG text (rendered once, then reused). */
  toSVG(): Promise<string> {
    this.svg ??= renderSvg(this.spec);
    return this.svg;
  }

  /** The chart as a PNG image, `scale` times the SVG's pixel size (2 by default). */
  async toPNG(scale = 2): Promise<Buffer> {
    if (typeof scale !== 'number' || !(scale > 0 && scale <= 8)) {
      throw new RangeError(`toPNG(): scale is ${formatValue(scale)}; it must be a number greater than 0 and at most 8.`);
    }
    return svgToPng(await this.toSVG(), scale);
  }

  /** Writes the chart as .svg, .png or .json (the Vega-Lite spec), chosen by the extension; returns the absolute path. */
  async save(path: string): Promise<string> {
    if (typeof path !== 'string' || path === '') throw new TypeError(`save(): path is ${formatValue(path)}; it must be a file name ending in .svg, .png or .json.`);
    const extension = extname(path).toLowerCase();
    if (!(SAVE_FORMATS as readonly string[]).includes(extension)) {
      throw new RangeError(`save(): "${path}" ends in "${extension}"; a chart saves as .svg, .png or .json.`);
    }
    const contents = extension === '.svg' ? await this.toSVG() : extension === '.png' ? await this.toPNG() : `${JSON.stringify(this.spec, null, 2)}\n`;
    const absolute = resolve(path);
    writeFileAtomic(absolute, contents);
    return absolute;
  }

  toString(): string {
    return `Chart "${this.title}"`;
  }

  /** What a notebook prints when a cell ends with a chart: how to see it. */
  [inspect.custom](): string {
    return `Chart "${this.title}" (show(chart) draws it; await chart.save('${this.name}.svg') writes it)`;
  }
}

export function isChart(value: unknown): value is Chart {
  return value instanceof Chart;
}
