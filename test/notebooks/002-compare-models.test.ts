import { testNotebook } from './check-notebook.js';

// Seed notebook 002's models and figures (the seed table in the README's presets).
testNotebook('002-compare-models.ipynb', { totalParams: [40785, 669706], seedAccuracy: [96.55, 98.05] });
