/** Data: the class balance of train and test (the report's Vega-Lite chart) and the digits, by class. */
import { api, withToken } from './api.js';
import { clear, count, digitCanvas, h } from './dom.js';

interface DigitsPage {
  total: number;
  digits: { index: number; label: number; pixels: string }[];
}

export function dataPanel(root: HTMLElement): void {
  let split: 'train' | 'test' = 'train';
  let label: 'all' | number = 'all';
  let offset = 0;
  const grid = h('div', { class: 'digit-grid', id: 'data-digits' });
  const large = h('div', { class: 'digit-large', id: 'data-large' }, h('p', { class: 'muted' }, 'Click a digit to see it large.'));
  const totals = h('p', { class: 'muted', id: 'data-totals' });
  const more = h('button', { class: 'secondary', onclick: () => void load(true) }, 'More digits');
  const splitSelect = h('select', { id: 'data-split', onchange: () => { split = splitSelect.value as 'train' | 'test'; void load(false); } },
    h('option', { value: 'train' }, 'training set (60,000)'), h('option', { value: 'test' }, 'test set (10,000)'));
  const classButtons = h('div', { class: 'chips', id: 'data-classes' });
  const classes: ('all' | number)[] = ['all', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  for (const value of classes) {
    classButtons.append(h('button', { class: value === 'all' ? 'chip active' : 'chip', 'data-class': String(value), onclick: (event: Event) => {
      label = value;
      for (const chip of classButtons.children) chip.classList.toggle('active', chip === event.currentTarget);
      void load(false);
    } }, value === 'all' ? 'all' : String(value)));
  }

  async function load(append: boolean): Promise<void> {
    offset = append ? offset + 60 : 0;
    const page = await api<DigitsPage>('GET', `/api/data/digits?split=${split}&label=${label}&offset=${offset}&count=60`);
    if (!append) clear(grid);
    for (const digit of page.digits) {
      const tile = h('button', { class: 'digit-tile', title: `#${digit.index}: ${digit.label}`, onclick: () => {
        clear(large, digitCanvas(digit.pixels, 'digit big'), h('p', {}, h('strong', {}, `label ${digit.label}`), ` · ${split} image #${count(digit.index)}`));
      } }, digitCanvas(digit.pixels), h('span', {}, String(digit.label)));
      grid.append(tile);
    }
    totals.textContent = `${count(Math.min(offset + page.digits.length, page.total))} of ${count(page.total)} ${label === 'all' ? 'images' : `images of ${label}`} shown`;
    more.disabled = offset + page.digits.length >= page.total;
  }

  clear(root,
    h('section', { class: 'card' }, h('h2', {}, 'Class balance'), h('img', { id: 'class-balance', class: 'chart', alt: 'class balance of the training and test sets', src: withToken('/api/charts/class-balance.svg') })),
    h('section', { class: 'card' }, h('h2', {}, 'Digits'), h('div', { class: 'toolbar' }, splitSelect, classButtons), h('div', { class: 'digits-layout' }, h('div', {}, grid, h('div', { class: 'toolbar' }, totals, more)), large)),
  );
  void load(false);
}
