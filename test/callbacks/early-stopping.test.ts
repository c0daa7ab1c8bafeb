import assert from 'node:assert/strict';
import { test } from 'node:test';
import { earlyStopping, type CallbackModel } from '../../src/index.js';

/** A model whose only weight records the epoch it was set at, so restoring is visible. */
function fakeModel(): CallbackModel & { epoch: number } {
  return {
    epoch: 0,
    stopTraining: false,
    weights: [],
    optimizer: undefined,
    save() {},
    getWeights() {
      return [Float32Array.of(this.epoch)];
    },
    setWeights(weights) {
      this.epoch = weights[0]![0]!;
    },
  };
}

function run(options: Parameters<typeof earlyStopping>[0], losses: number[]) {
  const model = fakeModel();
  const callback = earlyStopping(options);
  callback.setModel(model);
  callback.onTrainBegin();
  let epochsRun = 0;
  for (let epoch = 0; epoch < losses.length && !model.stopTraining; epoch++) {
    model.epoch = epoch;
    callback.onEpochEnd(epoch, { val_loss: losses[epoch]!, val_accuracy: 1 - losses[epoch]! });
    epochsRun++;
  }
  callback.onTrainEnd();
  return { model, callback, epochsRun };
}

test('stops after patience epochs without improvement and restores the best epoch', () => {
  const { model, callback, epochsRun } = run({ patience: 2, restoreBestWeights: true }, [1.0, 0.8, 0.9, 0.85, 0.7]);
  assert.equal(epochsRun, 4);
  assert.equal(callback.stoppedEpoch, 3);
  assert.equal(callback.bestEpoch, 1);
  assert.equal(model.epoch, 1);
  assert.equal(callback.restored, true);
});

test('restores the best weights at the end even when training runs every epoch, as Keras 3', () => {
  const { model, callback, epochsRun } = run({ patience: 10, restoreBestWeights: true }, [1.0, 0.6, 0.7, 0.65]);
  assert.equal(epochsRun, 4);
  assert.equal(callback.stoppedEpoch, undefined);
  assert.equal(model.epoch, 1);
});

test('minDelta, mode and the monitored value follow Keras', () => {
  // Improvements smaller than minDelta do not count.
  assert.equal(run({ patience: 1, minDelta: 0.1 }, [1.0, 0.95, 0.92, 0.5]).callback.stoppedEpoch, 1);
  // Accuracy is maximised in auto mode.
  const accuracy = run({ monitor: 'val_accuracy', patience: 1, restoreBestWeights: true }, [0.5, 0.3, 0.4, 0.6]);
  assert.equal(accuracy.callback.direction, 'max');
  assert.equal(accuracy.model.epoch, 1);
  // Never stops after the first epoch, even with patience 0.
  assert.equal(run({ patience: 0 }, [1.0, 2.0, 3.0]).epochsRun, 2);
  assert.throws(() => run({ monitor: 'val_auc' }, [1]), /monitors "val_auc", which training does not report; available are val_loss, val_accuracy/);
});

test('baseline, startFromEpoch and a negative minDelta follow Keras 3', () => {
  // Improvements that do not beat the baseline leave the patience running out, so the first epoch
  // without one stops training.
  const losses = [1.0, 0.9, 0.8, 0.85, 0.84, 0.83];
  assert.equal(run({ patience: 2, baseline: 0.5 }, losses).callback.stoppedEpoch, 3);
  assert.equal(run({ patience: 2 }, losses).callback.stoppedEpoch, 4);
  // Epochs before startFromEpoch are not watched: the better first two do not count.
  const warm = run({ patience: 1, startFromEpoch: 2, restoreBestWeights: true }, [0.1, 0.2, 1.0, 0.9, 0.95, 0.99]);
  assert.equal(warm.callback.stoppedEpoch, 4);
  assert.equal(warm.callback.bestEpoch, 3);
  assert.equal(warm.model.epoch, 3);
  // Keras takes minDelta's size whatever its sign.
  assert.equal(run({ patience: 1, minDelta: -0.1 }, [1.0, 0.95, 0.92, 0.5]).callback.minDelta, 0.1);
  assert.throws(() => earlyStopping({ startFromEpoch: -1 }), /startFromEpoch must be a non-negative integer/);
});
