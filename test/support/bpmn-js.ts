/**
 * Opens BPMN XML in the real bpmn-js Modeler (the UMD bundle from node_modules) inside Debian's
 * headless Chromium, driven by playwright-core, and reports what bpmn-js says about each file:
 * its import warnings, a failed import, and how many shapes and connections it drew. This is the
 * oracle behind "opens in bpmn-js without warnings".
 *
 * It owns one browser per call, on a blank page with no network; it never downloads a browser
 * (no `playwright install`) and never loads anything from outside node_modules.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

export interface BpmnJsResult {
  name: string;
  /** bpmn-js import warnings, then console errors and uncaught page errors seen during the import. */
  warnings: string[];
  /** Set when importXML rejected (for example: no diagram to display, not BPMN at all). */
  error?: string;
  /** Shapes and connections in the element registry; the root element and labels are not counted. */
  elements: number;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const MODELER_BUNDLE = path.join(process.cwd(), 'node_modules', 'bpmn-js', 'dist', 'bpmn-modeler.production.min.js');

/** Whether the Chromium this helper drives is installed (CI installs the apt package `chromium`). */
export const chromiumAvailable: boolean = existsSync(CHROMIUM);

// A fixed-size container so the canvas has a real viewport; bpmn-js's CSS only styles the
// drawing and palette, and importing needs none of it.
const PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>bpmn-js</title></head><body style="margin:0"><div id="canvas" style="width:1200px;height:800px"></div></body></html>';

/** What the page hands back for one file; `console` lines are added on the Node side. */
interface PageResult {
  warnings: string[];
  error?: string;
  elements: number;
}

// Browser-side code, kept as plain JavaScript rather than a function passed to page.evaluate:
// transpilers that keep function names (esbuild's keepNames, as tsx uses) insert `__name(...)`
// calls that do not exist in the page.
//
// One modeler is reused (importXML clears the previous diagram); after a failed import it is
// destroyed and rebuilt so one bad file cannot leak state into the next. The trailing macrotask
// lets errors that bpmn-js defers (rendering, event listeners) surface before the result returns.
const BROWSER_SIDE = `
(() => {
  const container = document.getElementById('canvas');
  let modeler = null;
  const describe = (w) => {
    let text = String((w && w.message) || w);
    const id = w && w.element && w.element.id;
    if (id && !text.includes(id)) text += ' [' + id + ']';
    const cause = w && w.error && w.error.message;
    if (cause && !text.includes(cause)) text += ': ' + cause;
    return text;
  };
  window.trellisOpen = async (xml) => {
    if (!modeler) modeler = new window.BpmnJS({ container });
    let warnings = [];
    let error;
    try {
      warnings = (await modeler.importXML(xml)).warnings || [];
    } catch (e) {
      error = String((e && e.message) || e);
      warnings = (e && e.warnings) || [];
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    let elements = 0;
    try {
      elements = modeler.get('elementRegistry').filter((e) => !!e.parent && !e.labelTarget).length;
    } catch (e) {
      error = error || 'could not read the element registry: ' + String((e && e.message) || e);
    }
    if (error) {
      try { modeler.destroy(); } catch (e) { /* rebuilt below either way */ }
      modeler = null;
    }
    return { warnings: warnings.map(describe), error, elements };
  };
})();
`;

/**
 * Imports each file into bpmn-js, in order, in one headless Chromium, and returns one result per
 * file. Throws only when the browser itself cannot be started or bpmn-js cannot be loaded.
 */
export async function openInBpmnJs(files: { name: string; xml: string }[]): Promise<BpmnJsResult[]> {
  if (!chromiumAvailable)
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install the apt package "chromium" (or set CHROMIUM_PATH); never run "playwright install".`,
    );
  if (!existsSync(MODELER_BUNDLE))
    throw new Error(`bpmn-js bundle not found at ${MODELER_BUNDLE}: run npm ci from the repository root.`);
  const profile = mkdtempSync(path.join(tmpdir(), 'trellis-bpmn-js-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    offline: true,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    // Nothing here needs the network; refuse any request so a stray fetch fails loudly, not slowly.
    await page.route('**/*', (route) => route.abort());
    const pageErrors = collectPageErrors(page);
    await page.setContent(PAGE);
    await page.addScriptTag({ path: MODELER_BUNDLE });
    await page.addScriptTag({ content: BROWSER_SIDE });
    const loadErrors = pageErrors.take();
    if (loadErrors.length) throw new Error(`bpmn-js did not load cleanly in Chromium: ${loadErrors.join('; ')}`);

    const results: BpmnJsResult[] = [];
    for (const { name, xml } of files) {
      const raw = await page.evaluate(
        (source) => (window as unknown as { trellisOpen(xml: string): Promise<PageResult> }).trellisOpen(source),
        xml,
      );
      const warnings = [...raw.warnings, ...pageErrors.take()];
      results.push(
        raw.error === undefined
          ? { name, warnings, elements: raw.elements }
          : { name, warnings, error: raw.error, elements: raw.elements },
      );
    }
    return results;
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Console errors and uncaught page errors, drained per import. Stack lines are dropped: they name
 * minified functions and this machine's node_modules path, which would make baselines unportable.
 */
function collectPageErrors(page: Page): { take(): string[] } {
  let seen: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') seen.push(`console error: ${withoutStack(message.text())}`);
  });
  page.on('pageerror', (error) => seen.push(`page error: ${withoutStack(error.message)}`));
  return {
    take() {
      const out = seen;
      seen = [];
      return out;
    },
  };
}

function withoutStack(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .join('\n')
    .trim();
}
