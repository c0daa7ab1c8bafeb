// Keras 3's .weights.h5: layers/<layer>/vars/<i> and optimizer/vars/<i>, loaded into a built model.
import { closeHdf5, readHdf5 } from '../../../src/saving/hdf5/hdf5.js';
import type { FuzzFormat } from '../harness.js';
import { fromTree, mutateHdf5, startHdf5Mutations, type FuzzGroup } from '../hdf5-mutations.js';
import { kerasArchitecture, runOnce, savedBytes, trainedKerasModel } from '../keras-fixture.js';

let tree: FuzzGroup | undefined;

export const format: FuzzFormat = {
  name: 'keras-weights-h5',
  async files() {
    await startHdf5Mutations();
    const model = await trainedKerasModel();
    const bytes = savedBytes('model.weights.h5', (path) => model.saveWeights(path));
    tree = fromTree(readHdf5(bytes, bytes.length * 2));
    // This process only mutates; its HDF5 reader would keep it alive.
    closeHdf5();
    return [{ name: 'model.weights.h5', bytes }];
  },
  structural(_bytes, random) {
    return mutateHdf5(tree!, random);
  },
  async load(path) {
    const model = kerasArchitecture();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    model.loadWeights(path);
    return runOnce(model);
  },
};
