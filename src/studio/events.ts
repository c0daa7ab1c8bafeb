/**
 * The page's live view over one WebSocket: the whole state when it connects, then every change
 * (a run's status, throttled batch points, epochs). The page may ask for a drawing's
 * probabilities on the same socket, which saves an HTTP round trip per stroke.
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { StudioContext } from './context.js';
import { predictDigit } from './predict.js';
import { clientMessageSchema, describeIssue, RequestError } from './schemas.js';

export type ServerMessage =
  | { type: 'state'; runs: ReturnType<StudioContext['store']['list']>; active: string | null }
  | { type: 'error'; id?: number; message: string }
  | { type: 'pong'; id?: number }
  | { type: 'probabilities'; id: number; model: string; probabilities: number[] };

function send(socket: WebSocket, message: unknown): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

export function registerEvents(app: FastifyInstance, context: StudioContext): void {
  app.get('/api/events', { websocket: true }, (socket) => {
    send(socket, { type: 'state', runs: context.store.list(), active: context.runner.activeId });
    const unsubscribe = context.store.subscribe((event) => send(socket, event));
    socket.on('close', unsubscribe);
    socket.on('error', unsubscribe);
    socket.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        send(socket, { type: 'error', message: 'The message is not valid JSON.' });
        return;
      }
      const result = clientMessageSchema.safeParse(parsed);
      if (!result.success) {
        send(socket, { type: 'error', message: describeIssue(result.error, 'the message') });
        return;
      }
      const message = result.data;
      if (message.type === 'ping') {
        send(socket, { type: 'pong', id: message.id });
        return;
      }
      try {
        send(socket, { type: 'probabilities', id: message.id, model: message.model, probabilities: predictDigit(context, message.model, message.pixels) });
      } catch (error) {
        send(socket, { type: 'error', id: message.id, message: error instanceof RequestError ? error.message : String(error) });
      }
    });
  });
}
