/**
 * The live curves: one uPlot chart per metric with every shown run overlaid, batch values as
 * lines and validation at each epoch's end as dots. The x axis counts epochs (fractions mid-epoch).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { RunView } from '../store.js';

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac', '#eeca3b'];

export function colourOf(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

export class CurveChart {
  private plot: uPlot | null = null;
  private key = '';

  constructor(private readonly container: HTMLElement, private readonly metric: 'loss' | 'accuracy') {}

  update(runs: readonly RunView[]): void {
    const shown = runs.filter((run) => run.kind === 'run');
    const key = shown.map((run) => `${run.id}:${run.epochPoints.some((point) => point.val_loss !== undefined)}`).join(',');
    const tables: uPlot.AlignedData[] = [];
    const series: uPlot.Series[] = [{ label: 'epoch', value: (_plot, value) => (value === null ? '' : value.toFixed(2)) }];
    let points = 0;
    shown.forEach((run, index) => {
      const colour = colourOf(index);
      const steps = Math.max(run.steps, 1);
      tables.push([run.points.map((point) => point.step / steps), run.points.map((point) => point[this.metric])]);
      points += run.points.length;
      series.push({ label: `${run.name} (train)`, stroke: colour, width: 1.5, spanGaps: true, points: { show: false } });
      if (run.epochPoints.some((point) => point.val_loss !== undefined)) {
        const name = this.metric === 'loss' ? 'val_loss' : 'val_accuracy';
        tables.push([run.epochPoints.map((point) => point.epoch + 1), run.epochPoints.map((point) => point[name] ?? null) as number[]]);
        series.push({ label: `${run.name} (validation)`, stroke: colour, width: 0, dash: [4, 4], spanGaps: true, points: { show: true, size: 7, fill: colour } });
      }
    });
    this.container.dataset.points = String(points);
    const data: uPlot.AlignedData = tables.length > 0 ? uPlot.join(tables) : [[], []];
    if (tables.length === 0) series.push({ label: 'no runs yet' });
    if (!this.plot || key !== this.key) {
      this.plot?.destroy();
      this.key = key;
      this.plot = new uPlot({
        width: Math.max(320, this.container.clientWidth || 560),
        height: 260,
        title: this.metric === 'loss' ? 'Loss' : 'Accuracy',
        series,
        scales: { x: { time: false } },
        axes: [{ label: 'epoch' }, { label: this.metric, size: 60 }],
        legend: { live: false },
      }, data, this.container);
    } else {
      this.plot.setData(data);
    }
  }

  resize(): void {
    if (this.plot && this.container.clientWidth > 0) this.plot.setSize({ width: this.container.clientWidth, height: 260 });
  }
}
