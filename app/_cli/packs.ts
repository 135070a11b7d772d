/**
 * `trellis import PACK --company SLUG` and `trellis export PROCESS --pack --company SLUG`: the
 * template library's packs from the command line, on the database the app uses (DATABASE_URL, else
 * the PGlite data folder; stop the app first for PGlite). Import does what /templates does
 * (services/packs.ts) as a member of the company (--as EMAIL, else its first admin); export makes a
 * pack of a company's published process, its forms and tables, which any company can import.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { keySchema, localize, type LocalizedText } from '../../engine';
import { buildPack, DEFAULT_PACK_LIMITS, departmentsOf } from '../../engine/packs/pack';
import { groups, memberships, tenants, users } from '../../db/schema';
import type { Executor } from '../../db/client';
import { resolveActor } from '../server/actor';
import { isAppError } from '../server/errors';
import { exportProcess } from '../server/services/definitions';
import { importPack } from '../server/services/packs';
import { openExisting, requireSchema } from './audit';

type Out = { log: (text: string) => void; error: (text: string) => void };

const option = (args: string[], name: string) => {
  const at = args.indexOf(name);
  return at !== -1 ? args[at + 1] : undefined;
};
const options = (args: string[], name: string) =>
  args.flatMap((a, i) => (a === name && args[i + 1] !== undefined ? [args[i + 1]!] : []));

async function companyBySlug(db: Executor, slug: string) {
  const [tenant] = await db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.slug, slug));
  if (!tenant)
    throw new Error(`no company "${slug}" in the database (its slug, as in the app's URLs and the member list)`);
  return tenant;
}

export async function importCommand(args: string[], out: Out): Promise<number> {
  const file = args.find(
    (a, i) => !a.startsWith('--') && !['--company', '--as', '--map', '--only'].includes(args[i - 1] ?? ''),
  );
  const slug = option(args, '--company');
  if (!file || !slug) throw new Error('import needs a PACK file and --company SLUG');
  if (statSync(file).size > DEFAULT_PACK_LIMITS.maxPackChars * 4)
    throw new Error(`${file} is larger than a pack may be`);
  const departments: Record<string, string> = {};
  for (const pair of options(args, '--map')) {
    const [from, to] = pair.split('=');
    if (!from || !to) throw new Error(`--map ${pair}: write it as PACK_DEPARTMENT=COMPANY_DEPARTMENT`);
    departments[from] = to;
  }
  const { handle, where } = await openExisting();
  try {
    await requireSchema(handle, where);
    const tenant = await companyBySlug(handle.db, slug);
    const email = option(args, '--as');
    const [member] = await handle.db
      .select({ id: users.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, tenant.id), email ? eq(users.email, email) : eq(memberships.role, 'admin')))
      .orderBy(asc(memberships.createdAt))
      .limit(1);
    if (!member)
      throw new Error(
        email
          ? `${email} is not a member of "${slug}"`
          : `"${slug}" has no admin to import as; name a member with --as EMAIL`,
      );
    const actor = (await resolveActor(handle.db, member.id, 'en', tenant.id))!;
    try {
      const only = options(args, '--only');
      const done = await importPack(handle.db, actor, {
        pack: readFileSync(file, 'utf8'),
        departments,
        createDepartments: args.includes('--create-departments'),
        publish: args.includes('--publish'),
        ...(only.length > 0 ? { templates: only } : {}),
      });
      out.log(
        `Imported ${done.pack.key} ${done.pack.version} into ${tenant.name} (${where}), as ${actor.displayName}:`,
      );
      for (const p of done.processes)
        out.log(
          `  ${p.key}: ${p.status === 'published' ? `published, version ${p.version}` : 'a draft in the designer'}`,
        );
      if (done.departmentsCreated.length > 0) out.log(`  departments created: ${done.departmentsCreated.join(', ')}`);
      for (const warning of done.warnings) out.log(`  warning: ${warning}`);
      return 0;
    } catch (error) {
      if (!isAppError(error)) throw error;
      if (error.fields && error.fields.length > 0)
        for (const f of error.fields) out.log(`FAIL ${f.label}: ${f.message}`);
      else out.log(`FAIL ${error.message}`);
      return 1;
    }
  } finally {
    await handle.close();
  }
}

export async function exportCommand(args: string[], out: Out): Promise<number> {
  const key = args.find(
    (a, i) => !a.startsWith('--') && !['--company', '--out', '--version'].includes(args[i - 1] ?? ''),
  );
  const slug = option(args, '--company');
  if (!key || !slug || !args.includes('--pack')) throw new Error('export needs PROCESS --pack --company SLUG');
  const { handle, where } = await openExisting();
  try {
    await requireSchema(handle, where);
    const tenant = await companyBySlug(handle.db, slug);
    const exported = await exportProcess(handle.db, tenant.id, { key, format: 'json' });
    const definition = JSON.parse(exported.content) as Parameters<typeof departmentsOf>[0];
    const names = (text: LocalizedText) => ({
      en: localize(text, 'en') ?? key,
      vi: localize(text, 'vi') ?? localize(text, 'en') ?? key,
    });
    const named = [...new Set(departmentsOf(definition).map((d) => d.key))];
    const rows =
      named.length === 0
        ? []
        : await handle.db
            .select({ key: groups.key, name: groups.name })
            .from(groups)
            .where(and(eq(groups.tenantId, tenant.id), inArray(groups.key, named)));
    const version = option(args, '--version') ?? '1.0.0';
    const category =
      definition.category && keySchema.safeParse(definition.category).success ? definition.category : 'general';
    const manifest = {
      key,
      name: names(definition.name),
      version,
      department: category,
      departments: named.map((k) => ({
        key: k,
        name: names(rows.find((r) => r.key === k)?.name ?? k),
        roles: [
          ...new Set(
            departmentsOf(definition)
              .filter((d) => d.key === k)
              .map((d) => d.role),
          ),
        ],
      })),
      processes: [key],
      forms: exported.forms.map((f) => f.key),
      decisions: exported.decisions.map((d) => d.id),
      changelog: [
        {
          version,
          changes: {
            en: `Exported from ${tenant.name}, version ${exported.version}.`,
            vi: `Xuất từ ${tenant.name}, phiên bản ${exported.version}.`,
          },
        },
      ],
    };
    const files: Record<string, string> = { [`${key}/process.json`]: exported.content };
    for (const form of exported.forms) files[`${key}/forms/${form.key}.form.json`] = JSON.stringify(form, null, 2);
    if (exported.decisions.length > 0)
      files[`${key}/tables.decisions.json`] = JSON.stringify(exported.decisions, null, 2);
    const { text } = await buildPack(manifest, files);
    const target = option(args, '--out') ?? `${key}-${version}.trellis-pack.json`;
    writeFileSync(target, text);
    out.log(`Exported ${key} version ${exported.version} of ${tenant.name} as pack ${key} ${version} → ${target}`);
    return 0;
  } finally {
    await handle.close();
  }
}
