// Keras's legacy .h5: the whole model in HDF5, its model_config and training_config JSON attributes.
import { loadModel } from '../../../src/index.js';
import { closeHdf5, readHdf5 } from '../../../src/saving/hdf5/hdf5.js';
import type { FuzzFormat } from '../harness.js';
import { fromTree, mutateHdf5, startHdf5Mutations, writeTree, type FuzzGroup } from '../hdf5-mutations.js';
import { runOnce, savedBytes, trainedKerasModel } from '../keras-fixture.js';

let tree: FuzzGroup | undefined;
const JSON_ATTRIBUTES = ['model_config', 'training_config'];

export const format: FuzzFormat = {
  name: 'keras-h5',
  async files() {
    await startHdf5Mutations();
    const model = await trainedKerasModel();
    const bytes = savedBytes('model.h5', (path) => model.save(path));
    tree = fromTree(readHdf5(bytes, bytes.length * 2));
    // This process only mutates; its HDF5 reader would keep it alive.
    closeHdf5();
    return [{ name: 'model.h5', bytes }];
  },
  // The JSON attributes unfolded, so that edits reach units, shapes, dtypes and names.
  editable() {
    const attributes = Object.fromEntries(JSON_ATTRIBUTES.map((name) => [name, JSON.parse(String(tree!.attributes[name]))]));
    return {
      text: JSON.stringify(attributes, null, 1),
      rebuild(text) {
        const edited = structuredClone(tree!);
        try {
          const parsed = JSON.parse(text) as Record<string, unknown>;
          for (const name of JSON_ATTRIBUTES) if (name in parsed) edited.attributes[name] = JSON.stringify(parsed[name]);
        } catch {
          // No longer JSON: the model_config takes the broken text, for the reader to refuse.
          edited.attributes.model_config = text;
        }
        return writeTree(edited);
      },
    };
  },
  structural(_bytes, random) {
    return mutateHdf5(tree!, random);
  },
  async load(path) {
    return runOnce(loadModel(path));
  },
};
