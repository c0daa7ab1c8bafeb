/** Train page: start a run, pause, resume or stop it, list runs, forget one. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { StudioContext } from '../context.js';
import { parseBody, RequestError, startRunSchema } from '../schemas.js';

const idParams = z.object({ id: z.string() });

export function requireRun(context: StudioContext, id: string) {
  const record = context.store.get(id);
  if (!record) throw new RequestError(404, `There is no run or model ${JSON.stringify(id)}.`);
  return record;
}

export function registerRunRoutes(app: FastifyInstance, context: StudioContext): void {
  app.get('/api/runs', async () => ({ runs: context.store.list(), active: context.runner.activeId }));

  app.get('/api/runs/:id', async (request) => requireRun(context, idParams.parse(request.params).id).view);

  app.post('/api/runs', async (request, reply) => {
    const body = parseBody(startRunSchema, request.body);
    const id = context.runner.start(body);
    return reply.code(201).send(context.store.get(id)!.view);
  });

  for (const action of ['pause', 'resume', 'stop'] as const) {
    app.post(`/api/runs/:id/${action}`, async (request) => {
      const { id } = idParams.parse(request.params);
      context.runner[action](id);
      return { ok: true };
    });
  }

  app.delete('/api/runs/:id', async (request) => {
    const { id } = idParams.parse(request.params);
    requireRun(context, id);
    if (context.runner.activeId === id) throw new RequestError(409, `Run ${JSON.stringify(id)} is training: stop it before removing it.`);
    context.store.remove(id);
    return { ok: true };
  });
}
