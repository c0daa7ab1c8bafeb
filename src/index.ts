/**
 * digitnet's public API: Keras's names and defaults in TypeScript spelling. A thin re-export;
 * each concept lives in its own folder.
 */
export { sequential, Sequential } from './models/sequential.js';
export type { CompileOptions, CompileConfig, Evaluation, EvaluateOptions, FitOptions, ModelConfig, SequentialOptions } from './models/sequential.js';
export type { SummaryRow } from './models/summary.js';
export type { TargetInput } from './trainers/data-adapters/array-data-adapter.js';

export { activation, Activation, dense, Dense, dropout, Dropout, flatten, Flatten, Layer } from './layers/index.js';
export {
  activityRegularization,
  ActivityRegularization,
  batchNormalization,
  BatchNormalization,
  gaussianNoise,
  GaussianNoise,
  layerNormalization,
  LayerNormalization,
  randomElasticTransform,
  RandomElasticTransform,
  randomRotation,
  RandomRotation,
  randomTranslation,
  RandomTranslation,
  randomZoom,
  RandomZoom,
} from './layers/index.js';
export { l1, l1l2, l2, type Regularizer, type RegularizerIdentifier } from './regularizers/regularizers.js';
export { maxNorm, nonNeg, unitNorm, type Constraint, type ConstraintIdentifier } from './constraints/constraints.js';
export type { ActivationOptions, DenseOptions, DropoutOptions, FlattenOptions, LayerConfig, Weight } from './layers/index.js';
export type { ActivationName } from './layers/activations.js';
export type { InitializerIdentifier, InitializerName } from './initializers/initializers.js';
export type { LossIdentifier, LossName } from './losses/losses.js';

export { adagrad, Adagrad, adam, Adam, adamax, Adamax, adamw, AdamW, lion, Lion, nadam, Nadam, Optimizer, rmsprop, RMSprop, sgd, SGD } from './optimizers/index.js';
export type {
  AdagradOptions,
  AdamaxOptions,
  AdamOptions,
  BaseOptimizerOptions,
  LionOptions,
  NadamOptions,
  OptimizerConfig,
  OptimizerIdentifier,
  OptimizerName,
  RmspropOptions,
  SgdOptions,
} from './optimizers/index.js';
export {
  cosineDecay,
  CosineDecay,
  cosineDecayRestarts,
  CosineDecayRestarts,
  exponentialDecay,
  ExponentialDecay,
  inverseTimeDecay,
  InverseTimeDecay,
  LearningRateSchedule,
  piecewiseConstantDecay,
  PiecewiseConstantDecay,
  polynomialDecay,
  PolynomialDecay,
} from './optimizers/schedules/index.js';
export type {
  CosineDecayOptions,
  CosineDecayRestartsOptions,
  ExponentialDecayOptions,
  InverseTimeDecayOptions,
  PiecewiseConstantDecayOptions,
  PolynomialDecayOptions,
  ScheduleConfig,
  SerializedSchedule,
} from './optimizers/schedules/index.js';

export { earlyStopping, EarlyStopping } from './callbacks/early-stopping.js';
export type { EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { History } from './callbacks/history.js';
export { ProgressBar } from './callbacks/progress-bar.js';
export type { Callback, CallbackModel, Logs, TrainingParams } from './callbacks/callback.js';

export { loadModel, saveModel } from './saving/model-file.js';
export { setRandomSeed } from './random/seed.js';

export { tensor, imagesOf } from './data/tensor.js';
export type { ImageSet, Tensor } from './data/tensor.js';
export { loadMnist, loadImageFolder } from './data/mnist.js';
export { readDigitCsv } from './data/csv.js';
export { readIdx } from './data/idx.js';
export {
  flatten as flattenSamples,
  normalize,
  toCategorical,
  classCounts,
  classProportions,
  takeFirst,
} from './data/transforms.js';
export { readDigitPng, prepareDigit } from './data/image.js';
export { renderDigit, renderDigitRow } from './data/terminal.js';

export { getEngine, describeEngine } from './engine/select.js';
export type { Engine } from './engine/engine.js';

export { buildMlp, buildPresetModel, DEFAULT_PRESET, findPreset, PRESETS } from './models/presets.js';
export type { HiddenLayer, Preset } from './models/presets.js';

export {
  argmaxRows,
  classDistribution,
  classificationReport,
  confusionMatrix,
  mostConfidentMistakes,
  formatClassificationReport,
  formatCompareTable,
  formatConfusionMatrix,
  classDistributionSpec,
  compareCurvesSpec,
  confusionMatrixSpec,
  digitGridSpec,
  trainingCurvesSpec,
  renderChart,
  renderSvg,
  svgToPng,
  digitPng,
  writeRunReport,
  writeCompareReport,
} from './report/index.js';
export type {
  ClassificationReport,
  CompareRow,
  CompareRun,
  RunReportInput,
  TrainingHistory,
} from './report/index.js';

export {
  builtInComparison,
  experimentReportInput,
  experimentSettings,
  hiddenLayersLabel,
  loadComparisonFile,
  parseComparison,
  resolveExperiment,
  runComparison,
  runExperiment,
  runResolvedExperiment,
} from './experiments/index.js';
export type {
  ComparisonOptions,
  ComparisonProgress,
  ComparisonResult,
  CustomExperimentConfig,
  ExperimentConfig,
  ExperimentResult,
  LoadComparisonOptions,
  PresetExperimentConfig,
  ReportedFigure,
  ResolvedExperiment,
  RunExperimentOptions,
} from './experiments/index.js';
export { modelSummaryOf, reportInputFromModel, reportInputFromRun, testResultsOf, trainingHistoryOf } from './report/from-model.js';
export type { RunReportSource } from './report/from-model.js';
