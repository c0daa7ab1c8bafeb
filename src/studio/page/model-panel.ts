/**
 * Model: build a Sequential MLP layer by layer with its training settings, or take a seed
 * notebook's preset in one click. The parameter count is the server's model.summary() of what is
 * typed, refreshed on every keystroke.
 */
import type { ModelSummary } from '../model-spec.js';
import type { LayerSpec, StartRunRequest } from '../schemas.js';
import { ACTIVATIONS, LOSSES, OPTIMIZERS } from '../limits.js';
import { api } from './api.js';
import type { App } from './app.js';
import { clear, count, h } from './dom.js';

interface PresetView {
  name: string;
  notebook: string;
  description: string;
  request: StartRunRequest;
}

/** The form's values as typed (strings where the user types), turned into a request on demand. */
interface Draft {
  name: string;
  inputShape: '784' | '28x28';
  layers: { type: 'dense' | 'dropout'; units: string; activation: string; rate: string }[];
  optimizer: string;
  learningRate: string;
  loss: string;
  epochs: string;
  batchSize: string;
  validation: 'none' | 'test' | 'split';
  split: string;
  patience: string;
  restoreBest: boolean;
  limit: string;
  seed: string;
}

const number = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));
const optionalNumber = (text: string): number | null => (text.trim() === '' ? null : Number(text));

function draftFrom(request: StartRunRequest): Draft {
  const { model, training } = request;
  return {
    name: request.name,
    inputShape: model.inputShape.length === 2 ? '28x28' : '784',
    layers: model.layers.map((layer) => (layer.type === 'dense'
      ? { type: 'dense', units: String(layer.units), activation: layer.activation, rate: '0.2' }
      : { type: 'dropout', units: '64', activation: 'relu', rate: String(layer.rate) })),
    optimizer: training.optimizer,
    learningRate: training.learningRate === null ? '' : String(training.learningRate),
    loss: training.loss,
    epochs: String(training.epochs),
    batchSize: String(training.batchSize),
    validation: typeof training.validation === 'number' ? 'split' : training.validation,
    split: typeof training.validation === 'number' ? String(training.validation) : '0.1',
    patience: training.earlyStoppingPatience === null ? '' : String(training.earlyStoppingPatience),
    restoreBest: training.restoreBest,
    limit: training.limit === null ? '' : String(training.limit),
    seed: training.seed === null ? '' : String(training.seed),
  };
}

/** The request as typed; the server's zod schema judges it (and names a bad field). */
export function requestFrom(draft: Draft): StartRunRequest {
  return {
    name: draft.name,
    model: {
      inputShape: draft.inputShape === '28x28' ? [28, 28] : [784],
      layers: draft.layers.map((layer): LayerSpec => (layer.type === 'dense'
        ? { type: 'dense', units: number(layer.units), activation: layer.activation as 'relu' }
        : { type: 'dropout', rate: number(layer.rate) })),
    },
    training: {
      optimizer: draft.optimizer as 'adam',
      learningRate: optionalNumber(draft.learningRate),
      loss: draft.loss as 'sparseCategoricalCrossentropy',
      epochs: number(draft.epochs),
      batchSize: number(draft.batchSize),
      validation: draft.validation === 'split' ? number(draft.split) : draft.validation,
      earlyStoppingPatience: optionalNumber(draft.patience),
      restoreBest: draft.restoreBest,
      limit: optionalNumber(draft.limit),
      seed: optionalNumber(draft.seed),
    },
  };
}

const DEFAULT_REQUEST: StartRunRequest = {
  name: 'mlp-128',
  model: { inputShape: [784], layers: [{ type: 'dense', units: 128, activation: 'relu' }] },
  training: { optimizer: 'adam', learningRate: null, loss: 'sparseCategoricalCrossentropy', epochs: 3, batchSize: 128, validation: 'test', earlyStoppingPatience: null, restoreBest: false, limit: null, seed: null },
};

export function modelPanel(root: HTMLElement, app: App): void {
  let draft = draftFrom(DEFAULT_REQUEST);
  const presetList = h('div', { class: 'chips', id: 'presets' });
  const layersBox = h('div', { class: 'layers', id: 'layers' });
  const settings = h('div', { class: 'form-grid', id: 'training-settings' });
  const summaryBox = h('div', { id: 'summary' });
  const params = h('div', { class: 'big-number', id: 'param-count' }, '…');
  const problem = h('p', { class: 'error', id: 'model-error' });
  const start = h('button', { id: 'start-training', onclick: () => void startTraining() }, 'Start training');
  const note = h('p', { class: 'muted' }, 'The studio trains one model at a time: Start is refused while another training runs (stop it on the Train page first).');
  let summaryRequest = 0;

  async function refreshSummary(): Promise<void> {
    const mine = ++summaryRequest;
    try {
      const summary = await api<ModelSummary>('POST', '/api/model/summary', { model: requestFrom(draft).model });
      if (mine !== summaryRequest) return;
      params.textContent = `${count(summary.totalParams)} parameters`;
      clear(summaryBox, h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Layer (type)'), h('th', {}, 'Output shape'), h('th', { class: 'num' }, 'Params'))),
        h('tbody', {}, ...summary.rows.map((row) => h('tr', {}, h('td', {}, `${row.name} (${row.type})`), h('td', {}, row.outputShape), h('td', { class: 'num' }, count(row.params)))))));
      problem.textContent = '';
    } catch (error) {
      if (mine !== summaryRequest) return;
      params.textContent = '—';
      problem.textContent = (error as Error).message;
    }
  }

  const field = (label: string, input: HTMLElement): HTMLElement => h('label', { class: 'field' }, h('span', {}, label), input);
  const text = (key: keyof Draft, attributes: Record<string, string> = {}): HTMLInputElement => {
    const input = h('input', { value: String(draft[key]), id: `field-${key}`, ...attributes, oninput: () => { (draft as unknown as Record<string, string>)[key] = input.value; void refreshSummary(); } });
    return input;
  };
  const choice = (key: keyof Draft, options: readonly string[], after: () => void = () => undefined): HTMLSelectElement => {
    const select = h('select', { id: `field-${key}`, onchange: () => { (draft as unknown as Record<string, string>)[key] = select.value; after(); void refreshSummary(); } },
      ...options.map((option) => h('option', { value: option, selected: option === draft[key] }, option)));
    return select;
  };

  function renderLayers(): void {
    clear(layersBox,
      h('div', { class: 'layer fixed' }, h('span', { class: 'layer-type' }, draft.inputShape === '28x28' ? 'Input 28×28 → Flatten' : 'Input 784'), choice('inputShape', ['784', '28x28'], renderLayers)),
      ...draft.layers.map((layer, index) => {
        const remove = h('button', { class: 'icon', title: 'remove this layer', onclick: () => { draft.layers.splice(index, 1); renderLayers(); void refreshSummary(); } }, '✕');
        const update = (key: 'units' | 'activation' | 'rate') => (event: Event) => { layer[key] = (event.target as HTMLInputElement).value; void refreshSummary(); };
        return layer.type === 'dense'
          ? h('div', { class: 'layer' }, h('span', { class: 'layer-type' }, 'Dense'),
            h('input', { class: 'units', type: 'number', min: 1, value: layer.units, 'aria-label': `layer ${index + 1} units`, oninput: update('units') }),
            h('select', { 'aria-label': `layer ${index + 1} activation`, onchange: update('activation') }, ...ACTIVATIONS.map((name) => h('option', { value: name, selected: name === layer.activation }, name))), remove)
          : h('div', { class: 'layer' }, h('span', { class: 'layer-type' }, 'Dropout'),
            h('input', { class: 'units', type: 'number', step: 0.05, min: 0, max: 0.95, value: layer.rate, 'aria-label': `layer ${index + 1} rate`, oninput: update('rate') }), h('span', { class: 'muted' }, 'rate'), remove);
      }),
      h('div', { class: 'layer fixed' }, h('span', { class: 'layer-type' }, 'Dense'), h('span', {}, '10 units, softmax (the output)')),
      h('div', { class: 'toolbar' },
        h('button', { class: 'secondary', id: 'add-dense', onclick: () => { draft.layers.push({ type: 'dense', units: '64', activation: 'relu', rate: '0.2' }); renderLayers(); void refreshSummary(); } }, '+ Dense'),
        h('button', { class: 'secondary', id: 'add-dropout', onclick: () => { draft.layers.push({ type: 'dropout', units: '64', activation: 'relu', rate: '0.2' }); renderLayers(); void refreshSummary(); } }, '+ Dropout')),
    );
  }

  function renderSettings(): void {
    const restore = h('input', { type: 'checkbox', id: 'field-restoreBest', checked: draft.restoreBest, onchange: () => (draft.restoreBest = restore.checked) });
    clear(settings,
      field('Run name', text('name')),
      field('Optimizer', choice('optimizer', OPTIMIZERS)),
      field('Learning rate (blank: Keras default)', text('learningRate', { placeholder: 'default' })),
      field('Loss', choice('loss', LOSSES)),
      field('Epochs', text('epochs', { type: 'number', min: '1' })),
      field('Batch size', text('batchSize', { type: 'number', min: '1' })),
      field('Validation', choice('validation', ['none', 'test', 'split'])),
      field('Split fraction (for split)', text('split', { type: 'number', step: '0.05' })),
      field('Early stopping patience (blank: off)', text('patience', { placeholder: 'off' })),
      h('label', { class: 'field inline' }, restore, h('span', {}, 'restore best weights')),
      field('Training images (blank: all 60,000)', text('limit', { placeholder: 'all', type: 'number' })),
      field('Seed (blank: random)', text('seed', { placeholder: 'random', type: 'number' })),
    );
  }

  function render(): void {
    renderLayers();
    renderSettings();
    void refreshSummary();
  }

  async function startTraining(): Promise<void> {
    try {
      const run = await api<{ id: string }>('POST', '/api/runs', requestFrom(draft));
      problem.textContent = '';
      app.select(run.id);
      app.showTab('train');
    } catch (error) {
      problem.textContent = (error as Error).message;
    }
  }

  void api<PresetView[]>('GET', '/api/presets').then((presets) => {
    for (const preset of presets) {
      presetList.append(h('button', { class: 'chip', title: `notebook ${preset.notebook}: ${preset.description}`, 'data-preset': preset.name, onclick: () => { draft = draftFrom(preset.request); render(); } },
        h('small', {}, preset.notebook), ' ', preset.name));
    }
  });

  clear(root,
    h('section', { class: 'card' }, h('h2', {}, 'Presets: the seed notebooks’ models'), presetList),
    h('div', { class: 'columns' },
      h('section', { class: 'card' }, h('h2', {}, 'Layers'), layersBox, h('h2', {}, 'Training'), settings, h('div', { class: 'toolbar' }, start), problem, note),
      h('section', { class: 'card' }, h('h2', {}, 'Summary'), params, summaryBox)),
  );
  render();
}
