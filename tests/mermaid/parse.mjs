// Parses Mermaid diagrams with mermaid 11 under Node (jsdom as the DOM): reads a JSON list of
// diagram texts on stdin, prints a JSON list of {ok, type} or {ok: false, error}.
import { JSDOM } from 'jsdom';
import { readFileSync } from 'node:fs';
const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const k of ['Element','HTMLElement','Node','DOMParser','navigator','SVGElement','MutationObserver']) {
  if (!(k in globalThis)) try { globalThis[k] = dom.window[k]; } catch {}
}
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });
const texts = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const t of texts) {
  try { const r = await mermaid.parse(t); results.push({ ok: true, type: r.diagramType }); }
  catch (e) { results.push({ ok: false, error: String(e.message || e) }); }
}
console.log(JSON.stringify(results));
