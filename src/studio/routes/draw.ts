/** Draw page: the probabilities of the page's 28×28 drawing (also answered over the WebSocket, see events.ts). */
import type { FastifyInstance } from 'fastify';
import type { StudioContext } from '../context.js';
import { predictDigit } from '../predict.js';
import { parseBody, predictSchema } from '../schemas.js';

export function registerDrawRoutes(app: FastifyInstance, context: StudioContext): void {
  app.post('/api/predict', async (request) => {
    const body = parseBody(predictSchema, request.body);
    return { model: body.model, probabilities: predictDigit(context, body.model, body.pixels) };
  });
}
