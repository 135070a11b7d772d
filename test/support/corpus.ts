/**
 * The conformance corpus: a copy of the team corpus lives in test/fixtures/corpus (with its licenses),
 * so every corpus test runs on a clone with nothing beside it. TRELLIS_CORPUS points elsewhere.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CORPUS =
  [process.env.TRELLIS_CORPUS, path.resolve(HERE, '..', 'fixtures', 'corpus')].find(
    (dir): dir is string => !!dir && existsSync(path.join(dir, 'tools', 'count_elements.py')),
  ) ?? '';
// The copy is part of the repository: a missing corpus is a broken checkout, never a silent skip.
if (!CORPUS)
  throw new Error(
    `no conformance corpus at ${process.env.TRELLIS_CORPUS ?? path.resolve(HERE, '..', 'fixtures', 'corpus')} (tools/count_elements.py not found)`,
  );

/** Every `.bpmn` file under `dir`. */
export function bpmnFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? bpmnFiles(full) : name.endsWith('.bpmn') ? [full] : [];
  });
}

/** The corpus tool's inventory of a file (tools/count_elements.py), as a map. */
export function countElements(file: string): Record<string, number> {
  const line = execFileSync('python3', [path.join(CORPUS, 'tools', 'count_elements.py'), file], {
    encoding: 'utf8',
  }).trim();
  const body = line.slice(line.indexOf(': ') + 2);
  return Object.fromEntries(
    body
      .split(', ')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.lastIndexOf('=')), Number(kv.slice(kv.lastIndexOf('=') + 1))]),
  );
}
