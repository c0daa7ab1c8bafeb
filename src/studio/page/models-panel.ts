/** Models: save the chosen run in a format (the list comes from the server's one list), load a workspace file, download one. */
import { api, withToken } from './api.js';
import type { App } from './app.js';
import { clear, count, h } from './dom.js';

interface FormatView { id: string; label: string; extension: string; loadable: boolean }
interface FileView { name: string; bytes: number; modified: number; loadable: boolean }

export function modelsPanel(root: HTMLElement, app: App): void {
  const formatSelect = h('select', { id: 'save-format' });
  const nameInput = h('input', { id: 'save-name', placeholder: 'file name' });
  const chosen = h('p', { class: 'muted', id: 'save-chosen' });
  const message = h('p', { class: 'ok', id: 'models-message' });
  const problem = h('p', { class: 'error', id: 'models-error' });
  const files = h('tbody', { id: 'files' });
  const where = h('p', { class: 'muted' });

  const report = (promise: Promise<string>): void => void promise.then((text) => { message.textContent = text; problem.textContent = ''; void refresh(); }, (error: Error) => { problem.textContent = error.message; message.textContent = ''; });

  async function refresh(): Promise<void> {
    const listing = await api<{ workspace: string; files: FileView[] }>('GET', '/api/files');
    where.textContent = `Workspace: ${listing.workspace}`;
    clear(files, ...(listing.files.length === 0 ? [h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No model files yet.'))] : listing.files.map((file) => h('tr', { 'data-file': file.name },
      h('td', {}, file.name), h('td', { class: 'num' }, `${count(Math.round(file.bytes / 1024))} KiB`),
      h('td', {}, new Date(file.modified).toLocaleString()),
      h('td', { class: 'actions' },
        file.loadable ? h('button', { class: 'secondary load', onclick: () => report(api<{ id: string; name: string }>('POST', '/api/files/load', { name: file.name }).then((run) => { app.select(run.id); return `Loaded ${file.name} as ${run.id}.`; })) }, 'Load') : null,
        h('a', { class: 'button secondary', href: withToken(`/api/files/download?name=${encodeURIComponent(file.name)}`), download: file.name }, 'Download'))))));
  }

  function updateChosen(id: string | null): void {
    const run = id ? app.state.runs.get(id) : undefined;
    chosen.textContent = run ? `Saving ${run.name} (${run.status}).` : 'Choose a run in the header.';
    if (run && !nameInput.value) nameInput.value = run.name;
  }

  const save = h('button', { id: 'save-model', onclick: () => {
    const id = app.selected();
    if (!id) { problem.textContent = 'Choose a run in the header first.'; return; }
    report(api<{ name: string; bytes: number }>('POST', '/api/files/save', { model: id, name: nameInput.value, format: formatSelect.value }).then((saved) => `Saved ${saved.name} (${count(Math.round(saved.bytes / 1024))} KiB).`));
  } }, 'Save');

  void api<FormatView[]>('GET', '/api/formats').then((formats) => {
    for (const format of formats) formatSelect.append(h('option', { value: format.id }, `${format.label} — ${format.extension}`));
  });
  app.onSelect((id) => { nameInput.value = ''; updateChosen(id); });
  app.state.on(() => updateChosen(app.selected()));

  clear(root,
    h('section', { class: 'card' }, h('h2', {}, 'Save the chosen run'), chosen, h('div', { class: 'toolbar' }, nameInput, formatSelect, save), message, problem),
    h('section', { class: 'card' }, h('h2', {}, 'Model files in the workspace'), where,
      h('table', { class: 'table' }, h('thead', {}, h('tr', {}, h('th', {}, 'file'), h('th', { class: 'num' }, 'size'), h('th', {}, 'modified'), h('th', {}, ''))), files)),
  );
  updateChosen(app.selected());
  void refresh();
}
