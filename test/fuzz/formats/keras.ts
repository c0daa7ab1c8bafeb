// Keras 3's .keras: a zip of metadata.json, config.json and model.weights.h5.
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { loadModel } from '../../../src/index.js';
import { closeHdf5, readHdf5 } from '../../../src/saving/hdf5/hdf5.js';
import type { FuzzFormat } from '../harness.js';
import { fromTree, mutateHdf5, startHdf5Mutations, type FuzzGroup } from '../hdf5-mutations.js';
import { runOnce, savedBytes, trainedKerasModel } from '../keras-fixture.js';

let entries: Record<string, Uint8Array> = {};
let weightsTree: FuzzGroup | undefined;
const NAMES = ['metadata.json', 'config.json', 'model.weights.h5'];
const OTHER_NAMES = ['Config.json', 'config.json/', '../config.json', 'model.weights.h5.bak', 'assets/x', 'model.weights.h5\u0000', ''];

function zip(files: Record<string, Uint8Array>, level: 0 | 9 = 0): Uint8Array {
  const zippable: Zippable = {};
  for (const [name, bytes] of Object.entries(files)) zippable[name] = bytes;
  return zipSync(zippable, { level });
}

export const format: FuzzFormat = {
  name: 'keras',
  async files() {
    await startHdf5Mutations();
    const model = await trainedKerasModel();
    const bytes = savedBytes('model.keras', (path) => model.save(path));
    entries = unzipSync(bytes);
    const weights = entries['model.weights.h5']!;
    weightsTree = fromTree(readHdf5(weights, weights.length * 2));
    // This process only mutates; its HDF5 reader would keep it alive.
    closeHdf5();
    return [{ name: 'model.keras', bytes }];
  },
  // config.json's text (shapes, units, dtypes, class names), zipped again as Keras stores it.
  editable() {
    return {
      text: JSON.stringify(JSON.parse(strFromU8(entries['config.json']!)), null, 1),
      rebuild: (text) => zip({ ...entries, 'config.json': strToU8(text) }),
    };
  },
  // Entries removed, renamed, swapped, compressed, or the weights file edited inside.
  structural(_bytes, random) {
    const files = { ...entries };
    const name = NAMES[random.nextInt(NAMES.length)]!;
    switch (random.nextInt(6)) {
      case 0:
        delete files[name];
        return zip(files);
      case 1: {
        const bytes = files[name]!;
        delete files[name];
        files[OTHER_NAMES[random.nextInt(OTHER_NAMES.length)]!] = bytes;
        return zip(files);
      }
      case 2: {
        const other = NAMES[(NAMES.indexOf(name) + 1 + random.nextInt(2)) % NAMES.length]!;
        [files[name], files[other]] = [files[other]!, files[name]!];
        return zip(files);
      }
      case 3:
        // Deflated: the loader must inflate within the stated sizes.
        return zip(files, 9);
      case 4:
        files[name] = new Uint8Array(0);
        return zip(files);
      default:
        files['model.weights.h5'] = mutateHdf5(weightsTree!, random);
        return zip(files);
    }
  },
  async load(path) {
    return runOnce(loadModel(path));
  },
};
