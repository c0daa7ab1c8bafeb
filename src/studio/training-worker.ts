/**
 * One training, in a worker thread so the server keeps answering (the page, drawing) at full
 * speed while the native engine trains, and so pause can block between batches. Uses only the
 * library's public API: build, compile, fit with a callback, evaluate, predict, save.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { earlyStopping, loadMnist, tensor, type Callback, type CallbackModel, type FitOptions, type Logs, type TrainingParams } from '../index.js';
import { buildModel, compileModel, targetsFor } from './model-spec.js';
import { CONTROL_STATE, PAUSED, STOPPING, type WorkerInput, type WorkerMessage } from './protocol.js';

const input = workerData as WorkerInput;
const control = new Int32Array(input.control);
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(message, transfer);

/** Streams throttled batch metrics, blocks while paused, and stops when asked. */
class StudioCallback implements Callback {
  private model: CallbackModel | undefined;
  private params: TrainingParams | undefined;
  private epoch = 0;
  private lastPost = 0;
  private epochStart = 0;
  private activeMs = 0;
  private lastActive = 0;

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    this.params = params;
    post({ type: 'begin', epochs: params.epochs, steps: params.steps, samples: params.samples });
  }

  onTrainBegin(): void {
    this.lastActive = performance.now();
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStart = performance.now();
  }

  onBatchEnd(batch: number, logs: Logs): void {
    const now = performance.now();
    this.activeMs += now - this.lastActive;
    this.lastActive = now;
    const params = this.params!;
    if (now - this.lastPost >= input.batchIntervalMs || batch === params.steps - 1) {
      this.lastPost = now;
      const step = this.epoch * params.steps + batch + 1;
      const samplesDone = step * (params.samples / params.steps);
      const samplesPerSecond = samplesDone / (this.activeMs / 1000);
      const samplesLeft = params.epochs * params.samples - samplesDone;
      post({ type: 'batch', point: { step, epoch: this.epoch, loss: logs.loss!, accuracy: logs.accuracy!, samplesPerSecond, eta: samplesLeft / samplesPerSecond } });
    }
    const state = Atomics.load(control, CONTROL_STATE);
    if (state === PAUSED) {
      post({ type: 'paused' });
      Atomics.wait(control, CONTROL_STATE, PAUSED);
      this.lastActive = performance.now();
      post({ type: 'resumed' });
    }
    if (Atomics.load(control, CONTROL_STATE) === STOPPING) this.model!.stopTraining = true;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    post({
      type: 'epoch',
      point: {
        epoch,
        loss: logs.loss!,
        accuracy: logs.accuracy!,
        ...(logs.val_loss === undefined ? {} : { val_loss: logs.val_loss, val_accuracy: logs.val_accuracy! }),
        seconds: (performance.now() - this.epochStart) / 1000,
      },
    });
  }
}

async function train(): Promise<void> {
  const { request } = input;
  const { training } = request;
  const { train: trainSet, test } = loadMnist();
  const count = training.limit === null ? trainSet.count : Math.min(training.limit, trainSet.count);
  const x = tensor(trainSet.images.subarray(0, count * 784), [count, ...request.model.inputShape]);
  const y = targetsFor(training.loss, trainSet.labels.subarray(0, count));
  const yTest = targetsFor(training.loss, test.labels);
  const xTest = tensor(test.images, [test.count, ...request.model.inputShape]);

  const model = buildModel(request.model, training.seed ?? undefined);
  compileModel(model, training);
  const callbacks: Callback[] = [new StudioCallback()];
  if (training.earlyStoppingPatience !== null && training.validation !== 'none') {
    callbacks.push(earlyStopping({ monitor: 'val_loss', patience: training.earlyStoppingPatience, restoreBestWeights: training.restoreBest }));
  }
  const options: FitOptions = {
    epochs: training.epochs,
    batchSize: training.batchSize,
    verbose: 0,
    callbacks,
    ...(training.seed === null ? {} : { seed: training.seed }),
    ...(training.validation === 'test' ? { validationData: [xTest, yTest] as const } : {}),
    ...(typeof training.validation === 'number' ? { validationSplit: training.validation } : {}),
  };
  const started = performance.now();
  const history = await model.fit(x, y, options);
  const trainSeconds = (performance.now() - started) / 1000;
  const stopped = Atomics.load(control, CONTROL_STATE) === STOPPING;
  post({ type: 'trained', stopped, trainSeconds, epochsDone: history.epoch.length });

  model.save(input.modelPath);
  const evaluation = model.evaluate(xTest, yTest, { batchSize: 256 });
  const probabilities = model.predict(xTest, { batchSize: 256 }).data as Float32Array;
  post({ type: 'evaluated', loss: evaluation.loss, accuracy: evaluation.accuracy, probabilities }, [probabilities.buffer as ArrayBuffer]);
}

train().catch((error: unknown) => {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
});
