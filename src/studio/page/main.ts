/** The studio's page: a header with the tabs and the chosen model, one panel per notebook step. */
import './style.css';
import { LiveState } from './api.js';
import { TABS, type App, type TabName } from './app.js';
import { dataPanel } from './data-panel.js';
import { h } from './dom.js';
import { drawPanel } from './draw-panel.js';
import { evaluatePanel } from './evaluate-panel.js';
import { modelPanel } from './model-panel.js';
import { modelsPanel } from './models-panel.js';
import { trainPanel } from './train-panel.js';

const LABELS: Record<TabName, string> = { data: 'Data', model: 'Model', train: 'Train', evaluate: 'Evaluate', draw: 'Draw', models: 'Models' };

const state = new LiveState();
let selected: string | null = null;
const selectListeners: ((id: string | null) => void)[] = [];
const nav = document.getElementById('tabs')!;
const picker = document.getElementById('chosen-model') as HTMLSelectElement;
const connection = document.getElementById('connection')!;
const panels = new Map<TabName, HTMLElement>();

const app: App = {
  state,
  selected: () => selected,
  select(id) {
    selected = id;
    picker.value = id ?? '';
    for (const listener of selectListeners) listener(id);
  },
  onSelect: (listener) => void selectListeners.push(listener),
  showTab(name) {
    for (const [tab, panel] of panels) panel.hidden = tab !== name;
    for (const button of nav.querySelectorAll('button')) button.classList.toggle('active', button.dataset.tab === name);
    history.replaceState(null, '', `${location.search}#${name}`);
  },
};

for (const tab of TABS) {
  const panel = h('main', { id: `panel-${tab}`, class: 'panel', hidden: true });
  document.body.append(panel);
  panels.set(tab, panel);
  nav.append(h('button', { 'data-tab': tab, onclick: () => app.showTab(tab) }, LABELS[tab]));
}

function renderPicker(): void {
  const runs = [...state.runs.values()];
  const options = [h('option', { value: '' }, runs.length === 0 ? 'no runs yet' : 'choose a run…'), ...runs.map((run) => h('option', { value: run.id }, `${run.name} · ${run.status}${run.evaluation ? ` · ${(run.evaluation.accuracy * 100).toFixed(2)}%` : ''}`))];
  picker.replaceChildren(...options);
  if (selected && !state.runs.has(selected)) selected = null;
  // A page opened fresh picks the newest run, so reloading mid-training shows it.
  if (!selected && runs.length > 0) app.select(runs[runs.length - 1]!.id);
  picker.value = selected ?? '';
}
picker.addEventListener('change', () => app.select(picker.value || null));
state.on((event) => {
  if (event.type !== 'batch' && event.type !== 'epoch') renderPicker();
  connection.textContent = state.connected ? '' : 'reconnecting…';
});

dataPanel(panels.get('data')!);
modelPanel(panels.get('model')!, app);
trainPanel(panels.get('train')!, app);
evaluatePanel(panels.get('evaluate')!, app);
drawPanel(panels.get('draw')!, app);
modelsPanel(panels.get('models')!, app);
state.connect();
const initial = location.hash.slice(1) as TabName;
app.showTab(TABS.includes(initial) ? initial : 'data');
