import { testNotebook } from './check-notebook.js';

// Seed notebook 004's models and figures (the seed table in the README's presets).
testNotebook('004-simple-mlp.ipynb', { totalParams: [407050], seedAccuracy: [97.8] });
