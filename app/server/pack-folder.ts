/**
 * A department's folder of templates as the files of a pack (engine/packs/pack.ts): `pack.json`
 * is the manifest; every file a pack carries (.json, .md, .dmn) under the process folders, and a
 * README.md or CHANGELOG.md beside the manifest, goes in by its relative path. Shared by
 * `trellis pack` and the server's template library; the pack's own checks run when it is built.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildPack, DEFAULT_PACK_LIMITS, type ReadPack } from '@/engine/packs/pack';

export function packFolderFiles(folder: string): { manifest: unknown; files: Record<string, string> } {
  const manifest = JSON.parse(
    readFileSync(path.join(/*turbopackIgnore: true*/ folder, 'pack.json'), 'utf8'),
  ) as unknown;
  const files: Record<string, string> = {};
  const visit = (dir: string, depth: number) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = path.join(/*turbopackIgnore: true*/ dir, name);
      const relative = path.relative(folder, full).split(path.sep).join('/');
      if (statSync(full).isDirectory()) {
        if (depth < 4) visit(full, depth + 1);
      } else if (relative !== 'pack.json' && /\.(json|md|dmn)$/.test(name)) {
        if (statSync(full).size > DEFAULT_PACK_LIMITS.maxFileChars * 4)
          throw new Error(`${full} is larger than a pack takes`);
        files[relative] = readFileSync(full, 'utf8');
      }
    }
  };
  visit(folder, 0);
  return { manifest, files };
}

/** The pack a folder makes, checked (a PackError names each problem's file). */
export async function packFromFolder(folder: string): Promise<{ text: string; pack: ReadPack; files: number }> {
  const { manifest, files } = packFolderFiles(folder);
  return { ...(await buildPack(manifest, files)), files: Object.keys(files).length };
}
