import { randomElasticTransform, randomRotation, randomTranslation, randomZoom, type Layer } from '../layers/index.js';

/**
 * Augmentation in front of a model, as the CLI's --augment spells it: degrees of rotation,
 * fractions of shift and zoom, and Simard's elastic distortion (alpha, sigma in pixels).
 */
export interface AugmentSpec {
  rotationDegrees?: number;
  translation?: number;
  zoom?: number;
  elastic?: { alpha: number; sigma: number };
}

/** The augmentation layers an AugmentSpec asks for, the first taking the image shape. */
export function augmentationLayers(spec: AugmentSpec, inputShape: readonly number[]): Layer[] {
  const layers: Layer[] = [];
  const first = (): { inputShape?: readonly number[] } => (layers.length === 0 ? { inputShape } : {});
  if (spec.rotationDegrees) layers.push(randomRotation({ factor: spec.rotationDegrees / 360, ...first() }));
  if (spec.zoom) layers.push(randomZoom({ heightFactor: spec.zoom, ...first() }));
  if (spec.translation) layers.push(randomTranslation({ heightFactor: spec.translation, widthFactor: spec.translation, ...first() }));
  if (spec.elastic) layers.push(randomElasticTransform({ ...spec.elastic, ...first() }));
  return layers;
}
