import type { AugmentSpec } from '../models/augmentation.js';

const FORMAT = 'rotation=DEGREES, zoom=FRACTION, translation=FRACTION and elastic or elastic=ALPHA/SIGMA, comma-separated (e.g. rotation=10,elastic)';

/** Parses --augment's value, e.g. "rotation=10,zoom=0.1,elastic=34/4"; one sentence on bad input. */
export function parseAugmentSpec(text: string): AugmentSpec {
  const spec: AugmentSpec = {};
  const number = (value: string | undefined, part: string, low: number, high: number): number => {
    const parsed = value === undefined || value.trim() === '' ? Number.NaN : Number(value);
    if (!(parsed > low && parsed <= high)) {
      throw new Error(`--augment "${part}" is invalid: its value must be a number above ${low} and at most ${high}; the parts are ${FORMAT}.`);
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
        throw new Error(`--augment "${part}" is not a known augmentation: allowed are ${FORMAT}.`);
    }
  }
  return spec;
}
