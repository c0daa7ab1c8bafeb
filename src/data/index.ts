export { tensor, imagesOf } from './tensor.js';
export type { Tensor, ImageSet } from './tensor.js';
export { readIdx, parseIdx, encodeIdx, writeIdx, readMaybeGzipped } from './idx.js';
export type { IdxArray, IdxData, IdxDataType } from './idx.js';
export { loadMnist, loadImageFolder, mnistDataFolder, imageSetFromIdx, concatImageSets } from './mnist.js';
export type { TrainTestSets, CombinedSet, LoadImageFolderOptions } from './mnist.js';
export { readDigitCsv, parseDigitCsv } from './csv.js';
export {
  flatten, normalize, toCategorical, classCounts, classProportions, sliceImageSet, takeFirst, assertFinite,
} from './transforms.js';
export type { Labels } from './transforms.js';
export { readDigitPng, prepareDigit, decodePng, MNIST_SIDE, MNIST_BOX } from './image.js';
export type { PrepareDigitOptions, DecodedImage } from './image.js';
export { renderDigit, renderDigitRow } from './terminal.js';
export type { DigitStyle, RenderDigitOptions, RenderDigitRowOptions } from './terminal.js';
