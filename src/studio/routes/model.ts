/** Model page: the seed notebooks' presets, and the summary (parameter count) of a spec as typed. */
import type { FastifyInstance } from 'fastify';
import { NOTEBOOK_PRESETS } from '../../models/presets.js';
import { presetRequest, summarize } from '../model-spec.js';
import { parseBody, summaryRequestSchema } from '../schemas.js';

export function registerModelRoutes(app: FastifyInstance): void {
  const presets = NOTEBOOK_PRESETS.map((preset) => ({ name: preset.name, notebook: preset.notebook, description: preset.description, request: presetRequest(preset) }));
  app.get('/api/presets', async () => presets);
  app.post('/api/model/summary', async (request) => summarize(parseBody(summaryRequestSchema, request.body).model));
}
