import { renderSvg } from '../../src/report/render.js';
import { confusionMatrixSpec } from '../../src/report/charts.js';
const spec: any = confusionMatrixSpec([[5,1],[0,9]]);
try { await renderSvg(spec); console.log('full ok'); } catch (e) { console.log('full fail', (e as Error).message); }
spec.layer[1].encoding.color = { value: 'black' };
try { await renderSvg(spec); console.log('no ink ok'); } catch (e) { console.log('fail2'); }
