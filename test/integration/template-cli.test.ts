/**
 * `trellis import` and `trellis export --pack` (issue 18) on a PGlite database in a folder, as the
 * app keeps it: the accounting pack file `trellis pack` makes is imported into a new company, its
 * departments created, published; the demo company's invoice approval is exported as a pack, which
 * another company imports with its departments mapped; a hostile pack fails naming the file, and
 * nothing is imported.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase } from '@/db/client';
import { groups, processDefinitions, templateOrigins, tenants, users } from '@/db/schema';
import { main } from '@/app/_cli/cli';
import { DEMO_TENANT_SLUG, seedDemo } from '@/app/server/seed';
import { createCompany } from '@/app/server/services/accounts';
import { readPack } from '@/engine/packs/pack';

const env = { DATABASE_URL: process.env.DATABASE_URL, PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR };
let folder: string;
let dataDir: string;

async function run(...argv: string[]) {
  delete process.env.DATABASE_URL;
  process.env.PGLITE_DATA_DIR = dataDir;
  const lines: string[] = [];
  const errors: string[] = [];
  try {
    const code = await main(argv, { log: (t) => lines.push(t), error: (t) => errors.push(t) });
    return { code, stdout: lines.join('\n'), stderr: errors.join('\n') };
  } finally {
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

async function inDatabase<T>(work: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const handle = await openDatabase({ dataDir });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'trellis-packs-'));
  dataDir = path.join(folder, 'pglite');
  const handle = await openDatabase({ dataDir });
  await migrateDatabase(handle);
  await handle.close();
  await inDatabase(async (db) => {
    await seedDemo(db);
    for (const [email, name, company] of [
      ['hoa@hoasen.example', 'Trần Thị Hoa', 'Công ty TNHH Hoa Sen'],
      ['dao@maidao.example', 'Phạm Thị Đào', 'Công ty Cổ phần Mai Đào'],
    ] as const) {
      const [user] = await db.insert(users).values({ email, displayName: name }).returning();
      await createCompany(db, user!.id, company, 'vi');
    }
  });
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const slugOf = (name: string) =>
  inDatabase(
    async (db) => (await db.select({ slug: tenants.slug }).from(tenants).where(eq(tenants.name, name)))[0]!.slug,
  );

describe('trellis import and export', () => {
  it('imports the accounting pack into a new company, creating its departments, published', async () => {
    const pack = path.join(folder, 'accounting.trellis-pack.json');
    expect((await run('pack', 'definitions/accounting', '--out', pack)).code).toBe(0);
    const slug = await slugOf('Công ty TNHH Hoa Sen');
    const done = await run('import', pack, '--company', slug, '--create-departments', '--publish');
    expect(done.stderr).toBe('');
    const manifest = JSON.parse(readFileSync('definitions/accounting/pack.json', 'utf8')) as {
      version: string;
      processes: string[];
      departments: { key: string }[];
    };
    expect(done.stdout).toBe(
      [
        `Imported accounting ${manifest.version} into Công ty TNHH Hoa Sen (${done.stdout.match(/\((PGlite [^)]*)\)/)![1]}), as Trần Thị Hoa:`,
        ...manifest.processes.map((key) => `  ${key}: published, version 1`),
        `  departments created: ${manifest.departments
          .map((d) => d.key)
          .sort()
          .join(', ')}`,
      ].join('\n'),
    );
    expect(done.code).toBe(0);
    // again: the company has it; a conflict, nothing written
    const again = await run(
      'import',
      pack,
      '--company',
      slug,
      '--create-departments',
      '--publish',
      '--only',
      'invoice-approval',
    );
    expect(again).toMatchObject({
      code: 1,
      stdout:
        'FAIL invoice-approval: The company already has a process “invoice-approval”; upgrade it instead, or import the others.',
    });
  });

  it('exports the demo company’s invoice approval as a pack, which another company imports with its departments mapped', async () => {
    const demo = DEMO_TENANT_SLUG;
    const file = path.join(folder, 'invoice.trellis-pack.json');
    const exported = await run(
      'export',
      'invoice-approval',
      '--pack',
      '--company',
      demo,
      '--version',
      '2.1.0',
      '--out',
      file,
    );
    expect(exported.stdout).toMatch(/^Exported invoice-approval version 1 of .* as pack invoice-approval 2\.1\.0 → /);
    const pack = await readPack(readFileSync(file, 'utf8'));
    expect(pack.manifest).toMatchObject({
      key: 'invoice-approval',
      version: '2.1.0',
      departments: [
        { key: 'accounting', roles: ['member'] },
        { key: 'operations', roles: ['manager'] },
      ],
    });
    const slug = await slugOf('Công ty Cổ phần Mai Đào');
    const missing = await run('import', file, '--company', slug, '--map', 'accounting=ke-toan');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(
      'FAIL accounting: The pack’s department “accounting” maps to “ke-toan”, which the company does not have',
    );
    const done = await run(
      'import',
      file,
      '--company',
      slug,
      '--map',
      'accounting=ke-toan',
      '--map',
      'operations=van-hanh',
      '--create-departments',
    );
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('invoice-approval: a draft in the designer');
    expect(done.stdout).toContain('departments created: ke-toan, van-hanh');
    await inDatabase(async (db) => {
      const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
      expect(
        (await db.select({ key: groups.key }).from(groups).where(eq(groups.tenantId, tenant!.id)))
          .map((g) => g.key)
          .sort(),
      ).toEqual(['ke-toan', 'van-hanh']);
      expect(
        await db
          .select()
          .from(processDefinitions)
          .where(and(eq(processDefinitions.tenantId, tenant!.id), eq(processDefinitions.key, 'invoice-approval'))),
      ).toEqual([]);
    });
  });

  it('fails on a hostile pack naming the file; nothing is imported', async () => {
    const { manifest, files } = JSON.parse(readFileSync(path.join(folder, 'accounting.trellis-pack.json'), 'utf8')) as {
      manifest: unknown;
      files: Record<string, string>;
    };
    const hostile = path.join(folder, 'hostile.json');
    writeFileSync(
      hostile,
      JSON.stringify({
        format: 'trellis-pack',
        formatVersion: 1,
        manifest,
        files: { ...files, 'invoice-approval/x.dmn': '<!DOCTYPE x [<!ENTITY a "a">]><x/>' },
      }),
    );
    const slug = await slugOf('Công ty Cổ phần Mai Đào');
    const rows = () =>
      inDatabase(async (db) => [
        (await db.select().from(groups)).length,
        (await db.select().from(processDefinitions)).length,
        (await db.select().from(templateOrigins)).length,
      ]);
    const before = await rows();
    const refused = await run('import', hostile, '--company', slug, '--only', 'invoice-approval');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAIL invoice-approval\/x\.dmn: The file declares a DOCTYPE/);
    expect(await rows()).toEqual(before);
    expect((await run('import', hostile, '--company', 'khong-co')).stderr).toContain('no company "khong-co"');
  });
});
