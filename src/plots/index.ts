/** Charts from code, over the report's Vega-Lite charts: each returns a Chart (save, toSVG, toPNG, show). */
export { Chart } from './chart.js';
export { plotHistory, plotCompare, type PlotHistoryOptions } from './history.js';
export { plotConfusionMatrix, type PlotConfusionMatrixOptions } from './confusion.js';
export { plotDigits, type PlotDigitsOptions } from './digits.js';
export { plotClassBalance } from './balance.js';
