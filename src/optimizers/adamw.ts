import type { KerasSpelled } from '../naming.js';
import { Adam, type AdamOptions } from './adam.js';

/**
 * AdamW (Loshchilov & Hutter, 2019) with Keras's defaults: Adam's, and weightDecay 0.004. Keras
 * decays every weight, biases included, by weightDecay · learningRate before each Adam step.
 */
export class AdamW extends Adam {
  override readonly name: string = 'adamw';

  constructor(options: KerasSpelled<AdamOptions> = {}) {
    super(options, 'adamw()', 0.004);
  }

  // Keras's AdamW always writes its weight decay, even when it is 0.
  override getConfig(): ReturnType<Adam['getConfig']> {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}

export function adamw(options: AdamOptions = {}): AdamW {
  return new AdamW(options);
}
