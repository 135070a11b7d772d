/**
 * The conformance corpus is not part of this repository: it sits in shared/ beside it (as in CI),
 * or where TRELLIS_CORPUS points. Without it the corpus cases are skipped, and say so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const CORPUS = [process.env.TRELLIS_CORPUS, path.resolve(process.cwd(), '..', 'shared', 'corpus')].find((dir): dir is string => !!dir && existsSync(path.join(dir, 'tools', 'count_elements.py'))) ?? '';

/** Every `.bpmn` file under `dir`. */
export function bpmnFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? bpmnFiles(full) : name.endsWith('.bpmn') ? [full] : [];
  });
}

/** The corpus tool's inventory of a file (tools/count_elements.py), as a map. */
export function countElements(file: string): Record<string, number> {
  const line = execFileSync('python3', [path.join(CORPUS, 'tools', 'count_elements.py'), file], { encoding: 'utf8' }).trim();
  const body = line.slice(line.indexOf(': ') + 2);
  return Object.fromEntries(body.split(', ').filter(Boolean).map((kv) => [kv.slice(0, kv.lastIndexOf('=')), Number(kv.slice(kv.lastIndexOf('=') + 1))]));
}
