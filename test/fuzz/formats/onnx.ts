import type { FuzzFormat } from '../harness.js';
import { activation, dense, flatten, sequential } from '../../../src/index.js';
import { encodeOnnx, loadOnnx } from '../../../src/saving/onnx/onnx-format.js';

/** ONNX: one .onnx file of a small MLP as digitnet exports it. */
export const format: FuzzFormat = {
  name: 'onnx',
  async files() {
    const model = sequential([flatten({ inputShape: [4, 4] }), dense({ units: 6, activation: 'tanh' }), dense({ units: 3 }), activation({ activation: 'softmax' })], { seed: 4 });
    return [{ name: 'model.onnx', bytes: encodeOnnx(model) }];
  },
  async load(path: string) {
    return loadOnnx(path);
  },
};
