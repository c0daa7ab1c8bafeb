/** Models page: the formats, the workspace's models, save a run, load a file or folder, download one. */
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { tensor } from '../../data/tensor.js';
import { argmaxRows } from '../../report/metrics.js';
import type { StudioContext } from '../context.js';
import { downloadable, formatById, listWorkspace, loadFromWorkspace, saveToWorkspace, STUDIO_FORMATS } from '../formats.js';
import { loadSchema, parseBody, RequestError, saveSchema } from '../schemas.js';
import { requireRun } from './runs.js';
import { targetsFor } from '../model-spec.js';

const downloadQuery = z.object({ name: z.string('must be a file name'), token: z.string().optional() });

export function registerFileRoutes(app: FastifyInstance, context: StudioContext): void {
  app.get('/api/formats', async () => STUDIO_FORMATS.map(({ id, label, extension, kind }) => ({ id, label, extension, kind })));

  app.get('/api/files', async () => ({ workspace: context.workspace, files: listWorkspace(context.workspace) }));

  app.post('/api/files/save', async (request) => {
    const body = parseBody(saveSchema, request.body);
    const format = formatById(body.format);
    const record = requireRun(context, body.model);
    if (!record.model) throw new RequestError(409, `${record.view.name} has no trained model yet: it is ${record.view.status}.`);
    return saveToWorkspace(context.workspace, record.model, body.name, format);
  });

  app.post('/api/files/load', async (request, reply) => {
    const body = parseBody(loadSchema, request.body);
    const model = loadFromWorkspace(context.workspace, body.name);
    const { test } = context.data;
    const xTest = tensor(test.images, [test.count, ...model.inputShape]);
    const probabilities = model.predict(xTest, { batchSize: 256 }).data as Float32Array;
    // A file saved without compile settings (ONNX, TensorFlow.js) has no loss of its own: the sparse cross-entropy of its probabilities stands in.
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
    const sent = downloadable(context.workspace, query.name);
    reply.type('application/octet-stream').header('content-disposition', `attachment; filename="${sent.fileName.replace(/"/g, '')}"`);
    return reply.send('path' in sent ? createReadStream(sent.path) : Buffer.from(sent.bytes));
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
