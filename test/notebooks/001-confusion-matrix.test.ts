import { testNotebook } from './check-notebook.js';

// Seed notebook 001's models and figures (the seed table in the README's presets).
testNotebook('001-confusion-matrix.ipynb', { totalParams: [235146], seedAccuracy: [98.04] });
