/** Charts, metrics, terminal tables and HTML reports of digitnet runs. */
export type * from './types.js';
export {
  accuracyOf,
  argmaxRows,
  checkHistory,
  classDistribution,
  classificationReport,
  confusionMatrix,
  historyFromCsv,
  historyToCsv,
  mostConfidentMistakes,
} from './metrics.js';
export {
  alignColumns,
  formatClassificationReport,
  formatCompareTable,
  formatConfusionMatrix,
  formatCount,
  formatNumber,
  formatPercent,
  formatSeconds,
} from './tables.js';
export {
  classDistributionSpec,
  compareCurvesSpec,
  confusionMatrixSpec,
  digitGridSpec,
  trainingCurvesSpec,
  type CurveMarks,
  type DigitTile,
} from './charts.js';
export { chartFont, renderChart, renderSvg, svgToPng, type ChartFont } from './render.js';
export { digitPng, pngDataUri, type DigitPngOptions } from './digits-png.js';
export { writeFileAtomic } from './files.js';
export { buildRunReport, writeRunReport, type BuiltRunReport, type RunMetrics, type RunReportResult } from './report-html.js';
export {
  buildCompareReport,
  compareCsv,
  writeCompareReport,
  type CompareReportOptions,
  type CompareReportResult,
} from './compare-html.js';
