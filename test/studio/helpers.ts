/** Shared by the studio's tests: a studio on a free port with a fresh workspace, and calls that carry its token. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnist, type TrainTestSets } from '../../src/data/mnist.js';
import { startStudio, type Studio } from '../../src/studio/server.js';

let data: TrainTestSets | undefined;

export async function freshStudio(): Promise<Studio & { base: string; workspaceDir: string }> {
  data ??= loadMnist();
  const workspaceDir = mkdtempSync(join(tmpdir(), 'digitnet-studio-'));
  const studio = await startStudio({ workspace: workspaceDir, port: 0, data });
  return Object.assign(studio, { base: `http://127.0.0.1:${studio.port}`, workspaceDir });
}

export interface Reply {
  status: number;
  body: unknown;
  text: string;
}

export async function call(studio: Studio & { base: string }, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(studio.base + path, {
    method,
    headers: { 'x-digitnet-token': studio.token, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, text };
}

/** A small run: 784-32-10 for one epoch on the first `limit` images, seeded. */
export function smallRun(name = 'mlp-32', limit = 3000, epochs = 1) {
  return {
    name,
    model: { inputShape: [784], layers: [{ type: 'dense', units: 32, activation: 'relu' }] },
    training: { optimizer: 'adam', learningRate: null, loss: 'sparseCategoricalCrossentropy', epochs, batchSize: 32, validation: 'test', earlyStoppingPatience: null, restoreBest: false, limit, seed: 1 },
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
