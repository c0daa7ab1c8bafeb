/**
 * digitnet's public API: Keras's names and defaults in TypeScript spelling. A thin re-export;
 * each concept lives in its own folder.
 */
import { installNotebookErrorFormat } from './notebook/errors.js';

// In a tslab notebook, digitnet's errors print as their one sentence rather than a stack of frames.
installNotebookErrorFormat();

export { sequential, Sequential } from './models/sequential.js';
export type { CompileOptions, CompileConfig, Evaluation, EvaluateOptions, FitOptions, ModelConfig, PredictOptions, SequentialOptions } from './models/sequential.js';
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
export { categoricalCrossentropy, meanSquaredError, sparseCategoricalCrossentropy } from './losses/loss-options.js';
export type { Loss, LossOptions } from './losses/loss-options.js';

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

export {
  accuracy,
  Accuracy,
  auc,
  AUC,
  categoricalAccuracy,
  CategoricalAccuracy,
  f1Score,
  F1Score,
  meanAbsoluteError,
  MeanAbsoluteError,
  meanSquaredErrorMetric,
  MeanSquaredError,
  Metric,
  METRIC_NAMES,
  precision,
  Precision,
  recall,
  Recall,
  sparseCategoricalAccuracy,
  SparseCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  topKCategoricalAccuracy,
  TopKCategoricalAccuracy,
} from './metrics/index.js';
export type { AucOptions, F1Average, F1ScoreOptions, MetricBatch, MetricConfig, MetricName, MetricOptions, ThresholdOptions, TopKOptions } from './metrics/index.js';
export type { KerasSpelled } from './naming.js';

export { earlyStopping, EarlyStopping } from './callbacks/early-stopping.js';
export type { EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { backupAndRestore, BackupAndRestore } from './callbacks/backup-and-restore.js';
export type { BackupAndRestoreOptions } from './callbacks/backup-and-restore.js';
export { csvLogger, CsvLogger } from './callbacks/csv-logger.js';
export type { CsvLoggerOptions } from './callbacks/csv-logger.js';
export { lambdaCallback } from './callbacks/lambda-callback.js';
export type { LambdaCallbackOptions } from './callbacks/lambda-callback.js';
export { learningRateScheduler, LearningRateScheduler } from './callbacks/learning-rate-scheduler.js';
export { formatFilepath, modelCheckpoint, ModelCheckpoint } from './callbacks/model-checkpoint.js';
export type { ModelCheckpointOptions } from './callbacks/model-checkpoint.js';
export { reduceLROnPlateau, ReduceLROnPlateau } from './callbacks/reduce-lr-on-plateau.js';
export type { ReduceLROnPlateauOptions } from './callbacks/reduce-lr-on-plateau.js';
export { terminateOnNaN, TerminateOnNaN } from './callbacks/terminate-on-nan.js';
export { History } from './callbacks/history.js';
export { ProgressBar } from './callbacks/progress-bar.js';
export type { Callback, CallbackModel, LoopSnapshot, Logs, ResumableLoop, TrainingParams } from './callbacks/callback.js';

export { exportModel, FORMATS, formatForLoading, formatForSaving, formatNamed, loadModel, loadWeights, registerFormat, saveModel, saveWeights } from './saving/formats.js';
export type { ExportOptions, ModelFormat } from './saving/formats.js';
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
export type { Engine, MatrixPrecision, PrecisionSupport, QuantizedKernel } from './engine/engine.js';
export { globalPolicy, setGlobalPolicy } from './precision/policy.js';
export type { DTypePolicyName } from './precision/policy.js';
export type { InferencePrecision } from './precision/inference.js';

export { buildMlp, buildPresetModel, DEFAULT_PRESET, findPreset, PRESETS } from './models/presets.js';
export type { HiddenLayer, Preset } from './models/presets.js';

export { Chart, plotClassBalance, plotCompare, plotConfusionMatrix, plotDigits, plotHistory } from './plots/index.js';
export type { PlotConfusionMatrixOptions, PlotDigitsOptions, PlotHistoryOptions } from './plots/index.js';
export { show } from './notebook/show.js';
export type { ShowOptions } from './notebook/show.js';
export { inNotebook } from './notebook/kernel.js';
export { argmax } from './report/labels.js';
export type { LabelsInput } from './report/labels.js';
export type { HistoryInput } from './report/history-input.js';

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

export { loadTfjs, saveTfjs, tfjsFormat } from './saving/tfjs/tfjs-format.js';
export { encodeOnnx, loadOnnx, onnxFormat, saveOnnx } from './saving/onnx/onnx-format.js';
