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

const AUGMENT_FORMAT = 'rotation=DEGREES, zoom=FRACTION, translation=FRACTION and elastic or elastic=ALPHA/SIGMA, comma-separated (e.g. rotation=10,elastic)';

/**
 * Parses the text form of an AugmentSpec, e.g. "rotation=10,zoom=0.1,elastic=34/4", as train's
 * --augment and a comparison file's "augment" take it; one sentence on bad input, starting with
 * `label` (where the text came from).
 */
export function parseAugmentSpec(text: string, label = '--augment'): AugmentSpec {
  const spec: AugmentSpec = {};
  const number = (value: string | undefined, part: string, low: number, high: number): number => {
    const parsed = value === undefined || value.trim() === '' ? Number.NaN : Number(value);
    if (!(parsed > low && parsed <= high)) {
      throw new Error(`${label} "${part}" is invalid: its value must be a number above ${low} and at most ${high}; the parts are ${AUGMENT_FORMAT}.`);
    }
    return parsed;
  };
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const [key, value] = part.split('=', 2) as [string, string | undefined];
    switch (key) {
      case 'rotation':
        spec.rotationDegrees = number(value, part, 0, 180);
        break;
      case 'zoom':
        spec.zoom = number(value, part, 0, 0.9);
        break;
      case 'translation':
        spec.translation = number(value, part, 0, 1);
        break;
      case 'elastic': {
        if (value === undefined) {
          spec.elastic = { alpha: 34, sigma: 4 };
          break;
        }
        const [alpha, sigma] = value.split('/');
        spec.elastic = { alpha: number(alpha, part, 0, 1000), sigma: sigma === undefined ? 4 : number(sigma, part, 0, 64) };
        break;
      }
      default:
        throw new Error(`${label} "${part}" is not a known augmentation: allowed are ${AUGMENT_FORMAT}.`);
    }
  }
  return spec;
}
