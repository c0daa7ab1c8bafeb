// What every notebook test asserts of one executed notebook of examples/notebooks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cellErrors, cellText, chartOutputs, codeCells, executeNotebook, joined, jupyterMissing, type ExecutedNotebook } from './run-notebook.js';

export interface NotebookExpectations {
  /** The "Total params" of the seed's models, as model.summary() prints them. */
  totalParams: number[];
  /** The seed's accuracies in percent, in the order the notebook prints its "(seed …)" lines. */
  seedAccuracy: number[];
}

// The bar: a reported figure met, beaten, or missed by at most this many points.
const TOLERANCE_POINTS = 0.3;

export function testNotebook(file: string, expected: NotebookExpectations): void {
  let notebook: ExecutedNotebook | undefined;
  const run = (): ExecutedNotebook => (notebook ??= executeNotebook(file));
  const options = { skip: jupyterMissing };

  test(`${file} runs top to bottom in Jupyter on tslab without a cell error`, options, () => {
    // nbconvert stops at a failing cell (its exit status is checked), so every cell ran; tslab sends
    // no execution counts to check that by. Errors printed to stderr are failures too.
    const executed = run();
    for (const [index, cell] of codeCells(executed).entries()) {
      assert.deepEqual(cellErrors(cell), [], `code cell ${index + 1} of ${file} (${joined(cell.source).slice(0, 60)}…) failed`);
    }
    console.log(`${file}: executed in ${executed.seconds.toFixed(1)} s`);
  });

  test(`${file} shows the seed models' Total params in its summaries`, options, () => {
    const text = codeCells(run()).map(cellText).join('\n');
    for (const params of expected.totalParams) {
      assert.match(text, new RegExp(`Total params: ${params.toLocaleString('en-US')}\\b`), `no summary of ${file} shows Total params: ${params.toLocaleString('en-US')}`);
    }
  });

  test(`${file} draws every chart it shows inline, as SVG or PNG`, options, () => {
    const showing = codeCells(run()).filter((cell) => /\bshow\(plot/.test(joined(cell.source)));
    assert.ok(showing.length > 0, `${file} shows no chart`);
    for (const cell of showing) assert.ok(chartOutputs(cell).length > 0, `the cell ${joined(cell.source).slice(0, 60)}… of ${file} shows no SVG or PNG`);
  });

  test(`${file}'s HTML export embeds its charts`, options, () => {
    const executed = run();
    const charts = codeCells(executed).flatMap(chartOutputs).length;
    const embedded = (executed.html.match(/<svg[\s>]/g) ?? []).length + (executed.html.match(/data:image\/png;base64,/g) ?? []).length;
    assert.ok(charts > 0 && embedded >= charts, `the HTML export of ${file} embeds ${embedded} images for its ${charts} charts`);
  });

  if (expected.seedAccuracy.length > 0) {
    test(`${file}'s accuracies reach the seed's less ${TOLERANCE_POINTS} points`, options, () => {
      const lines = codeCells(run())
        .map(cellText)
        .join('\n')
        .split('\n')
        .filter((line) => /\(seed:? /.test(line));
      assert.equal(lines.length, expected.seedAccuracy.length, `${file} printed ${lines.length} lines comparing with the seed:\n${lines.join('\n')}`);
      lines.forEach((line, index) => {
        // The notebook's figure is the first percentage on its line; the seed's comes from this test.
        const ours = Number(/(\d+\.\d+)%/.exec(line)?.[1]);
        const seed = expected.seedAccuracy[index]!;
        assert.ok(ours >= seed - TOLERANCE_POINTS, `${file}: ${line.trim()} is below the seed's ${seed}% less ${TOLERANCE_POINTS} points`);
      });
    });
  }
}
