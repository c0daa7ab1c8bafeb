import { testNotebook } from './check-notebook.js';

// Seed notebook 000's models and figures (the seed table in the README's presets).
testNotebook('000-validation-share.ipynb', { totalParams: [42310, 76735], seedAccuracy: [91, 95, 92, 97] });
