/**
 * The studio's web server: fastify with the page's static files, the JSON API per page and one
 * WebSocket of live state. Every request passes the token, Origin and Host checks first.
 */
import { existsSync, realpathSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import { loadMnist, type TrainTestSets } from '../data/mnist.js';
import type { StudioContext } from './context.js';
import { registerEvents } from './events.js';
import { registerDataRoutes } from './routes/data.js';
import { registerDrawRoutes } from './routes/draw.js';
import { registerEvaluateRoutes } from './routes/evaluate.js';
import { registerFileRoutes } from './routes/files.js';
import { registerModelRoutes } from './routes/model.js';
import { registerRunRoutes } from './routes/runs.js';
import { TrainingRunner } from './runner.js';
import { RequestError } from './schemas.js';
import { newToken, queryToken, refusal, studioHosts, TOKEN_COOKIE } from './security.js';
import { StudioStore } from './store.js';
import { ensureWorkspace, WorkspaceFileError } from './workspace-files.js';

export interface StudioOptions {
  workspace: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** Loaded once per process otherwise; tests pass theirs. */
  data?: TrainTestSets;
}

export interface Studio {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  readonly context: StudioContext;
  /** Ends a training in progress, then closes every connection. */
  close(): Promise<void>;
}

// Both src/studio/ (tests, tsx) and dist/studio/ sit two folders below the package root.
export const PAGE_DIRECTORY = fileURLToPath(new URL('../../dist/studio/page/', import.meta.url));

export async function startStudio(options: StudioOptions): Promise<Studio> {
  if (!existsSync(join(PAGE_DIRECTORY, 'index.html'))) {
    throw new Error(`The studio's page is not built (${PAGE_DIRECTORY} has no index.html): run npm run build.`);
  }
  const workspace = ensureWorkspace(options.workspace);
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const store = new StudioStore();
  const runner = new TrainingRunner(store, join(workspace, '.studio-runs'));
  const context: StudioContext = { store, runner, data: options.data ?? loadMnist(), workspace };

  // Closing ends every connection, kept-alive ones too, so Ctrl-C never waits on an open tab.
  const app = Fastify({ logger: false, bodyLimit: 1 << 20, forceCloseConnections: true });
  let hosts = new Set<string>();

  app.addHook('onRequest', async (request, reply) => {
    const reason = refusal({ url: request.url, headers: request.headers }, { token, hosts });
    if (reason) return reply.code(403).type('application/json').send({ error: reason });
    // The page's own loads (scripts, styles, API calls) then carry the token as a cookie, as Jupyter's do.
    if (queryToken(request.url) === token) {
      reply.header('set-cookie', `${TOKEN_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    }
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof RequestError) return reply.code(error.statusCode).send({ error: error.message });
    if (error instanceof WorkspaceFileError) return reply.code(400).send({ error: error.message });
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return reply.code(400).send({ error: 'The request body is not valid JSON.' });
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).send({ error: 'The request body is empty: send JSON.' });
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: 'The request body is larger than 1 MiB.' });
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send({ error: 'The request body must be JSON (Content-Type: application/json).' });
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `There is no ${request.method} ${request.url.split('?')[0]} in the studio.` }));

  await app.register(fastifyWebsocket);
  await app.register(fastifyStatic, { root: realpathSync(PAGE_DIRECTORY), prefix: '/', index: ['index.html'] });
  registerDataRoutes(app, context);
  registerModelRoutes(app);
  registerRunRoutes(app, context);
  registerEvaluateRoutes(app, context);
  registerDrawRoutes(app, context);
  registerFileRoutes(app, context);
  registerEvents(app, context);

  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  hosts = studioHosts(host, port);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/?token=${token}`;

  return {
    app, url, token, host, port, context,
    async close() {
      await runner.shutdown();
      for (const client of app.websocketServer.clients) client.terminate();
      const closed = app.close();
      // A refused WebSocket upgrade leaves its socket outside fastify's keep-alive tracking.
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
