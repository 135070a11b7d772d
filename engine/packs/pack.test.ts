import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPack, DEFAULT_PACK_LIMITS, PackError, readPack, type PackProblem } from './pack';

const DEFINITIONS = path.join(process.cwd(), 'definitions');

/** A department folder's manifest and files, as `trellis pack` gathers them. */
function folder(dir: string): { manifest: Record<string, unknown>; files: Record<string, string> } {
  const files: Record<string, string> = {};
  const visit = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) visit(full);
      else if (name !== 'pack.json')
        files[path.relative(dir, full).split(path.sep).join('/')] = readFileSync(full, 'utf8');
    }
  };
  visit(dir);
  return { manifest: JSON.parse(readFileSync(path.join(dir, 'pack.json'), 'utf8')) as Record<string, unknown>, files };
}

/** The accounting pack as the library shipped it at 1.0.0 (one process, two forms): what the refusals below break. */
function accounting(): { manifest: Record<string, unknown>; files: Record<string, string> } {
  const pack = JSON.parse(
    readFileSync(path.join(process.cwd(), 'test', 'fixtures', 'packs', 'accounting-1.0.0.pack.json'), 'utf8'),
  ) as { manifest: Record<string, unknown>; files: Record<string, string> };
  return { manifest: pack.manifest, files: pack.files };
}

async function problems(
  manifest: unknown,
  files: Record<string, string>,
  limits = DEFAULT_PACK_LIMITS,
): Promise<PackProblem[]> {
  const text = JSON.stringify({ format: 'trellis-pack', formatVersion: 1, manifest, files });
  const error = await readPack(text, limits).then(
    () => expect.fail('the pack was read'),
    (e: unknown) => e,
  );
  if (!(error instanceof PackError)) throw error;
  return error.problems;
}

describe('a template pack', () => {
  it('is built from a department folder and read back whole: its processes, forms, README and scenarios', async () => {
    const { manifest, files } = accounting();
    const { text, pack } = await buildPack(manifest, files);
    expect(pack.manifest).toMatchObject({ key: 'accounting', version: '1.0.0', department: 'accounting' });
    expect(pack.templates.map((t) => t.key)).toEqual(['invoice-approval']);
    const [invoice] = pack.templates;
    expect(invoice!.forms.map((f) => f.key).sort()).toEqual(['invoice-decision', 'invoice-submission']);
    expect(invoice!.readme).toContain('Invoice approval');
    expect(Object.keys(invoice!.scenarios).sort()).toEqual([
      'above-threshold-approved.scenario.json',
      'below-threshold-approved.scenario.json',
      'rejected-by-accounting.scenario.json',
      'rejected-by-operations.scenario.json',
    ]);
    expect((await readPack(text)).templates[0]!.definition).toEqual(invoice!.definition);
  });

  it('every department of the library packs, whole: each process its manifest lists, with its forms and decision tables, no key used twice across the library', async () => {
    const departments = readdirSync(DEFINITIONS).filter((d) =>
      statSync(path.join(DEFINITIONS, d, 'pack.json'), { throwIfNoEntry: false })?.isFile(),
    );
    expect(departments.sort()).toEqual(['accounting', 'compliance', 'data', 'hr', 'it', 'operations', 'risk']);
    const seen = new Map<string, string>();
    for (const department of departments) {
      const { manifest, files } = folder(path.join(DEFINITIONS, department));
      const { pack } = await buildPack(manifest, files);
      expect(pack.manifest.department).toBe(department);
      expect(pack.templates.map((t) => t.key)).toEqual(manifest.processes);
      expect(pack.templates.length).toBeGreaterThanOrEqual(3);
      for (const t of pack.templates) {
        expect(t.readme, `${department}/${t.key}: README`).toBeTruthy();
        expect(Object.keys(t.scenarios).length, `${department}/${t.key}: scenarios`).toBeGreaterThan(0);
        expect(t.definition.name).toMatchObject({ en: expect.any(String), vi: expect.any(String) });
        for (const f of t.forms) expect(f.i18n?.vi, `${department}/${t.key}: form ${f.key} in Vietnamese`).toBeTruthy();
        for (const key of [
          `process ${t.key}`,
          ...t.forms.map((f) => `form ${f.key}`),
          ...t.decisions.map((d) => `decision ${d.id}`),
        ]) {
          expect(seen.get(key), `${key} in ${department} and ${seen.get(key)}`).toBeUndefined();
          seen.set(key, department);
        }
      }
    }
  });

  it('refuses a DOCTYPE, an oversized file, a path out of the pack and a kind of file it does not carry, naming each file; nothing is returned', async () => {
    const { manifest, files } = accounting();
    const hostile = {
      ...files,
      'invoice-approval/approver.dmn':
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions>&x;</definitions>',
      'invoice-approval/huge.md': 'x'.repeat(DEFAULT_PACK_LIMITS.maxFileChars + 1),
      '../../etc/passwd.json': '{}',
      '/etc/hosts.json': '{}',
      'invoice-approval/run.sh': 'rm -rf /',
    };
    const found = await problems(manifest, hostile);
    expect(found.map((p) => p.file).sort()).toEqual(
      [
        '../../etc/passwd.json',
        '/etc/hosts.json',
        'invoice-approval/approver.dmn',
        'invoice-approval/huge.md',
        'invoice-approval/run.sh',
      ].sort(),
    );
    expect(found.find((p) => p.file === 'invoice-approval/approver.dmn')!.message).toContain('DOCTYPE');
    expect(found.find((p) => p.file === 'invoice-approval/huge.md')!.message).toContain(
      `the limit is ${DEFAULT_PACK_LIMITS.maxFileChars}`,
    );
    expect(found.find((p) => p.file === '../../etc/passwd.json')!.message).toContain('no "..")');
  });

  it('refuses a process naming a department, or a department’s role, the manifest does not declare, naming the file and the element', async () => {
    const { manifest, files } = accounting();
    const process = JSON.parse(files['invoice-approval/process.json']!) as {
      elements: { id: string; candidateGroups?: string[] }[];
    };
    process.elements.find((e) => e.id === 'accountingApproval')!.candidateGroups = ['finance'];
    const found = await problems(
      {
        ...manifest,
        departments: [
          (manifest.departments as unknown[])[0],
          { key: 'operations', name: { en: 'Operations', vi: 'Vận hành' }, roles: ['member'] },
        ],
      },
      { ...files, 'invoice-approval/process.json': JSON.stringify(process) },
    );
    expect(found).toEqual([
      {
        file: 'invoice-approval/process.json',
        element: 'accountingApproval',
        message: 'names department "finance", which the manifest does not declare',
      },
      {
        file: 'invoice-approval/process.json',
        element: 'operationsApproval',
        message: 'needs the managers of "operations", a role the manifest does not declare for it',
      },
    ]);
  });

  it('refuses a broken manifest, a process it does not have, a form a process uses but the pack lacks, a stray file, broken JSON, and hostile sizes', async () => {
    const { manifest, files } = accounting();
    expect(await problems({ ...manifest, version: '1.0' }, files)).toEqual([
      { file: 'pack.json', message: 'version: must be a version like 1.2.0 (major.minor.patch)' },
    ]);
    const { 'invoice-approval/forms/invoice-decision.form.json': _decision, ...withoutForm } = files;
    const missing = await problems(
      { ...manifest, processes: ['invoice-approval', 'vendor-onboarding'] },
      { ...withoutForm, 'stray/notes.md': 'hello', 'invoice-approval/x.scenario.json': '{ not json' },
    );
    expect(missing).toEqual(
      expect.arrayContaining([
        {
          file: 'vendor-onboarding/process.json',
          message: 'the manifest lists process "vendor-onboarding", whose process.json the pack does not have',
        },
        {
          file: 'invoice-approval/process.json',
          message: 'uses form "invoice-decision", which invoice-approval/forms/ does not have',
        },
        { file: 'pack.json', message: 'lists form "invoice-decision", which no process folder has' },
        { file: 'stray/notes.md', message: 'belongs to no process the manifest lists' },
        expect.objectContaining({
          file: 'invoice-approval/x.scenario.json',
          message: expect.stringMatching(/^not JSON/),
        }),
      ]),
    );
    expect(await problems(manifest, files, { ...DEFAULT_PACK_LIMITS, maxFiles: 3 })).toEqual([
      { file: '(pack)', message: `the pack holds ${Object.keys(files).length} files; the limit is 3` },
    ]);
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    expect((await problems(manifest, { ...files, 'invoice-approval/deep.scenario.json': deep }))[0]).toEqual({
      file: 'invoice-approval/deep.scenario.json',
      message: 'nests its data more than 64 levels deep',
    });
    await expect(readPack('x'.repeat(DEFAULT_PACK_LIMITS.maxPackChars + 1))).rejects.toThrow(/the limit is 10000000/);
    await expect(readPack('{"format":"zip"}')).rejects.toThrow(/a pack is \{ "format": "trellis-pack"/);
  });
});
