import { createOptimizer, type Optimizer, type OptimizerName } from './index.js';
import { cosineDecay } from './schedules/index.js';

/** The learning-rate schedules `train --schedule` and the presets offer. */
export const SCHEDULE_CHOICES = ['constant', 'cosine'] as const;
export type ScheduleChoice = (typeof SCHEDULE_CHOICES)[number];

/** An optimizer as the CLI, the presets and comparison files describe it: a name and a few settings. */
export interface OptimizerSettings {
  optimizer: OptimizerName;
  /** null keeps the optimizer's Keras default. */
  learningRate: number | null;
  /** Keras's weight_decay (AdamW's decoupled decay); absent or null keeps the optimizer's default. */
  weightDecay?: number | null;
  /** 'cosine' decays the rate to 0 over all `totalSteps` (cosineDecay); absent or 'constant' keeps it. */
  schedule?: ScheduleChoice | null;
  /**
   * With 'cosine': the rate first rises linearly from 1% of it to it over this many epochs, then
   * the cosine spans the rest (CosineDecay's warmupTarget and warmupSteps).
   */
  warmupEpochs?: number | null;
}

/** The length of the training a schedule spans. */
export interface TrainingLength {
  epochs: number;
  stepsPerEpoch: number;
}

/**
 * The optimizer those settings describe. With nothing but a name it stays the name, so that
 * compile() and the saved config see exactly what the notebooks wrote.
 */
export function configuredOptimizer(settings: OptimizerSettings, length: TrainingLength): Optimizer | OptimizerName {
  const schedule = settings.schedule ?? 'constant';
  if (settings.learningRate === null && settings.weightDecay == null && schedule === 'constant') return settings.optimizer;
  const initialLearningRate = settings.learningRate ?? createOptimizer(settings.optimizer).learningRate;
  const totalSteps = length.epochs * length.stepsPerEpoch;
  const warmupSteps = schedule === 'cosine' ? Math.min((settings.warmupEpochs ?? 0) * length.stepsPerEpoch, totalSteps - 1) : 0;
  const cosine = (): ReturnType<typeof cosineDecay> =>
    warmupSteps > 0
      ? cosineDecay({ initialLearningRate: initialLearningRate / 100, warmupTarget: initialLearningRate, warmupSteps, decaySteps: totalSteps - warmupSteps })
      : cosineDecay({ initialLearningRate, decaySteps: totalSteps });
  const config: Record<string, unknown> = { learningRate: schedule === 'cosine' ? cosine() : initialLearningRate };
  if (settings.weightDecay != null) config.weightDecay = settings.weightDecay;
  return createOptimizer(settings.optimizer, config);
}
