/**
 * Plain-data shapes the report functions accept. They deliberately know nothing of the model,
 * layer or engine classes, so a report can be written from a saved run as well as a live one.
 */

/**
 * What `model.fit` returns, in Keras's names. Every array has one entry per entry of `epoch`;
 * `epoch` holds whatever numbering the caller uses (Keras uses 0-based), and every other epoch
 * number given to the report functions (stoppedEpoch, bestEpoch) uses the same numbering.
 */
export interface TrainingHistory {
  readonly epoch: readonly number[];
  readonly loss: readonly number[];
  readonly accuracy: readonly number[];
  readonly val_loss?: readonly number[];
  readonly val_accuracy?: readonly number[];
}

/** One line of `model.summary()`. */
export interface ModelSummaryRow {
  /** Layer name, e.g. "dense_1". */
  readonly name: string;
  /** Layer class, e.g. "Dense". */
  readonly type: string;
  /** Keras-style shape text, e.g. "(None, 512)". */
  readonly outputShape: string;
  readonly params: number;
}

export interface ModelSummary {
  readonly rows: readonly ModelSummaryRow[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
}

/** A setting shown in the report's settings table; lists show comma-separated, objects as JSON. */
export type SettingValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly SettingValue[]
  | { readonly [key: string]: SettingValue };

/** Per-class scores as scikit-learn's classification_report computes them. */
export interface ClassScores {
  readonly label: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** How many samples truly belong to this class. */
  readonly support: number;
}

export interface AverageScores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

export interface ClassificationReport {
  readonly classes: readonly ClassScores[];
  readonly accuracy: number;
  readonly macroAverage: AverageScores;
  readonly weightedAverage: AverageScores;
  /** Number of samples. */
  readonly support: number;
}

/** A test sample the model got wrong, with how sure it was. */
export interface Mistake {
  /** Position of the sample in the test set. */
  readonly index: number;
  readonly trueLabel: number;
  readonly predictedLabel: number;
  /** Probability the model gave to its (wrong) prediction. */
  readonly probability: number;
  /** Probability the model gave to the true class. */
  readonly trueProbability: number;
}

export interface ClassDistribution {
  readonly counts: readonly number[];
  /** counts / total, 0 when total is 0. */
  readonly proportions: readonly number[];
  readonly total: number;
}

/** Test-set results: labels, the model's predicted probabilities and the digits themselves. */
export interface TestResults {
  /** n true labels, 0..9. */
  readonly labels: Uint8Array;
  /** n × classes probabilities, row-major (what `model.predict` returns). */
  readonly probabilities: Float32Array;
  /** n × rows × cols grey levels 0..255, 0 = background (MNIST convention). */
  readonly images: Uint8Array;
  /** Image height; 28 when omitted. */
  readonly rows?: number;
  /** Image width; 28 when omitted. */
  readonly cols?: number;
  /** Test loss as `model.evaluate` reported it, when known. */
  readonly loss?: number;
  /** Test accuracy as `model.evaluate` reported it; computed from the probabilities when omitted. */
  readonly accuracy?: number;
}

/** Everything a run's report shows. */
export interface RunReportInput {
  /** Page heading; "digitnet run report" when omitted. */
  readonly title?: string;
  /** The run's settings (command-line options, compile and fit arguments). */
  readonly settings: Readonly<Record<string, SettingValue>>;
  readonly modelSummary?: ModelSummary;
  readonly history?: TrainingHistory;
  /** Epoch at which early stopping ended training, in history.epoch's numbering. */
  readonly stoppedEpoch?: number;
  /** Epoch whose weights were restored as the best, in history.epoch's numbering. */
  readonly bestEpoch?: number;
  readonly test: TestResults;
  /** Training labels, for the class distribution (the test labels are always shown). */
  readonly trainLabels?: Uint8Array;
  /** Seconds spent per phase, e.g. { load: 0.8, train: 41.2, evaluate: 0.3 }, shown in this order. */
  readonly timings?: Readonly<Record<string, number>>;
  /** The engine that ran the model, e.g. "native (AVX-512 VNNI, 2 threads)". */
  readonly engine: string;
  /** Shown under the heading when given, e.g. an ISO date; omitted to keep output reproducible. */
  readonly generatedAt?: string;
  /** How many sample digits to show; 30 when omitted. */
  readonly sampleCount?: number;
  /** How many confidently wrong digits to show; 30 when omitted. */
  readonly mistakeCount?: number;
  /** Number of classes; 10 when omitted. */
  readonly classes?: number;
}

/** One model in a comparison. A row with `error` failed and shows that error instead of numbers. */
export interface CompareRow {
  readonly name: string;
  /** Hidden layers as text, e.g. "512-d0.2-512-d0.2", or as unit counts. */
  readonly hiddenLayers: string | readonly number[];
  readonly parameters?: number;
  readonly epochsRun?: number;
  readonly seconds?: number;
  readonly testLoss?: number;
  readonly testAccuracy?: number;
  /** The accuracy the seed notebook reported for this model (0..1), where it reported one. */
  readonly reportedAccuracy?: number;
  /** The loss the seed notebook reported, where it reported one. */
  readonly reportedLoss?: number;
  /** Where the reported figure comes from, e.g. "notebook 002". */
  readonly reportedSource?: string;
  /**
   * When the model was trained once per seed: the seeds, and each one's test accuracy in the same
   * order. testAccuracy, testLoss, seconds and epochsRun are then means over the seeds.
   */
  readonly seeds?: readonly number[];
  readonly seedAccuracies?: readonly number[];
  readonly error?: string;
}

/** One model's training history for the overlaid validation curves. */
export interface CompareRun {
  readonly name: string;
  readonly history: TrainingHistory;
}

/** A chart in both rendered forms plus the Vega-Lite spec it came from. */
export interface RenderedChart {
  /** File stem, e.g. "confusion-matrix". */
  readonly name: string;
  readonly title: string;
  readonly spec: object;
  readonly svg: string;
  readonly png: Buffer;
  /** Pixel size of the SVG (the PNG is this times the scale it was rendered at). */
  readonly width: number;
  readonly height: number;
}
