/** The studio's server, endpoint by endpoint and message by message, with the bad requests it must refuse. */
import assert from 'node:assert/strict';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { EvaluationView } from '../../src/studio/evaluation.js';
import type { StartRunRequest } from '../../src/studio/schemas.js';
import type { RunView } from '../../src/studio/store.js';
import { call, freshStudio, smallRun, waitFor } from './helpers.js';

type TestStudio = Awaited<ReturnType<typeof freshStudio>>;

const errorOf = (reply: { body: unknown }): string => (reply.body as { error: string }).error;

async function finishedRun(studio: TestStudio, request: unknown = smallRun()): Promise<RunView> {
  const started = await call(studio, 'POST', '/api/runs', request);
  assert.equal(started.status, 201, started.text);
  const id = (started.body as RunView).id;
  return waitFor(`run ${id} to finish`, async () => {
    const view = (await call(studio, 'GET', `/api/runs/${id}`)).body as RunView;
    return view.status === 'finished' || view.status === 'failed' ? view : undefined;
  });
}

function socket(studio: TestStudio, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; messages: unknown[]; next: (predicate: (message: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${studio.port}/api/events?token=${studio.token}`, { headers });
    const messages: Record<string, unknown>[] = [];
    const waiters: { predicate: (message: Record<string, unknown>) => boolean; resolve: (message: Record<string, unknown>) => void }[] = [];
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Record<string, unknown>;
      messages.push(message);
      for (const waiter of [...waiters]) if (waiter.predicate(message)) { waiters.splice(waiters.indexOf(waiter), 1); waiter.resolve(message); }
    });
    ws.on('open', () => resolve({
      ws, messages,
      next: (predicate) => {
        const seen = messages.find(predicate);
        if (seen) { messages.splice(messages.indexOf(seen), 1); return Promise.resolve(seen); }
        return new Promise((done) => waiters.push({ predicate, resolve: (message) => { messages.splice(messages.indexOf(message), 1); done(message); } }));
      },
    }));
    ws.on('error', reject);
    ws.on('unexpected-response', (_request, response) => { ws.terminate(); reject(new Error(`status ${response.statusCode}`)); });
  });
}

describe('studio server', () => {
  let studio: TestStudio;
  before(async () => { studio = await freshStudio(); });
  after(async () => { await studio.close(); });

  test('the token, Origin and Host checks refuse with 403', async () => {
    const page = await studio.app.inject({ method: 'GET', url: `/?token=${studio.token}`, headers: { host: `127.0.0.1:${studio.port}` } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<script type="module" src="app.js">/);
    assert.match(String(page.headers['set-cookie']), /digitnet_token=.*HttpOnly; SameSite=Strict/);
    const cases: [string, Record<string, string>, RegExp][] = [
      ['/api/data', { host: `127.0.0.1:${studio.port}` }, /no valid token/],
      ['/api/data?token=wrong', { host: `127.0.0.1:${studio.port}` }, /no valid token/],
      ['/', { host: `127.0.0.1:${studio.port}` }, /no valid token/],
      [`/api/data?token=${studio.token}`, { host: `evil.example:${studio.port}` }, /Host "evil.example:\d+" is not this studio's address/],
      [`/api/data?token=${studio.token}`, { host: `127.0.0.1:${studio.port}`, origin: 'http://evil.example' }, /Origin "http:\/\/evil.example" is another site/],
      [`/api/data?token=${studio.token}`, { host: `127.0.0.1:${studio.port}`, origin: 'null' }, /Origin "null"/],
    ];
    for (const [url, headers, message] of cases) {
      const reply = await studio.app.inject({ method: 'GET', url, headers });
      assert.equal(reply.statusCode, 403, `${url} ${JSON.stringify(headers)}`);
      assert.match(JSON.parse(reply.body).error, message);
    }
    for (const headers of [{ 'x-digitnet-token': studio.token }, { cookie: `digitnet_token=${studio.token}` }]) {
      const reply = await studio.app.inject({ method: 'GET', url: '/api/data', headers: { host: `localhost:${studio.port}`, origin: `http://localhost:${studio.port}`, ...headers } });
      assert.equal(reply.statusCode, 200);
    }
    await assert.rejects(socket(studio, { origin: 'http://evil.example' }), /403/);
    const noToken = new WebSocket(`ws://127.0.0.1:${studio.port}/api/events`);
    noToken.on('error', () => undefined);
    await new Promise<void>((resolve) => noToken.on('unexpected-response', (_request, response) => { assert.equal(response.statusCode, 403); resolve(); }));
    noToken.terminate();
  });

  test('the page and its bundle are served from the package, nothing else is referenced', async () => {
    const page = await call(studio, 'GET', '/');
    assert.doesNotMatch(page.text, /https?:\/\//);
    const script = await call(studio, 'GET', '/app.js');
    assert.equal(script.status, 200);
    const style = await call(studio, 'GET', '/app.css');
    assert.match(style.text, /\.uplot/);
    assert.doesNotMatch(style.text, /@import|url\(http/);
  });

  test('GET /api/data, the class-balance chart and the digits', async () => {
    const data = (await call(studio, 'GET', '/api/data')).body as { train: { count: number; counts: number[] }; test: { count: number } };
    assert.equal(data.train.count, 60000);
    assert.equal(data.train.counts.reduce((a, b) => a + b), 60000);
    assert.equal(data.test.count, 10000);
    const chart = await call(studio, 'GET', '/api/charts/class-balance.svg');
    assert.match(chart.text, /^<svg/);
    const sevens = (await call(studio, 'GET', '/api/data/digits?split=test&label=7&count=5&offset=2')).body as { total: number; digits: { label: number; pixels: string }[] };
    assert.equal(sevens.digits.length, 5);
    assert.ok(sevens.digits.every((digit) => digit.label === 7 && Buffer.from(digit.pixels, 'base64').length === 784));
    assert.equal(sevens.total, 1028);
    const bad = await call(studio, 'GET', '/api/data/digits?split=valid');
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad), 'split must be train or test.');
    assert.equal(errorOf(await call(studio, 'GET', '/api/data/digits?split=train&count=5000')), 'count must be at most 200.');
  });

  test('GET /api/presets gives every preset, and each one\'s count is its model.summary()', async () => {
    const presets = (await call(studio, 'GET', '/api/presets')).body as { name: string; request: { model: unknown } }[];
    assert.equal(presets.length, 15);
    const byName = new Map(presets.map((preset) => [preset.name, preset]));
    const summary = await call(studio, 'POST', '/api/model/summary', { model: byName.get('mlp-256-dropout-128')!.request.model });
    assert.equal((summary.body as { totalParams: number }).totalParams, 235146);
    assert.match((summary.body as { text: string }).text, /Total params: 235,146/);
    for (const preset of presets) assert.equal((await call(studio, 'POST', '/api/model/summary', { model: preset.request.model })).status, 200, preset.name);
  });

  test('bad bodies get 400 and one sentence naming the field; the server keeps serving', async () => {
    const run = smallRun();
    const cases: [unknown, string][] = [
      ['{"name": "x", ', 'The request body is not valid JSON.'],
      [{ ...run, model: { ...run.model, layers: [{ type: 'conv2d', filters: 8 }] } }, 'model.layers[0].type must be one of dense, dropout (the layers digitnet\'s studio builds).'],
      [{ ...run, model: { ...run.model, layers: [{ type: 'dense', units: 1000000, activation: 'relu' }] } }, 'model.layers[0].units must be an integer from 1 to 4096.'],
      [{ ...run, training: { ...run.training, learningRate: -0.01 } }, 'training.learningRate must be a positive number.'],
      [{ ...run, training: { ...run.training, epochs: 0 } }, 'training.epochs must be an integer from 1 to 1000.'],
      [{ ...run, training: { ...run.training, validation: 2 } }, 'training.validation must be "none", "test" or a fraction between 0 and 1 held out of the training images.'],
      [{ ...run, model: { ...run.model, layers: [{ type: 'dropout', rate: 1.5 }] } }, 'model.layers[0].rate must be below 1.'],
      [{ ...run, model: { ...run.model, layers: [{ type: 'dense', units: 8, activation: 'swish' }] } }, 'model.layers[0].activation must be one of relu, sigmoid, tanh, linear.'],
      [{ ...run, name: '  ' }, 'name must not be blank.'],
      [{ ...run, training: { ...run.training, validation: 'none', earlyStoppingPatience: 2 } }, 'training.earlyStoppingPatience needs validation ("test" or a fraction): early stopping watches val_loss.'],
      [{ ...run, extra: true }, 'the body has an unknown field "extra".'],
      [[1, 2], 'the body is invalid: Invalid input: expected object, received array.'],
    ];
    for (const [body, message] of cases) {
      const reply = await call(studio, 'POST', '/api/runs', body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(errorOf(reply), message);
    }
    const empty = await call(studio, 'POST', '/api/runs', undefined, { 'content-type': 'application/json' });
    assert.equal(empty.status, 400);
    assert.equal(errorOf(await call(studio, 'POST', '/api/model/summary', { model: { inputShape: [3], layers: [] } })), 'model.inputShape must be [784] or [28, 28].');
    assert.equal((await call(studio, 'GET', '/api/runs')).status, 200);
    assert.equal((await call(studio, 'GET', '/api/nothing')).status, 404);
  });

  test('a run trains, streams over the WebSocket, is evaluated; a second start is refused while it trains', async () => {
    const live = await socket(studio);
    const state = await live.next((message) => message.type === 'state');
    assert.ok(Array.isArray(state.runs));
    const started = await call(studio, 'POST', '/api/runs', smallRun('streamed', 6000, 2));
    assert.equal(started.status, 201);
    const id = (started.body as RunView).id;
    const second = await call(studio, 'POST', '/api/runs', smallRun('second'));
    assert.equal(second.status, 409);
    assert.match(errorOf(second), /A training is already running \(streamed\)/);
    const batch = await live.next((message) => message.type === 'batch' && message.id === id);
    assert.ok(typeof (batch.point as { loss: number }).loss === 'number');
    await live.next((message) => message.type === 'epoch' && message.id === id);
    const done = await live.next((message) => message.type === 'run' && (message.run as RunView).id === id && (message.run as RunView).status === 'finished');
    const view = done.run as RunView;
    assert.equal(view.epochPoints.length, 2);
    assert.ok(view.points.length >= 2);
    // At most one batch message per 50 ms, plus each epoch's last batch.
    assert.ok(view.points.length <= Math.ceil(view.trainSeconds! * 20) + 2 * 2, `${view.points.length} points in ${view.trainSeconds} s`);
    const evaluation = (await call(studio, 'GET', `/api/runs/${id}/evaluation`)).body as EvaluationView;
    assert.equal(evaluation.accuracy, view.evaluation!.accuracy);
    assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b), 10000);
    assert.equal(evaluation.report.classes.length, 10);
    assert.ok(evaluation.mistakes.length > 0 && evaluation.mistakes[0]!.top.length === 3);
    const diagonal = evaluation.confusion.reduce((sum, row, index) => sum + row[index]!, 0);
    assert.equal(diagonal / 10000, evaluation.accuracy);
    const cell = (await call(studio, 'GET', `/api/runs/${id}/confusion?label=4&predicted=9`)).body as { total: number; digits: { label: number; predicted: number; top: { digit: number }[] }[] };
    assert.equal(cell.total, evaluation.confusion[4]![9]);
    assert.ok(cell.digits.every((digit) => digit.label === 4 && digit.predicted === 9 && digit.top[0]!.digit === 9));
    assert.equal(errorOf(await call(studio, 'GET', `/api/runs/${id}/confusion?label=4&predicted=12`)), 'predicted must be a digit 0 to 9.');
    assert.match((await call(studio, 'GET', `/api/runs/${id}/curves.svg`)).text, /^<svg/);

    // Drawing: over HTTP and over the socket, the same probabilities.
    const pixels = Array.from({ length: 784 }, (_, index) => (index % 28 === 14 && index > 100 && index < 700 ? 255 : 0));
    const overHttp = (await call(studio, 'POST', '/api/predict', { model: id, pixels })).body as { probabilities: number[] };
    assert.equal(overHttp.probabilities.length, 10);
    assert.ok(Math.abs(overHttp.probabilities.reduce((a, b) => a + b) - 1) < 1e-5);
    live.ws.send(JSON.stringify({ type: 'predict', id: 7, model: id, pixels }));
    const overSocket = await live.next((message) => message.type === 'probabilities' && message.id === 7);
    assert.deepEqual(overSocket.probabilities, overHttp.probabilities);
    assert.equal(errorOf(await call(studio, 'POST', '/api/predict', { model: id, pixels: [1, 2] })), 'pixels must hold exactly 784 grey levels (28×28).');
    assert.equal((await call(studio, 'POST', '/api/predict', { model: 'run-999', pixels })).status, 404);

    // The socket's other messages and its bad ones.
    live.ws.send(JSON.stringify({ type: 'ping', id: 3 }));
    assert.equal((await live.next((message) => message.type === 'pong')).id, 3);
    live.ws.send('not json');
    assert.equal((await live.next((message) => message.type === 'error')).message, 'The message is not valid JSON.');
    live.ws.send(JSON.stringify({ type: 'train' }));
    assert.match(String((await live.next((message) => message.type === 'error')).message), /type must be "ping" or "predict"/);
    live.ws.send(JSON.stringify({ type: 'predict', id: 8, model: 'run-999', pixels }));
    assert.match(String((await live.next((message) => message.type === 'error' && message.id === 8)).message), /There is no run or model "run-999"/);
    live.ws.close();
  });

  test('pause, resume and stop a training; a stopped run is still evaluated', async () => {
    const started = await call(studio, 'POST', '/api/runs', { ...smallRun('long', 60000, 50), model: { inputShape: [784], layers: [{ type: 'dense', units: 64, activation: 'relu' }] } });
    const id = (started.body as RunView).id;
    const view = async () => (await call(studio, 'GET', `/api/runs/${id}`)).body as RunView;
    await waitFor('points', async () => ((await view()).points.length > 0 ? true : undefined));
    assert.equal((await call(studio, 'POST', `/api/runs/${id}/pause`)).status, 200);
    await waitFor('paused', async () => ((await view()).status === 'paused' ? true : undefined));
    const pausedAt = (await view()).points.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal((await view()).points.length, pausedAt, 'no batch trains while paused');
    assert.equal((await call(studio, 'POST', `/api/runs/${id}/resume`)).status, 200);
    await waitFor('more points', async () => ((await view()).points.length > pausedAt ? true : undefined));
    assert.equal(errorOf(await call(studio, 'DELETE', `/api/runs/${id}`)), `Run "${id}" is training: stop it before removing it.`);
    assert.equal((await call(studio, 'POST', `/api/runs/${id}/stop`)).status, 200);
    const stopped = await waitFor('stopped', async () => { const current = await view(); return current.status === 'stopped' ? current : undefined; });
    assert.ok(stopped.evaluation && stopped.evaluation.accuracy > 0.5);
    assert.match(stopped.error!, /^Stopped after \d+ epochs?\.$/);
    assert.equal(errorOf(await call(studio, 'POST', `/api/runs/${id}/pause`)), `Run "${id}" is not training.`);
    assert.equal((await call(studio, 'POST', '/api/runs/run-999/stop')).status, 404);
    assert.equal((await call(studio, 'DELETE', `/api/runs/${id}`)).status, 200);
    assert.equal((await call(studio, 'GET', `/api/runs/${id}`)).status, 404);
  });

  test('save, list, download and load model files, inside the workspace only', async () => {
    const run = await finishedRun(studio, smallRun('to-save', 2000));
    const formats = (await call(studio, 'GET', '/api/formats')).body as { id: string }[];
    assert.deepEqual(formats.map((format) => format.id), ['safetensors']);
    const saved = await call(studio, 'POST', '/api/files/save', { model: run.id, name: 'kept', format: 'safetensors' });
    assert.equal(saved.status, 200, saved.text);
    assert.equal((saved.body as { name: string }).name, 'kept.safetensors');
    const files = (await call(studio, 'GET', '/api/files')).body as { files: { name: string }[] };
    assert.deepEqual(files.files.map((file) => file.name), ['kept.safetensors']);
    const download = await fetch(`${studio.base}/api/files/download?name=kept.safetensors&token=${studio.token}`);
    assert.equal(download.status, 200);
    assert.match(String(download.headers.get('content-disposition')), /attachment; filename="kept.safetensors"/);
    assert.ok((await download.arrayBuffer()).byteLength > 25450 * 4);
    const loaded = await call(studio, 'POST', '/api/files/load', { name: 'kept.safetensors' });
    assert.equal(loaded.status, 201, loaded.text);
    assert.equal((loaded.body as RunView).kind, 'loaded');
    assert.equal((loaded.body as RunView).evaluation!.accuracy, run.evaluation!.accuracy);

    const outside = mkdtempSync(join(tmpdir(), 'digitnet-outside-'));
    writeFileSync(join(outside, 'secret.safetensors'), 'x');
    symlinkSync(join(outside, 'secret.safetensors'), join(studio.workspaceDir, 'link.safetensors'));
    const refusals: [string, string, unknown, RegExp][] = [
      ['POST', '/api/files/save', { model: run.id, name: '../escape', format: 'safetensors' }, /must be a plain name inside the workspace/],
      ['POST', '/api/files/save', { model: run.id, name: '/tmp/abs', format: 'safetensors' }, /must be a plain name inside the workspace/],
      ['POST', '/api/files/save', { model: run.id, name: '..hidden', format: 'safetensors' }, /no "\.\."/],
      ['POST', '/api/files/save', { model: run.id, name: 'link', format: 'safetensors' }, /is a link to somewhere outside the workspace/],
      ['POST', '/api/files/save', { model: run.id, name: 'x', format: 'keras' }, /format "keras" is unknown: allowed are safetensors/],
      ['POST', '/api/files/load', { name: 'link.safetensors' }, /is a link to somewhere outside the workspace/],
      ['POST', '/api/files/load', { name: '../../etc/passwd' }, /must be a plain name/],
      ['POST', '/api/files/load', { name: 'notes.txt' }, /must end in \.safetensors/],
      ['GET', '/api/files/download?name=link.safetensors', undefined, /is a link to somewhere outside the workspace/],
      ['GET', `/api/files/download?name=${encodeURIComponent('../x.safetensors')}`, undefined, /must be a plain name/],
    ];
    for (const [method, path, body, message] of refusals) {
      const reply = await call(studio, method, path, body);
      assert.equal(reply.status, 400, `${path} ${JSON.stringify(body)}: ${reply.text}`);
      assert.match(errorOf(reply), message);
    }
    writeFileSync(join(studio.workspaceDir, 'broken.safetensors'), 'not a model');
    const broken = await call(studio, 'POST', '/api/files/load', { name: 'broken.safetensors' });
    assert.equal(broken.status, 400);
    assert.match(errorOf(broken), /broken\.safetensors/);
    assert.equal((await call(studio, 'GET', '/api/files/download?name=missing.safetensors')).status, 404);
  });

  test('a categorical-crossentropy preset and an image-shaped input train too', async () => {
    const presets = (await call(studio, 'GET', '/api/presets')).body as { name: string; request: StartRunRequest }[];
    const preset = presets.find((candidate) => candidate.name === 'mlp-256-dropout-128')!.request;
    const run = await finishedRun(studio, { ...preset, model: { ...preset.model, layers: [{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dropout', rate: 0.2 }] }, training: { ...preset.training, loss: 'categoricalCrossentropy', epochs: 1, limit: 1000, validation: 0.1 } });
    assert.equal(run.status, 'finished', run.error ?? '');
    assert.ok(run.epochPoints[0]!.val_loss !== undefined);
  });
});

test('closing the studio ends a training in progress', async () => {
  const studio = await freshStudio();
  const started = await call(studio, 'POST', '/api/runs', smallRun('ended', 60000, 100));
  const id = (started.body as RunView).id;
  await waitFor('points', async () => (((await call(studio, 'GET', `/api/runs/${id}`)).body as RunView).points.length > 0 ? true : undefined));
  const closing = Date.now();
  await studio.close();
  assert.ok(Date.now() - closing < 10000);
  assert.equal(studio.context.runner.activeId, null);
  assert.ok(['stopped', 'evaluating'].includes(studio.context.store.get(id)!.view.status));
});
