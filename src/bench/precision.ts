/**
 * The bench's reduced-precision figures, each against fp32 in the same run: a mixed_bfloat16 twin
 * of every model trained epoch by epoch in turn with the fp32 one (so that other work on a shared
 * machine slows both alike), and int8 prediction of the test set timed in turn with fp32's.
 */
import { performance } from 'node:perf_hooks';
import type { Sequential } from '../models/sequential.js';
import type { Tensor } from '../data/tensor.js';
import { median } from './format.js';

export interface Bf16Training {
  /** Seconds of each timed epoch as measured (on trainCount images). */
  epochSeconds: number[];
  /** Median epoch, scaled to 60,000 images. */
  secondsPerEpoch: number;
  bestSecondsPerEpoch: number;
  gflops: number;
  /** Against the bf16 peak (twice fp32's with avx512_bf16, fp32's where bf16 is emulated). */
  percentOfPeak: number | null;
  /** fp32's median epoch over bf16's, in the same run: above 1, bf16 is faster. */
  speedup: number;
  testAccuracy: number;
  /** What the bf16 products ran on: 'avx512_bf16' or 'emulated'. */
  ranOn: string;
}

export interface Int8Inference {
  /** model.predict of the 10,000 test images in one batch, median of the repeats. */
  int8Seconds: number;
  /** The same in fp32, each repeat right after an int8 one. */
  fp32Seconds: number;
  /** fp32 over int8: above 1, int8 is faster. */
  speedup: number;
  int8TestAccuracy: number;
  fp32TestAccuracy: number;
  ranOn: string;
}

/** An epoch-timing callback: pushes each epoch's seconds into `into`. */
export function epochTimer(into: number[], onEpoch?: (seconds: number, loss: number) => void) {
  let start = 0;
  return {
    onEpochBegin() {
      start = performance.now();
    },
    onEpochEnd(_epoch: number, logs: Record<string, number>) {
      const seconds = (performance.now() - start) / 1000;
      into.push(seconds);
      onEpoch?.(seconds, logs.loss ?? Number.NaN);
    },
  };
}

/**
 * Times predict(x) in one batch in fp32 and int8, alternating, `repeats` times each after one of
 * each as warm-up; and both accuracies on (x, labels).
 */
export function benchmarkInt8(model: Sequential, x: Tensor, labels: Uint8Array | Int32Array, repeats: number, ranOn: string): Int8Inference {
  const batchSize = x.shape[0]!;
  const int8: number[] = [];
  const fp32: number[] = [];
  for (let repeat = 0; repeat <= repeats; repeat++) {
    for (const precision of ['int8', 'float32'] as const) {
      const start = performance.now();
      model.predict(x, { batchSize, precision });
      const seconds = (performance.now() - start) / 1000;
      if (repeat > 0) (precision === 'int8' ? int8 : fp32).push(seconds);
    }
  }
  const evaluation = model.evaluate(x, labels, { batchSize: 1000, precision: 'int8' });
  const int8Seconds = median(int8);
  const fp32Seconds = median(fp32);
  return {
    int8Seconds,
    fp32Seconds,
    speedup: fp32Seconds / int8Seconds,
    int8TestAccuracy: evaluation.int8_accuracy!,
    fp32TestAccuracy: evaluation.accuracy,
    ranOn,
  };
}
