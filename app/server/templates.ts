/**
 * Reads template packs from definitions/<department>/<process>/: process.json, forms/*.form.json,
 * and the decision tables beside process.json (every *.dmn and *.decisions.json, as `trellis
 * simulate` reads them).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PublishInput } from './services/definitions';
import { packFromFolder } from './pack-folder';

export const DEFINITIONS_DIR = path.join(process.cwd(), 'definitions');

export interface TemplatePack extends PublishInput {
  /** Folder relative to definitions/, e.g. "accounting/invoice-approval". */
  path: string;
}

/** Largest template file read; a template is a small JSON document. */
const MAX_FILE_BYTES = 1_000_000;

export function loadTemplatePacks(root = DEFINITIONS_DIR): TemplatePack[] {
  const packs: TemplatePack[] = [];
  for (const department of subfolders(root)) {
    for (const process of subfolders(path.join(/*turbopackIgnore: true*/ root, department))) {
      const dir = path.join(/*turbopackIgnore: true*/ root, department, process);
      const processFile = path.join(/*turbopackIgnore: true*/ dir, 'process.json');
      if (!existsSync(processFile)) continue;
      const formsDir = path.join(/*turbopackIgnore: true*/ dir, 'forms');
      const formFiles = existsSync(formsDir)
        ? readdirSync(formsDir)
            .filter((f) => f.endsWith('.form.json'))
            .sort()
        : [];
      const decisionFiles = readdirSync(dir)
        .filter((f) => f.endsWith('.dmn') || f.endsWith('.decisions.json'))
        .sort();
      packs.push({
        path: `${department}/${process}`,
        definition: readJson(processFile),
        forms: formFiles.map((f) => readJson(path.join(/*turbopackIgnore: true*/ formsDir, f))),
        decisions: decisionFiles.flatMap((f) => {
          const file = path.join(/*turbopackIgnore: true*/ dir, f);
          if (f.endsWith('.dmn')) return [{ dmn: readText(file) }];
          const list = readJson(file);
          return Array.isArray(list) ? list : [list];
        }),
      });
    }
  }
  return packs;
}

function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(path.join(/*turbopackIgnore: true*/ dir, name)).isDirectory())
    .sort();
}

function readText(file: string): string {
  const size = statSync(file).size;
  if (size > MAX_FILE_BYTES)
    throw new Error(`${file} is ${size} bytes; template files are limited to ${MAX_FILE_BYTES}.`);
  return readFileSync(file, 'utf8');
}

function readJson(file: string): unknown {
  const text = readText(file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The template library's packs: each department folder of definitions/ with a pack.json manifest. */
export function libraryPackKeys(root = DEFINITIONS_DIR): string[] {
  return subfolders(root).filter(
    (d) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(d) && existsSync(path.join(/*turbopackIgnore: true*/ root, d, 'pack.json')),
  );
}

/** A library pack, built and checked (its key one of libraryPackKeys: never a path from outside). */
export async function libraryPack(key: string, root = DEFINITIONS_DIR) {
  if (!libraryPackKeys(root).includes(key)) return null;
  return packFromFolder(path.join(/*turbopackIgnore: true*/ root, key));
}
