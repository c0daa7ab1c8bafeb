/**
 * Draw: a canvas for mouse, pen or finger. Each stroke is turned into MNIST's 28×28 by the
 * library's own prepareDigit (bounding box into 20×20 keeping aspect, centred by centre of mass,
 * area-averaged), shown beside it, and the chosen model's ten probabilities follow as you draw.
 */
import { prepareDigit } from '../../data/prepare-digit.js';
import type { App } from './app.js';
import { clear, h, paintDigit, percent } from './dom.js';

const SIDE = 280;

export interface DrawTimings {
  /** Milliseconds from a pointer event to its probabilities on screen. */
  latencies: number[];
}

declare global {
  interface Window {
    digitnetDraw?: DrawTimings;
  }
}

export function drawPanel(root: HTMLElement, app: App): void {
  const canvas = h('canvas', { id: 'draw-canvas', width: SIDE, height: SIDE, class: 'draw' });
  const preview = h('canvas', { id: 'draw-preview', class: 'digit big' });
  const bars = h('div', { class: 'bars', id: 'probabilities' });
  const status = h('p', { class: 'muted', id: 'draw-status' });
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const timings: DrawTimings = { latencies: [] };
  window.digitnetDraw = timings;
  const barRows = Array.from({ length: 10 }, (_, digit) => {
    const fill = h('div', { class: 'bar-fill' });
    const value = h('span', { class: 'bar-value' }, '—');
    bars.append(h('div', { class: 'bar-row', 'data-digit': digit }, h('span', { class: 'bar-digit' }, String(digit)), h('div', { class: 'bar' }, fill), value));
    return { fill, value };
  });
  let drawing = false;
  let last: { x: number; y: number } | null = null;
  let pendingSince: number | null = null;
  let inFlight = false;

  function clearCanvas(): void {
    context.clearRect(0, 0, SIDE, SIDE);
    paintDigit(preview, new Uint8Array(784));
    for (const row of barRows) { row.fill.style.width = '0'; row.value.textContent = '—'; }
    bars.dataset.prediction = '';
    status.textContent = 'Draw a digit with the mouse, a pen or a finger.';
  }

  function point(event: PointerEvent): { x: number; y: number } {
    const box = canvas.getBoundingClientRect();
    return { x: ((event.clientX - box.left) * SIDE) / box.width, y: ((event.clientY - box.top) * SIDE) / box.height };
  }

  function stroke(to: { x: number; y: number }): void {
    context.strokeStyle = '#000';
    context.lineWidth = 20;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo((last ?? to).x, (last ?? to).y);
    context.lineTo(to.x + (last ? 0 : 0.01), to.y);
    context.stroke();
    last = to;
    request(performance.now());
  }

  // One prediction in flight at a time; the newest drawing is sent as soon as the last one answers.
  function request(since: number): void {
    pendingSince ??= since;
    if (!inFlight) void classify();
  }

  async function classify(): Promise<void> {
    const since = pendingSince;
    if (since === null) return;
    pendingSince = null;
    const model = app.selected();
    const run = model ? app.state.runs.get(model) : undefined;
    // The ink is the canvas's alpha: grey levels with the background 0, as MNIST's.
    const rgba = context.getImageData(0, 0, SIDE, SIDE).data;
    const ink = new Uint8Array(SIDE * SIDE);
    for (let index = 0; index < ink.length; index++) ink[index] = rgba[index * 4 + 3]!;
    let pixels: Uint8Array;
    try {
      pixels = prepareDigit(ink, SIDE, SIDE, { invert: false });
    } catch {
      return;
    }
    paintDigit(preview, pixels);
    if (!model || !run || (run.status !== 'finished' && run.status !== 'stopped')) {
      status.textContent = 'Choose a trained run or a loaded model in the header to see its probabilities.';
      return;
    }
    inFlight = true;
    try {
      const probabilities = await app.state.predict(model, pixels);
      let best = 0;
      probabilities.forEach((probability, digit) => {
        barRows[digit]!.fill.style.width = `${(probability * 100).toFixed(1)}%`;
        barRows[digit]!.value.textContent = percent(probability, 1);
        if (probability > probabilities[best]!) best = digit;
      });
      barRows.forEach((row, digit) => row.fill.classList.toggle('best', digit === best));
      bars.dataset.prediction = String(best);
      const latency = performance.now() - since;
      timings.latencies.push(latency);
      status.textContent = `${run.name} reads ${best} (${percent(probabilities[best]!, 1)}) · ${latency.toFixed(1)} ms from the stroke to these probabilities`;
    } catch (error) {
      status.textContent = (error as Error).message;
    } finally {
      inFlight = false;
      if (pendingSince !== null) void classify();
    }
  }

  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    last = null;
    canvas.setPointerCapture(event.pointerId);
    stroke(point(event));
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    // Coalesced events keep fast pen strokes smooth.
    for (const sample of event.getCoalescedEvents?.() ?? [event]) stroke(point(sample));
  });
  const end = (): void => { drawing = false; last = null; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  app.onSelect(() => request(performance.now()));

  clear(root, h('div', { class: 'columns' },
    h('section', { class: 'card' }, h('h2', {}, 'Write a digit'), canvas, h('div', { class: 'toolbar' }, h('button', { class: 'secondary', id: 'draw-clear', onclick: clearCanvas }, 'Clear'))),
    h('section', { class: 'card' }, h('h2', {}, 'What the model sees (28×28)'), preview, h('h2', {}, 'Probabilities'), bars, status)));
  clearCanvas();
}
