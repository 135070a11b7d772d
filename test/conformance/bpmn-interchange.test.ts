/**
 * BPMN interchange over the whole corpus: every file imports; its element inventory (for the
 * types Trellis models) equals the corpus tool's; import → export → import gives the same
 * canonical JSON; and the exported XML opens in bpmn-js (real Chromium) without warnings.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportBpmn } from '@/engine/bpmn/export';
import { importBpmn, type BpmnImport } from '@/engine/bpmn/import';
import { definitionInventory } from '@/engine/bpmn/inventory';
import { readBpmn, type ModdleElement } from '@/engine/bpmn/read';
import { canonicalDefinition } from '@/engine/model/canonical';
import { processDefinitionSchema } from '@/engine/model/definition';
import { chromiumAvailable, openInBpmnJs } from '../support/bpmn-js';
import { CORPUS, bpmnFiles, countElements } from '../support/corpus';

/** BPMN type (inventory name) of every element with an id in the file. */
async function typesById(xml: string): Promise<Map<string, string>> {
  const { definitions } = await readBpmn(xml);
  const out = new Map<string, string>();
  const visit = (e: ModdleElement) => {
    for (const [key, value] of Object.entries(e)) {
      if (
        key.startsWith('$') ||
        [
          'incoming',
          'outgoing',
          'sourceRef',
          'targetRef',
          'attachedToRef',
          'default',
          'processRef',
          'flowNodeRef',
          'diagrams',
          'di',
        ].includes(key)
      )
        continue;
      for (const c of Array.isArray(value) ? value : [value]) {
        if (!c || typeof c !== 'object' || typeof (c as ModdleElement).$type !== 'string') continue;
        const child = c as ModdleElement;
        const local = child.$type.slice(child.$type.indexOf(':') + 1);
        if (typeof child.id === 'string') out.set(child.id, local.charAt(0).toLowerCase() + local.slice(1));
        visit(child);
      }
    }
  };
  visit(definitions);
  return out;
}

describe('BPMN interchange over the corpus', () => {
  const files = CORPUS ? bpmnFiles(CORPUS).sort() : [];
  const imported = new Map<string, BpmnImport>();
  const exported = new Map<string, string>();
  const failed = new Map<string, unknown>();

  beforeAll(async () => {
    for (const file of files) {
      try {
        const result = await importBpmn(readFileSync(file, 'utf8'));
        imported.set(file, result);
        exported.set(file, await exportBpmn(result.definition));
      } catch (error) {
        failed.set(file, error);
      }
    }
  });

  it.each(files.map((f) => [path.relative(CORPUS, f), f]))(
    '%s: imports, and its inventory matches count_elements.py for the types Trellis models',
    async (_name, file) => {
      if (failed.has(file)) throw failed.get(file);
      const result = imported.get(file)!;
      expect(processDefinitionSchema.safeParse(result.definition).success).toBe(true);
      const want = countElements(file);
      expect(result.report.elements).toEqual(want);
      // Types the import reported as not supported are allowed to differ; every other must match.
      const types = await typesById(readFileSync(file, 'utf8'));
      const reported = new Set(result.report.unsupported.map((u) => types.get(u.elementId)).filter(Boolean));
      const got = definitionInventory(result.definition);
      const mismatches = Object.keys({ ...want, ...got }).filter(
        (type) => (want[type] ?? 0) !== (got[type] ?? 0) && !reported.has(type),
      );
      expect(mismatches.map((t) => `${t}: file ${want[t] ?? 0}, JSON ${got[t] ?? 0}`)).toEqual([]);
    },
  );

  it.each(files.map((f) => [path.relative(CORPUS, f), f]))(
    '%s: import → export → import gives the same canonical JSON',
    async (_name, file) => {
      if (failed.has(file)) throw failed.get(file);
      const first = imported.get(file)!;
      const again = await importBpmn(exported.get(file)!);
      expect(JSON.stringify(again.definition, null, 2)).toBe(JSON.stringify(first.definition, null, 2));
      expect(again.definition.importIssues ?? []).toEqual(first.definition.importIssues ?? []);
    },
  );

  it.skipIf(!chromiumAvailable)(
    'every export opens in bpmn-js without warnings',
    async () => {
      expect([...failed.keys()]).toEqual([]);
      const results = await openInBpmnJs(files.map((f) => ({ name: path.relative(CORPUS, f), xml: exported.get(f)! })));
      const problems = results
        .filter((r) => r.error || r.warnings.length > 0)
        .map((r) => ({ name: r.name, error: r.error, warnings: r.warnings }));
      expect(problems).toEqual([]);
      for (const r of results) expect(r.elements, r.name).toBeGreaterThan(0);
    },
    120_000,
  );
});

describe('BPMN interchange over the test fixtures', () => {
  const root = path.resolve(import.meta.dirname, '..', '..');
  const files = ['engine', 'definitions', 'test/cli/fixtures', 'test/conformance']
    .flatMap((dir) => bpmnFiles(path.join(root, dir)))
    .sort();

  it.each(files.map((f) => [path.relative(root, f), f]))(
    '%s: import → export → import gives the same canonical JSON',
    async (_name, file) => {
      const first = await importBpmn(readFileSync(file, 'utf8'));
      const again = await importBpmn(await exportBpmn(first.definition));
      const { diagrams: _laidOut, ...semantic } = again.definition;
      // A file without a diagram gets one laid out by its first export; everything else is identical.
      expect(JSON.stringify(first.definition.diagrams ? again.definition : semantic, null, 2)).toBe(
        JSON.stringify(first.definition, null, 2),
      );
    },
  );
});

describe('the template definitions as BPMN', () => {
  const templates = bpmnTemplates('definitions');

  it.skipIf(!chromiumAvailable)(
    'export with a laid-out diagram that opens in bpmn-js without warnings, and import back unchanged',
    async () => {
      expect(templates.length).toBeGreaterThan(0);
      const files: { name: string; xml: string }[] = [];
      for (const file of templates) {
        const definition = JSON.parse(readFileSync(file, 'utf8'));
        const xml = await exportBpmn(definition);
        const { diagrams, ...semantic } = (await importBpmn(xml)).definition;
        expect(semantic, file).toEqual(canonicalDefinition(definition));
        expect(diagrams?.length, file).toBeGreaterThan(0);
        files.push({ name: file, xml });
      }
      const results = await openInBpmnJs(files);
      expect(results.filter((r) => r.error || r.warnings.length > 0)).toEqual([]);
      for (const r of results) expect(r.elements, r.name).toBeGreaterThan(3);
    },
    120_000,
  );
});

function bpmnTemplates(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? bpmnTemplates(full) : name === 'process.json' ? [full] : [];
  });
}
