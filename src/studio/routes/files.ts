/** Models page: the formats, the workspace's model files, save a run, load a file, download one. */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { loadModel } from '../../saving/formats.js';
import { tensor } from '../../data/tensor.js';
import { argmaxRows } from '../../report/metrics.js';
import type { StudioContext } from '../context.js';
import { formatById, LOADABLE_EXTENSIONS, MODEL_FORMATS } from '../formats.js';
import { loadSchema, parseBody, RequestError, saveSchema } from '../schemas.js';
import { workspacePath } from '../workspace-files.js';
import { requireRun } from './runs.js';
import { targetsFor } from '../model-spec.js';

const ALL_EXTENSIONS = MODEL_FORMATS.map((format) => format.extension);
const downloadQuery = z.object({ name: z.string('must be a file name'), token: z.string().optional() });

export function registerFileRoutes(app: FastifyInstance, context: StudioContext): void {
  app.get('/api/formats', async () => MODEL_FORMATS.map(({ id, label, extension, loadable }) => ({ id, label, extension, loadable })));

  app.get('/api/files', async () => {
    const files = readdirSync(context.workspace, { withFileTypes: true })
      .filter((entry) => entry.isFile() && ALL_EXTENSIONS.some((extension) => entry.name.toLowerCase().endsWith(extension)))
      .map((entry) => {
        const stats = statSync(join(context.workspace, entry.name));
        return { name: entry.name, bytes: stats.size, modified: stats.mtimeMs, loadable: LOADABLE_EXTENSIONS.some((extension) => entry.name.toLowerCase().endsWith(extension)) };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    return { workspace: context.workspace, files };
  });

  app.post('/api/files/save', async (request) => {
    const body = parseBody(saveSchema, request.body);
    const format = formatById(body.format);
    if (!format) throw new RequestError(400, `format ${JSON.stringify(body.format)} is unknown: allowed are ${MODEL_FORMATS.map((known) => known.id).join(', ')}.`);
    const record = requireRun(context, body.model);
    if (!record.model) throw new RequestError(409, `${record.view.name} has no trained model yet: it is ${record.view.status}.`);
    const name = body.name.toLowerCase().endsWith(format.extension) ? body.name : `${body.name}${format.extension}`;
    const path = workspacePath(context.workspace, name, [format.extension]);
    format.save(record.model, path);
    return { name, bytes: statSync(path).size };
  });

  app.post('/api/files/load', async (request, reply) => {
    const body = parseBody(loadSchema, request.body);
    const path = workspacePath(context.workspace, body.name, LOADABLE_EXTENSIONS);
    let model;
    try {
      model = loadModel(path);
    } catch (error) {
      throw new RequestError(400, (error as Error).message.replace(path, body.name));
    }
    const { test } = context.data;
    const xTest = tensor(test.images, [test.count, ...model.inputShape]);
    const probabilities = model.predict(xTest, { batchSize: 256 }).data as Float32Array;
    // A file saved without compile settings has no loss of its own: the sparse cross-entropy of its probabilities stands in.
    const evaluation = model.optimizer ? model.evaluate(xTest, targetsFor(model.getCompileConfig()!.loss, test.labels), { batchSize: 256 }) : crossEntropy(test.labels, probabilities);
    const id = context.store.newId('model');
    const record = context.store.add({
      id, name: body.name, kind: 'loaded', status: 'finished', createdAt: Date.now(), request: null, file: body.name,
      totalParams: model.countParams(), summary: model.summaryRows(), epochs: 0, steps: 0, samples: 0, points: [], epochPoints: [],
      trainSeconds: null, evaluation, error: null,
    }, model);
    context.store.update(id, (_view, changed) => void (changed.probabilities = probabilities));
    return reply.code(201).send(record.view);
  });

  app.get('/api/files/download', async (request, reply) => {
    const query = parseBody(downloadQuery, request.query, 'the query');
    const path = workspacePath(context.workspace, query.name, ALL_EXTENSIONS);
    try {
      if (!statSync(path).isFile()) throw new Error('not a file');
    } catch {
      throw new RequestError(404, `There is no file ${JSON.stringify(query.name)} in the workspace.`);
    }
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${query.name.replace(/"/g, '')}"`)
      .send(createReadStream(path));
  });
}

function crossEntropy(labels: Uint8Array, probabilities: Float32Array): { loss: number; accuracy: number } {
  const predicted = argmaxRows(probabilities);
  let loss = 0;
  let correct = 0;
  for (let index = 0; index < labels.length; index++) {
    loss -= Math.log(Math.max(probabilities[index * 10 + labels[index]!]!, 1e-7));
    if (predicted[index] === labels[index]) correct++;
  }
  return { loss: loss / labels.length, accuracy: correct / labels.length };
}
