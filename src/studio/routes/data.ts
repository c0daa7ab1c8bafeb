/** Data page: class balance (counts and a Vega-Lite chart) and the digits, filterable by class. */
import type { FastifyInstance } from 'fastify';
import { classDistribution } from '../../report/metrics.js';
import { classDistributionSpec } from '../../report/charts.js';
import { renderSvg } from '../../report/render.js';
import type { StudioContext } from '../context.js';
import { digitPixels } from '../evaluation.js';
import { parseBody, digitsQuerySchema } from '../schemas.js';

export function registerDataRoutes(app: FastifyInstance, context: StudioContext): void {
  const { train, test } = context.data;
  const balance = { train: classDistribution(train.labels), test: classDistribution(test.labels) };
  let chart: Promise<string> | undefined;

  app.get('/api/data', async () => ({ train: { count: train.count, ...balance.train }, test: { count: test.count, ...balance.test } }));

  app.get('/api/charts/class-balance.svg', async (_request, reply) => {
    chart ??= renderSvg(classDistributionSpec(balance));
    return reply.type('image/svg+xml').send(await chart);
  });

  app.get('/api/data/digits', async (request) => {
    const query = parseBody(digitsQuerySchema, request.query, 'the query');
    const set = query.split === 'train' ? train : test;
    const digits: { index: number; label: number; pixels: string }[] = [];
    let matched = 0;
    for (let index = 0; index < set.count && digits.length < query.count; index++) {
      if (query.label !== 'all' && set.labels[index] !== query.label) continue;
      if (matched++ < query.offset) continue;
      digits.push({ index, label: set.labels[index]!, pixels: digitPixels(set, index) });
    }
    const total = query.label === 'all' ? set.count : balance[query.split].counts[query.label]!;
    return { split: query.split, label: query.label, offset: query.offset, total, digits };
  });
}
