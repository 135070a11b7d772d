/**
 * The import boundaries of .dependency-cruiser.cjs (`npm run lint:deps`), shown failing once. The repository's own
 * rules run through dependency-cruiser's API on two small trees written to a temporary directory and laid out like
 * the repository (app/, engine/, db/, a tsconfig.json with the `@/` alias), so that the rules' paths (`^engine/`)
 * match as they do on the real tree: one tree breaks each rule, the other keeps to them all. Needs nothing beyond the
 * repository: the one package the broken tree imports is a stub written beside it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CONFIG = path.join(process.cwd(), '.dependency-cruiser.cjs');

const TSCONFIG = JSON.stringify({
  compilerOptions: { module: 'esnext', moduleResolution: 'bundler', strict: true, paths: { '@/*': ['./*'] } },
});

/** Files by path; each tree is cruised from its own folder, as the lint cruises the repository from its root. */
type Tree = Record<string, string>;

/** Breaks each rule once. */
const broken: Tree = {
  'tsconfig.json': TSCONFIG,
  // a two-file cycle
  'app/server/audit.ts': `import { notify } from './webhooks';\nexport const record = (what: string) => notify(what);\n`,
  'app/server/webhooks.ts': `import { record } from './audit';\nexport const notify = (what: string) => what.length;\nexport const redeliver = () => record('redelivered');\n`,
  // a cycle through a type-only import: counted too (tsPreCompilationDeps)
  'app/_components/panel.ts': `import { fieldLabel } from './field';\nexport interface PanelProps { title: string }\nexport const panel = (p: PanelProps) => fieldLabel(p);\n`,
  'app/_components/field.ts': `import type { PanelProps } from './panel';\nexport const fieldLabel = (p: PanelProps) => p.title;\n`,
  // the engine doing I/O, with and without the node: prefix, and through a database driver
  'engine/reads-files.ts': `import { readFileSync } from 'node:fs';\nexport const read = (p: string) => readFileSync(p, 'utf8');\n`,
  'engine/spawns.ts': `import { spawnSync } from 'child_process';\nexport const run = () => spawnSync('ls');\n`,
  'engine/queries.ts': `import postgres from 'postgres';\nexport const sql = postgres;\n`,
  'node_modules/postgres/package.json': JSON.stringify({ name: 'postgres', version: '0.0.0', main: 'index.js' }),
  'node_modules/postgres/index.js': `module.exports = () => null;\n`,
  // the engine and db/ reaching up into the app, through the alias and by a relative path
  'engine/reads-app.ts': `import { record } from '@/app/server/audit';\nexport const step = () => record('step');\n`,
  'db/schema.ts': `import { notify } from '../app/server/webhooks';\nexport const tables = notify('tables');\n`,
};

/** Keeps to every rule: app → engine and db; engine pure (events for typings, fs only in its unit tests); no cycles. */
const clean: Tree = {
  'tsconfig.json': TSCONFIG,
  'engine/model.ts': `export interface Snapshot { status: 'active' | 'done' }\n`,
  'engine/step.ts': `import type { EventEmitter } from 'node:events';\nimport type { Snapshot } from './model';\nexport const step = (s: Snapshot, _e?: EventEmitter): Snapshot => ({ ...s, status: 'done' });\n`,
  'engine/step.test.ts': `import { readFileSync } from 'node:fs';\nimport { step } from './step';\nexport const fixture = () => step(JSON.parse(readFileSync('x.json', 'utf8')));\n`,
  'db/schema.ts': `export const tables = ['instances'];\n`,
  'app/server/instances.ts': `import { step } from '@/engine/step';\nimport { tables } from '@/db/schema';\nexport const advance = () => [step({ status: 'active' }), tables];\n`,
};

let root: string;

function write(name: string, tree: Tree): string {
  const dir = path.join(root, name);
  for (const [file, text] of Object.entries(tree)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

/**
 * Runs the repository's rules on a tree exactly as `npm run lint:deps` runs them on the repository: from the tree's
 * folder, which holds the tsconfig.json the config names. (The `@/` alias has no baseUrl to resolve against, so it
 * resolves from the working directory: a `baseDir` alone would leave it unresolved and the rules blind to it.)
 */
async function lint(dir: string): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(CONFIG);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const result = await cruise(['app', 'engine', 'db'], options, {}, { tsConfig: extractTSConfig('tsconfig.json') });
    return result.output as ICruiseResult;
  } finally {
    process.chdir(cwd);
  }
}

type Violation = { rule: string; from: string; to: string };

function violations(result: ICruiseResult): Violation[] {
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

const listed = (found: Violation[]) => found.map((v) => `${v.rule}: ${v.from} → ${v.to}`).join('\n');

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'trellis-boundaries-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('import boundaries', () => {
  it('reports each broken boundary by its rule', async () => {
    // given
    const dir = write('broken', broken);

    // when
    const result = await lint(dir);

    // then
    const found = violations(result);
    expect(found, listed(found)).toEqual(
      expect.arrayContaining([
        { rule: 'engine-no-io', from: 'engine/reads-files.ts', to: 'fs' },
        { rule: 'engine-no-io', from: 'engine/spawns.ts', to: 'child_process' },
        { rule: 'engine-no-io-packages', from: 'engine/queries.ts', to: 'node_modules/postgres/index.js' },
        { rule: 'engine-not-to-app-or-db', from: 'engine/reads-app.ts', to: 'app/server/audit.ts' },
        { rule: 'db-not-to-app', from: 'db/schema.ts', to: 'app/server/webhooks.ts' },
      ]),
    );
    const cycles = found.filter((v) => v.rule === 'no-circular').map((v) => [v.from, v.to].sort());
    expect(cycles).toEqual(
      expect.arrayContaining([
        ['app/server/audit.ts', 'app/server/webhooks.ts'],
        ['app/_components/field.ts', 'app/_components/panel.ts'],
      ]),
    );
    // and nothing else: each rule fires where it should and nowhere more
    expect(found, listed(found)).toHaveLength(7);
  });

  it('passes a tree that keeps to them', async () => {
    // given
    const dir = write('clean', clean);

    // when
    const result = await lint(dir);

    // then
    const found = violations(result);
    expect(found, listed(found)).toEqual([]);
    // and not because it saw nothing: the alias resolved, so the app's imports were checked
    const app = result.modules.find((m) => m.source === 'app/server/instances.ts');
    expect(app?.dependencies.map((d) => d.resolved).sort()).toEqual(['db/schema.ts', 'engine/step.ts']);
  });
});
