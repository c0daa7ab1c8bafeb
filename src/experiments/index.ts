/** Training configurations one by one or side by side, as the seed notebooks compared their models. */
export {
  HIDDEN_ACTIVATIONS,
  hiddenLayersLabel,
  resolveExperiment,
  type CustomExperimentConfig,
  type ExperimentConfig,
  type ExperimentImages,
  type HiddenActivation,
  type PresetExperimentConfig,
  type ReportedFigure,
  type ResolvedExperiment,
} from './configs.js';
export {
  experimentReportInput,
  experimentSettings,
  imagesAs,
  runExperiment,
  runResolvedExperiment,
  targetsFor,
  type ExperimentData,
  type ExperimentReportOptions,
  type ExperimentResult,
  type RunExperimentOptions,
} from './run.js';
export {
  builtInComparison,
  loadComparisonFile,
  parseComparison,
  runComparison,
  type ComparisonOptions,
  type ComparisonProgress,
  type ComparisonResult,
  type LoadComparisonOptions,
} from './compare.js';
