/** The preset list shown in `digitnet train --help` (and pasted into the README). */
import { DEFAULT_PRESET, PRESETS, type Preset } from '../models/presets.js';
import { formatTable } from './table.js';

/** "98.04% test" or "91% validation": the figure the preset's notebook printed. */
export function reportedFigure(preset: Preset): string {
  if (!preset.reported) return '—';
  const percent = preset.reported.accuracy * 100;
  // The notebooks print 91% and 98.04%: keep the precision they gave.
  const text = Number.isInteger(Math.round(percent * 100) / 100) ? percent.toFixed(0) : percent.toFixed(2).replace(/0$/, '');
  return `${text}% ${preset.reported.metric === 'test accuracy' ? 'test' : 'validation'}`;
}

/**
 * An aligned table of every preset: name, notebook, reported accuracy, description. With
 * `markdown`, a Markdown table for the README instead.
 */
export function formatPresetList(options: { markdown?: boolean } = {}): string {
  const header = ['preset', 'notebook', 'reported', 'model and training'];
  const rows = PRESETS.map((preset) => [
    preset.name + (preset.name === DEFAULT_PRESET && !options.markdown ? '*' : ''),
    preset.notebook,
    reportedFigure(preset),
    preset.description,
  ]);
  if (options.markdown) {
    const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
    const line = (cells: readonly string[]): string => `| ${cells.map(escape).join(' | ')} |`;
    const markdownRows = rows.map((row) => {
      const [name, ...rest] = row;
      return [`\`${name}\``, ...rest];
    });
    return [line(header), line(header.map(() => '---')), ...markdownRows.map(line)].join('\n');
  }
  return formatTable(header, rows, ['left', 'left', 'right', 'left']);
}
