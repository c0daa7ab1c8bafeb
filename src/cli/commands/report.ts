/** `digitnet report MODEL --out DIR`: the HTML report of a saved model on the test set. */
import type { Command } from 'commander';
import { MODEL_FILE_HELP } from './convert.js';
import { describeEngine, getEngine } from '../../engine/select.js';
import { DATA_HELP, loadData, loadEvaluationSet, parseDataSource } from '../data.js';
import { loadCompiledModel } from '../model.js';
import { checkOutputFolder } from '../outputs.js';
import { print } from '../table.js';

export interface ReportOptions {
  out: string;
  data?: string;
}

export async function runReport(file: string, options: ReportOptions): Promise<string> {
  checkOutputFolder(options.out, '--out');
  const source = parseDataSource(options.data);
  const model = loadCompiledModel(file);
  const { name, set } = loadEvaluationSet(source);
  if (set.labels.length === 0) throw new Error(`${name} has no labels, so there is nothing to report against: use a labelled set.`);
  const train = loadData(source).train;
  const { writeRunReport } = await import('../../report/report-html.js');
  const { reportInputFromModel } = await import('../../report/from-model.js');
  const written = await writeRunReport(
    options.out,
    reportInputFromModel(model, set, { 'model file': file, 'evaluated on': name }, {
      title: `digitnet report ${file}`,
      engine: describeEngine(getEngine()),
      ...(train.labels.length > 0 && train !== set ? { trainLabels: train.labels } : {}),
    }),
  );
  print(`Report written to ${written.htmlPath}`);
  return written.htmlPath;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write report.html (confusion matrix, per-class scores, wrong digits, class balance) for a saved model')
    .argument('<model>', MODEL_FILE_HELP)
    .requiredOption('--out <dir>', 'folder for report.html, the charts (SVG and PNG) and metrics.json')
    .option('--data <source>', `report on another set: ${DATA_HELP}`)
    .action(async (file: string, options: ReportOptions) => {
      await runReport(file, options);
    });
}
