/**
 * Evaluate: test loss and accuracy of the chosen run, the confusion matrix as a heat map (click a
 * cell for its digits with the top-3 probabilities), per-class precision/recall/F1, the most
 * confidently wrong digits, and the library's static Vega-Lite curves.
 */
import type { DigitView, EvaluationView } from '../evaluation.js';
import { api, withToken } from './api.js';
import type { App } from './app.js';
import { clear, count, digitCanvas, h, percent } from './dom.js';

function digitCard(digit: DigitView): HTMLElement {
  return h('div', { class: 'digit-card', title: `test image #${digit.index}` }, digitCanvas(digit.pixels),
    h('div', { class: 'caption' }, h('div', {}, `true ${digit.label}`),
      ...digit.top.map((entry, rank) => h('div', { class: rank === 0 ? 'top first' : 'top' }, `${entry.digit}: ${percent(entry.probability, 1)}`))));
}

export function evaluatePanel(root: HTMLElement, app: App): void {
  const header = h('div', { class: 'metrics', id: 'eval-metrics' });
  const heat = h('div', { id: 'confusion' });
  const cell = h('div', { id: 'confusion-cell' }, h('p', { class: 'muted' }, 'Click a cell of the matrix to see its digits.'));
  const report = h('div', { id: 'class-report' });
  const mistakes = h('div', { class: 'digit-cards', id: 'mistakes' });
  const curves = h('div', { id: 'eval-curves' });
  let shownFor = '';

  async function showCell(id: string, label: number, predicted: number): Promise<void> {
    const result = await api<{ total: number; digits: DigitView[] }>('GET', `/api/runs/${id}/confusion?label=${label}&predicted=${predicted}`);
    clear(cell, h('h3', {}, `True ${label}, predicted ${predicted}: ${count(result.total)} digit${result.total === 1 ? '' : 's'}${result.total > result.digits.length ? ` (the ${result.digits.length} most confident shown)` : ''}`),
      h('div', { class: 'digit-cards' }, ...result.digits.map(digitCard)));
  }

  function renderHeat(id: string, matrix: number[][]): HTMLElement {
    const largestOff = Math.max(1, ...matrix.flatMap((row, r) => row.filter((_, c) => c !== r)));
    const largestDiagonal = Math.max(1, ...matrix.map((row, r) => row[r]!));
    return h('table', { class: 'heat' },
      h('thead', {}, h('tr', {}, h('th', { class: 'corner' }, 'true ↓ / predicted →'), ...matrix.map((_, c) => h('th', {}, String(c))))),
      h('tbody', {}, ...matrix.map((row, r) => h('tr', {}, h('th', {}, String(r)), ...row.map((value, c) => {
        // Diagonal and mistakes on their own scales, so small confusions still show.
        const strength = r === c ? value / largestDiagonal : Math.sqrt(value / largestOff);
        const background = r === c ? `rgba(76,120,168,${0.15 + 0.85 * strength})` : value === 0 ? '#fff' : `rgba(228,87,86,${0.12 + 0.88 * strength})`;
        const dark = (r === c ? 0.15 + 0.85 * strength : 0.12 + 0.88 * strength) > 0.6 && value > 0;
        return h('td', { 'data-true': r, 'data-predicted': c, style: `background:${background};color:${dark ? '#fff' : '#1f2d3d'}`, title: `true ${r}, predicted ${c}: ${value}`, onclick: () => void showCell(id, r, c) }, String(value));
      })))));
  }

  async function render(id: string | null): Promise<void> {
    const run = id ? app.state.runs.get(id) : undefined;
    if (!id || !run || !run.evaluation) {
      shownFor = '';
      clear(header, h('p', { class: 'muted' }, run ? `${run.name} is ${run.status}: its evaluation appears when it has trained.` : 'Choose a trained run or a loaded model in the header.'));
      clear(heat); clear(report); clear(mistakes); clear(curves);
      return;
    }
    const key = `${id}:${run.evaluation.accuracy}`;
    if (key === shownFor) return;
    shownFor = key;
    const view = await api<EvaluationView>('GET', `/api/runs/${id}/evaluation`);
    clear(header,
      h('div', { class: 'metric' }, h('span', {}, 'test accuracy'), h('strong', { id: 'test-accuracy', 'data-value': String(view.accuracy) }, percent(view.accuracy))),
      h('div', { class: 'metric' }, h('span', {}, 'test loss'), h('strong', { id: 'test-loss' }, view.loss.toFixed(4))),
      h('div', { class: 'metric' }, h('span', {}, 'model'), h('strong', {}, run.name)));
    clear(heat, renderHeat(id, view.confusion));
    clear(cell, h('p', { class: 'muted' }, 'Click a cell of the matrix to see its digits.'));
    const row = (name: string, scores: { precision: number; recall: number; f1: number; support: number }) =>
      h('tr', {}, h('td', {}, name), h('td', { class: 'num' }, scores.precision.toFixed(4)), h('td', { class: 'num' }, scores.recall.toFixed(4)), h('td', { class: 'num' }, scores.f1.toFixed(4)), h('td', { class: 'num' }, count(scores.support)));
    clear(report, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'class'), h('th', { class: 'num' }, 'precision'), h('th', { class: 'num' }, 'recall'), h('th', { class: 'num' }, 'F1'), h('th', { class: 'num' }, 'support'))),
      h('tbody', {}, ...view.report.classes.map((scores) => row(String(scores.label), scores)), row('macro avg', view.report.macroAverage), row('weighted avg', view.report.weightedAverage))));
    clear(mistakes, ...view.mistakes.map(digitCard));
    clear(curves, run.epochPoints.length > 0 ? h('img', { class: 'chart', alt: 'training curves', src: withToken(`/api/runs/${id}/curves.svg`) }) : h('p', { class: 'muted' }, 'A loaded model has no training curves.'));
  }

  app.onSelect((id) => void render(id));
  app.state.on((event) => { if (event.type === 'run' || event.type === 'state') void render(app.selected()); });

  clear(root,
    h('section', { class: 'card' }, header),
    h('div', { class: 'columns' },
      h('section', { class: 'card' }, h('h2', {}, 'Confusion matrix (test set)'), heat),
      h('section', { class: 'card' }, h('h2', {}, 'Precision, recall and F1 per class'), report)),
    h('section', { class: 'card' }, cell),
    h('section', { class: 'card' }, h('h2', {}, 'Most confidently wrong'), mistakes),
    h('section', { class: 'card' }, h('h2', {}, 'Training curves per epoch'), curves),
  );
  void render(app.selected());
}
