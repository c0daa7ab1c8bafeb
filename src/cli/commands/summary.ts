/** `digitnet summary FILE`: Keras's model.summary() of a saved model, and how it was compiled. */
import type { Command } from 'commander';
import { loadModel } from '../../saving/formats.js';
import { print } from '../table.js';

export function runSummary(file: string): void {
  const model = loadModel(file);
  print(model.summaryText());
  const compiled = model.getCompileConfig();
  if (compiled) {
    const settings = Object.entries(compiled.optimizer.config)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ');
    print(`Optimizer: ${compiled.optimizer.name}${settings ? ` (${settings})` : ''}`);
    print(`Loss: ${compiled.loss}`);
    print(`Metrics: ${compiled.metrics.length > 0 ? compiled.metrics.map((metric) => (typeof metric === 'string' ? metric : String(metric.config.name ?? metric.className))).join(', ') : 'none'}`);
  } else {
    print('Not compiled: the file holds no optimizer or loss settings.');
  }
}

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description("print a saved model's layers, output shapes and parameter counts")
    .argument('<file>', 'a model saved by digitnet train --save (.safetensors)')
    .action((file: string) => runSummary(file));
}
