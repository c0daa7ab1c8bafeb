/** The studio's vocabulary and limits, shared by the server's schemas and the page (no imports, so the page bundles only this). */
export const MAX_UNITS = 4096;
export const MAX_LAYERS = 16;
export const MAX_EPOCHS = 1000;
export const MAX_BATCH = 8192;
export const TRAIN_IMAGES = 60000;
export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'linear'] as const;
export const LAYER_TYPES = ['dense', 'dropout'] as const;
export const OPTIMIZERS = ['adam', 'rmsprop', 'sgd'] as const;
export const LOSSES = ['sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'meanSquaredError'] as const;
