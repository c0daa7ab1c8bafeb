/** The page's link to its studio: JSON calls carrying the token, and the live state over a WebSocket. */
import type { RunView, StoreEvent } from '../store.js';

const token = new URLSearchParams(location.search).get('token') ?? '';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: { 'x-digitnet-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const message = parsed && typeof parsed === 'object' && 'error' in parsed ? String((parsed as { error: unknown }).error) : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return parsed as T;
}

/** A URL the browser loads by itself (images, downloads): the token goes in the query. */
export function withToken(path: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

type ServerMessage =
  | StoreEvent
  | { type: 'state'; runs: RunView[]; active: string | null }
  | { type: 'probabilities'; id: number; model: string; probabilities: number[] }
  | { type: 'error'; id?: number; message: string }
  | { type: 'pong'; id?: number };

export type Listener = (event: StoreEvent | { type: 'state' }) => void;

/** A mirror of the server's runs, kept current by the WebSocket (reconnecting if it drops). */
export class LiveState {
  readonly runs = new Map<string, RunView>();
  active: string | null = null;
  connected = false;
  private socket: WebSocket | null = null;
  private readonly listeners = new Set<Listener>();
  private nextRequest = 1;
  private readonly pending = new Map<number, { resolve: (value: number[]) => void; reject: (error: Error) => void }>();

  connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/events?token=${encodeURIComponent(token)}`);
    this.socket = socket;
    socket.onopen = () => (this.connected = true);
    socket.onclose = () => {
      this.connected = false;
      for (const request of this.pending.values()) request.reject(new Error('The connection to the studio closed.'));
      this.pending.clear();
      setTimeout(() => this.connect(), 1000);
    };
    socket.onmessage = (message) => this.receive(JSON.parse(String(message.data)) as ServerMessage);
  }

  on(listener: Listener): void {
    this.listeners.add(listener);
  }

  /** The drawing's probabilities, asked on the socket (no HTTP round trip). */
  predict(model: string, pixels: Uint8Array): Promise<number[]> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.reject(new Error('Not connected to the studio.'));
    const id = this.nextRequest++;
    socket.send(JSON.stringify({ type: 'predict', id, model, pixels: Array.from(pixels) }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case 'state':
        this.runs.clear();
        for (const run of message.runs) this.runs.set(run.id, run);
        this.active = message.active;
        this.emit({ type: 'state' });
        return;
      case 'run':
        this.runs.set(message.run.id, message.run);
        this.active = ['running', 'paused', 'stopping', 'evaluating'].includes(message.run.status) ? message.run.id : this.active === message.run.id ? null : this.active;
        this.emit(message);
        return;
      case 'batch':
        this.runs.get(message.id)?.points.push(message.point);
        this.emit(message);
        return;
      case 'epoch':
        this.runs.get(message.id)?.epochPoints.push(message.point);
        this.emit(message);
        return;
      case 'removed':
        this.runs.delete(message.id);
        this.emit(message);
        return;
      case 'probabilities':
        this.pending.get(message.id)?.resolve(message.probabilities);
        this.pending.delete(message.id);
        return;
      case 'error':
        if (message.id !== undefined) {
          this.pending.get(message.id)?.reject(new Error(message.message));
          this.pending.delete(message.id);
        }
        return;
      case 'pong':
        return;
    }
  }

  private emit(event: StoreEvent | { type: 'state' }): void {
    for (const listener of this.listeners) listener(event);
  }
}
