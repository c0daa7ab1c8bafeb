/** Train: every run with its status, epoch, ETA and samples/s, pause/stop, and the live curves overlaid. */
import type { RunView } from '../store.js';
import { api } from './api.js';
import type { App } from './app.js';
import { colourOf, CurveChart } from './curves.js';
import { clear, count, h, percent } from './dom.js';

function seconds(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value < 60) return `${value.toFixed(value < 10 ? 1 : 0)} s`;
  return `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
}

export function progressText(run: RunView): string {
  const last = run.points[run.points.length - 1];
  if (run.status === 'running' || run.status === 'paused') {
    if (!last) return 'starting…';
    return `epoch ${last.epoch + 1}/${run.epochs} · ETA ${seconds(last.eta)} · ${count(Math.round(last.samplesPerSecond))} samples/s`;
  }
  if (run.status === 'failed') return run.error ?? 'failed';
  if (run.trainSeconds !== null) return `${run.epochPoints.length} epoch${run.epochPoints.length === 1 ? '' : 's'} in ${seconds(run.trainSeconds)}`;
  return run.kind === 'loaded' ? `loaded from ${run.file}` : '';
}

export function trainPanel(root: HTMLElement, app: App): void {
  const table = h('tbody', { id: 'runs' });
  const lossBox = h('div', { class: 'chart-box', id: 'loss-chart' });
  const accuracyBox = h('div', { class: 'chart-box', id: 'accuracy-chart' });
  const loss = new CurveChart(lossBox, 'loss');
  const accuracy = new CurveChart(accuracyBox, 'accuracy');
  const problem = h('p', { class: 'error', id: 'train-error' });

  const act = (path: string, method: 'POST' | 'DELETE' = 'POST') => () => void api(method, path).then(() => (problem.textContent = ''), (error: Error) => (problem.textContent = error.message));

  function renderTable(runs: readonly RunView[]): void {
    clear(table, ...runs.map((run, index) => {
      const training = run.status === 'running' || run.status === 'paused' || run.status === 'stopping';
      return h('tr', { 'data-run': run.id, 'data-status': run.status },
        h('td', {}, h('span', { class: 'swatch', style: `background:${run.kind === 'run' ? colourOf(runs.filter((other) => other.kind === 'run').indexOf(run)) : '#999'}` }), run.name),
        h('td', { class: `status ${run.status}` }, run.status),
        h('td', { class: 'progress' }, progressText(run)),
        h('td', { class: 'num' }, count(run.totalParams)),
        h('td', { class: 'num accuracy' }, run.evaluation ? percent(run.evaluation.accuracy) : '—'),
        h('td', { class: 'actions' },
          run.status === 'running' ? h('button', { class: 'secondary pause', onclick: act(`/api/runs/${run.id}/pause`) }, 'Pause') : null,
          run.status === 'paused' ? h('button', { class: 'secondary resume', onclick: act(`/api/runs/${run.id}/resume`) }, 'Resume') : null,
          training ? h('button', { class: 'danger stop', onclick: act(`/api/runs/${run.id}/stop`) }, 'Stop') : null,
          run.evaluation ? h('button', { class: 'secondary', onclick: () => { app.select(run.id); app.showTab('evaluate'); } }, 'Evaluate') : null,
          !training && run.status !== 'evaluating' ? h('button', { class: 'icon', title: 'remove from the studio', onclick: act(`/api/runs/${run.id}`, 'DELETE') }, '✕') : null),
      );
      void index;
    }));
  }

  let scheduled = false;
  let tableDirty = true;
  // Redrawn at most once a frame, however fast the socket speaks.
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const runs = [...app.state.runs.values()];
      if (tableDirty) renderTable(runs);
      else for (const run of runs) {
        const cell = table.querySelector(`tr[data-run="${run.id}"] .progress`);
        if (cell) cell.textContent = progressText(run);
      }
      tableDirty = false;
      loss.update(runs);
      accuracy.update(runs);
    });
  };
  app.state.on((event) => {
    if (event.type !== 'batch') tableDirty = true;
    schedule();
  });
  window.addEventListener('resize', () => { loss.resize(); accuracy.resize(); });

  clear(root,
    h('section', { class: 'card' }, h('h2', {}, 'Runs'),
      h('p', { class: 'muted' }, 'One training at a time; start one on the Model page. Every run stays on the charts, overlaid, until you remove it.'),
      h('table', { class: 'table' }, h('thead', {}, h('tr', {}, h('th', {}, 'run'), h('th', {}, 'status'), h('th', {}, 'progress'), h('th', { class: 'num' }, 'params'), h('th', { class: 'num' }, 'test accuracy'), h('th', {}, ''))), table), problem),
    h('div', { class: 'columns' }, h('section', { class: 'card' }, lossBox), h('section', { class: 'card' }, accuracyBox)),
  );
  schedule();
  // Charts created while the tab was hidden have no width: fit them when the tab is shown.
  new ResizeObserver(() => { loss.resize(); accuracy.resize(); }).observe(lossBox);
}
