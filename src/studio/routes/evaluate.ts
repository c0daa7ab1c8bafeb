/** Evaluate page: test loss and accuracy, confusion matrix, per-class scores, wrong digits, and a confusion cell's digits. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { trainingCurvesSpec } from '../../report/charts.js';
import { renderSvg } from '../../report/render.js';
import type { StudioContext } from '../context.js';
import { confusionCell, evaluationView } from '../evaluation.js';
import { parseBody, RequestError } from '../schemas.js';
import { requireRun } from './runs.js';

const idParams = z.object({ id: z.string() });
const digit = z.coerce.number('must be a digit 0 to 9').int('must be a digit 0 to 9').min(0, 'must be a digit 0 to 9').max(9, 'must be a digit 0 to 9');
const cellQuery = z.strictObject({ label: digit, predicted: digit, token: z.string().optional() });

export function registerEvaluateRoutes(app: FastifyInstance, context: StudioContext): void {
  const test = context.data.test;
  const evaluated = (id: string) => {
    const record = requireRun(context, id);
    if (!record.probabilities || !record.view.evaluation) throw new RequestError(409, `${record.view.name} has no evaluation yet: it is ${record.view.status}.`);
    return { record, probabilities: record.probabilities, evaluation: record.view.evaluation };
  };

  app.get('/api/runs/:id/evaluation', async (request) => {
    const { probabilities, evaluation } = evaluated(idParams.parse(request.params).id);
    return evaluationView(test, probabilities, evaluation);
  });

  app.get('/api/runs/:id/confusion', async (request) => {
    const { probabilities } = evaluated(idParams.parse(request.params).id);
    const query = parseBody(cellQuery, request.query, 'the query');
    return { label: query.label, predicted: query.predicted, ...confusionCell(test, probabilities, query.label, query.predicted) };
  });

  // The library's static Vega-Lite chart of a run's epochs (the page streams the live one with uPlot).
  app.get('/api/runs/:id/curves.svg', async (request, reply) => {
    const record = requireRun(context, idParams.parse(request.params).id);
    const epochs = record.view.epochPoints;
    if (epochs.length === 0) throw new RequestError(409, `${record.view.name} has no finished epoch to chart.`);
    const validated = epochs.every((point) => point.val_loss !== undefined);
    const history = {
      epoch: epochs.map((point) => point.epoch + 1),
      loss: epochs.map((point) => point.loss),
      accuracy: epochs.map((point) => point.accuracy),
      ...(validated ? { val_loss: epochs.map((point) => point.val_loss!), val_accuracy: epochs.map((point) => point.val_accuracy!) } : {}),
    };
    const svg = await renderSvg(trainingCurvesSpec(history));
    return reply.type('image/svg+xml').send(svg);
  });
}
