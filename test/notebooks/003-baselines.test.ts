import { testNotebook } from './check-notebook.js';

// Seed notebook 003's models and figures (the seed table in the README's presets).
testNotebook('003-baselines.ipynb', { totalParams: [25450, 25818, 407050, 203530, 535818], seedAccuracy: [96.08, 96.04, 97.67, 97.29, 97.88, 98.08] });
