import { format as tfjs } from './test/fuzz/formats/tfjs.js';
import { format as onnx } from './test/fuzz/formats/onnx.js';
import { runMutations } from './test/saving/format-mutations.js';
for (const [f, json] of [[tfjs, new Set(['model.json'])], [onnx, new Set<string>()]] as const) {
  for (const seed of [1, 2, 3, 4, 5]) {
    const started = Date.now();
    try {
      const r = await runMutations(f, 400, seed, json);
      console.log(f.name, seed, r.loaded, r.refused, r.messages.size, Date.now() - started, 'ms');
      if (seed === 1) console.log([...r.messages].slice(0, 40).join('\n'));
    } catch (e) { console.log(f.name, seed, 'FAILED', (e as Error).message); }
  }
}
