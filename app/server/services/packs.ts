/**
 * Importing a template pack (engine/packs/pack.ts) into a company: the pack is read and checked
 * whole first; its departments are mapped to the company's own (the missing ones created in the
 * same step when an admin asks); then, in one transaction, each chosen template arrives as a draft
 * in the designer (its forms and decision tables published, as the designer needs them) or
 * published at once, and remembers where it came from (template_origins) for later upgrades. A
 * problem anywhere — a file, a department, a process key the company has — imports nothing.
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { departmentsOf, mapDepartments, PackError, readPack } from '@/engine/packs/pack';
import { applyUpgrade, planUpgrade } from '@/engine/packs/upgrade';
import type { ProcessDefinition } from '@/engine';
import { keySchema } from '@/engine';
import type { Executor } from '@/db/client';
import { groups, processDefinitions, processDrafts, templateOrigins } from '@/db/schema';
import { translator } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { appendAudit } from './audit';
import { readDecisions, pinDecisions } from './decisions';
import { messagesUnheard, publishProcess, upsertForm } from './definitions';
import { saveDraft } from './drafts';

export interface ImportPackInput {
  /** The pack file's text. */
  pack: string;
  /** The pack's department keys mapped to the company's (unmapped: the same key). */
  departments?: Record<string, string>;
  /** Create the mapped departments the company does not have (admins), named as the pack names them. */
  createDepartments?: boolean;
  /** Publish each process at once (else drafts). */
  publish?: boolean;
  /** Only these templates (by key); all when absent. */
  templates?: string[];
}

export interface ImportedPack {
  pack: { key: string; version: string };
  departmentsCreated: string[];
  processes: { key: string; status: 'draft' | 'published'; version: number | null }[];
  /** What the importer should know, in their language: a message a process sends that nothing in the company hears. */
  warnings: string[];
}

/** The pack read and checked, or a BAD_REQUEST naming every problem's file (and element) in the caller's language. */
async function readPackOrRefuse(text: string, actor: Actor) {
  try {
    return await readPack(text);
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    const fields = error.problems.map((p) => ({
      field: p.file,
      label: p.element ? `${p.file} (${p.element})` : p.file,
      message: p.message,
    }));
    throw new AppError(
      'BAD_REQUEST',
      translator(actor.locale)('packRefused', { problems: fields.map((f) => `${f.label}: ${f.message}`).join('; ') }),
      fields,
    );
  }
}

export async function importPack(db: Executor, actor: Actor, input: ImportPackInput): Promise<ImportedPack> {
  const t = translator(actor.locale);
  const read = await readPackOrRefuse(input.pack, actor);
  const { manifest } = read;
  const chosen = input.templates ?? manifest.processes;
  for (const key of chosen)
    if (!read.templates.some((tpl) => tpl.key === key))
      throw new AppError('BAD_REQUEST', t('packNoTemplate', { key }), [
        { field: 'templates', label: key, message: t('packNoTemplate', { key }) },
      ]);
  const templates = read.templates.filter((tpl) => chosen.includes(tpl.key));

  // The departments the chosen templates name (a pack's others are not asked for), as the company calls them.
  const used = new Set(templates.flatMap((tpl) => departmentsOf(tpl.definition).map((d) => d.key)));
  const needed = manifest.departments.filter((d) => used.has(d.key));
  const map: Record<string, string> = {};
  for (const d of needed) {
    const to = input.departments?.[d.key] ?? d.key;
    if (!keySchema.safeParse(to).success)
      throw new AppError('BAD_REQUEST', t('packKeyBadMapping', { from: d.key, to }), [
        { field: `departments.${d.key}`, label: d.key, message: t('packKeyBadMapping', { from: d.key, to }) },
      ]);
    map[d.key] = to;
  }
  // What upgrades map by: every department of the pack (a later version may name one these templates do not), as given, else as the pack calls it.
  const remembered: Record<string, string> = Object.fromEntries(
    manifest.departments.map((d) => [
      d.key,
      map[d.key] ?? (keySchema.safeParse(input.departments?.[d.key]).success ? input.departments![d.key]! : d.key),
    ]),
  );
  const targets = [...new Set(Object.values(map))];
  const have = new Set(
    (targets.length === 0
      ? []
      : await db
          .select({ key: groups.key })
          .from(groups)
          .where(and(eq(groups.tenantId, actor.tenantId), inArray(groups.key, targets)))
    ).map((g) => g.key),
  );
  const missing = needed.filter((d) => !have.has(map[d.key]!));
  if (missing.length > 0 && !input.createDepartments) {
    const fields = missing.map((d) => ({
      field: `departments.${d.key}`,
      label: d.key,
      message: t('packDepartmentMissing', { from: d.key, to: map[d.key]! }),
    }));
    throw new AppError('BAD_REQUEST', fields.map((f) => f.message).join(' '), fields);
  }
  if (missing.length > 0 && actor.role !== 'admin') throw new AppError('FORBIDDEN', t('packCreateNeedsAdmin'));

  // A process the company has already (published or drafted) is not overwritten: that is an upgrade.
  const keys = templates.map((tpl) => tpl.key);
  const [published, drafted] = await Promise.all([
    db
      .selectDistinct({ key: processDefinitions.key })
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, actor.tenantId), inArray(processDefinitions.key, keys))),
    db
      .select({ key: processDrafts.key })
      .from(processDrafts)
      .where(and(eq(processDrafts.tenantId, actor.tenantId), inArray(processDrafts.key, keys))),
  ]);
  const taken = [...new Set([...published, ...drafted].map((r) => r.key))];
  if (taken.length > 0) {
    const fields = taken.map((key) => ({
      field: `templates.${key}`,
      label: key,
      message: t('packProcessTaken', { key }),
    }));
    throw new AppError('CONFLICT', fields.map((f) => f.message).join(' '), fields);
  }

  return db.transaction(async (tx) => {
    const created: string[] = [];
    for (const d of missing) {
      const key = map[d.key]!;
      if (created.includes(key)) continue;
      const [row] = await tx
        .insert(groups)
        .values({ tenantId: actor.tenantId, key, name: d.name })
        .returning({ id: groups.id });
      await appendAudit(tx, [
        {
          tenantId: actor.tenantId,
          actorId: actor.userId,
          type: 'department.created',
          data: { groupId: row!.id, key, name: d.name, fromPack: manifest.key },
        },
      ]);
      created.push(key);
    }
    const processes: ImportedPack['processes'] = [];
    for (const tpl of templates) {
      const definition = mapDepartments(tpl.definition, map);
      if (input.publish) {
        const row = await publishProcess(
          tx,
          actor.tenantId,
          { definition, forms: tpl.forms, decisions: tpl.decisions },
          actor.userId,
          actor.locale,
        );
        processes.push({ key: tpl.key, status: 'published', version: row.version });
      } else {
        // The designer's draft names its forms and tables by key: they are published now, the process when the designer says.
        for (const form of tpl.forms) await upsertForm(tx, actor.tenantId, form);
        if (tpl.decisions.length > 0)
          await pinDecisions(tx, actor.tenantId, definition, await readDecisions(tpl.decisions), actor.userId);
        await saveDraft(tx, actor, { key: tpl.key, revision: null, content: definition as never });
        processes.push({ key: tpl.key, status: 'draft', version: null });
      }
      await tx.insert(templateOrigins).values({
        tenantId: actor.tenantId,
        processKey: tpl.key,
        packKey: manifest.key,
        packVersion: manifest.version,
        templateKey: tpl.key,
        departmentMap: remembered,
        base: definition,
        importedBy: actor.userId,
      });
    }
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'pack.imported',
        data: {
          pack: manifest.key,
          version: manifest.version,
          processes: processes.map((p) => p.key),
          departmentsCreated: created,
          departmentMap: map,
        },
      },
    ]);
    const unheard = await messagesUnheard(
      tx,
      actor.tenantId,
      templates.map((tpl) => tpl.definition),
    );
    const warnings = unheard.map((u) =>
      t('packMessageUnheard', { process: u.processKey, element: u.elementId, name: u.name }),
    );
    return { pack: { key: manifest.key, version: manifest.version }, departmentsCreated: created, processes, warnings };
  });
}

/** The company's processes that came from the template library, with the pack version each came from. */
export async function templateOriginsOf(db: Executor, actor: Actor) {
  return db
    .select({
      processKey: templateOrigins.processKey,
      packKey: templateOrigins.packKey,
      packVersion: templateOrigins.packVersion,
      templateKey: templateOrigins.templateKey,
      departmentMap: templateOrigins.departmentMap,
      importedAt: templateOrigins.importedAt,
    })
    .from(templateOrigins)
    .where(eq(templateOrigins.tenantId, actor.tenantId));
}

export interface UpgradeInput {
  /** The pack file's text holding the template's new version. */
  pack: string;
  /** The company's process that came from the template. */
  processKey: string;
  /** Per change id: take the template's change (true) or keep the company's (false); absent: taken unless a conflict. */
  take?: Record<string, boolean>;
  /** Only say what would change. */
  preview?: boolean;
}

/**
 * Upgrades a company's process to the template's version in `pack`: a three-way comparison of the
 * template as imported (template_origins.base), its new version (mapped to the company's departments
 * as at import) and the company's copy — its draft if it has one, else its latest version
 * (engine/packs/upgrade.ts). The result is a new draft (the new version's forms and tables
 * published); running instances stay on their version. The origin then names the new pack version.
 */
export async function upgradeTemplate(db: Executor, actor: Actor, input: UpgradeInput) {
  const t = translator(actor.locale);
  const [origin] = await db
    .select()
    .from(templateOrigins)
    .where(and(eq(templateOrigins.tenantId, actor.tenantId), eq(templateOrigins.processKey, input.processKey)));
  if (!origin) throw new AppError('NOT_FOUND', t('packNotFromTemplate', { key: input.processKey }));
  const read = await readPackOrRefuse(input.pack, actor);
  const tpl = read.templates.find((x) => x.key === origin.templateKey);
  if (read.manifest.key !== origin.packKey || !tpl)
    throw new AppError('BAD_REQUEST', t('packNoTemplate', { key: origin.templateKey }));
  const theirs = mapDepartments(tpl.definition, origin.departmentMap);
  const [draft] = await db
    .select({ content: processDrafts.content, revision: processDrafts.revision })
    .from(processDrafts)
    .where(and(eq(processDrafts.tenantId, actor.tenantId), eq(processDrafts.key, input.processKey)));
  const [latest] = await db
    .select({ definition: processDefinitions.definition, version: processDefinitions.version })
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, actor.tenantId), eq(processDefinitions.key, input.processKey)))
    .orderBy(desc(processDefinitions.version))
    .limit(1);
  const ours = (draft?.content ?? latest?.definition) as ProcessDefinition | undefined;
  if (!ours) throw new AppError('NOT_FOUND', t('packNotFromTemplate', { key: input.processKey }));
  const changes = planUpgrade(origin.base, theirs, ours);
  const summary = { from: origin.packVersion, to: read.manifest.version, changes };
  if (input.preview) return { ...summary, revision: null as number | null };
  const merged = {
    ...applyUpgrade(origin.base, theirs, ours, input.take ?? {}),
    key: input.processKey,
  } as ProcessDefinition;
  // A department the new version names that the company does not have: refused, naming it, before anything is written.
  const named = [...new Set(departmentsOf(merged).map((d) => d.key))];
  const have = new Set(
    named.length === 0
      ? []
      : (
          await db
            .select({ key: groups.key })
            .from(groups)
            .where(and(eq(groups.tenantId, actor.tenantId), inArray(groups.key, named)))
        ).map((g) => g.key),
  );
  const lacking = named.filter((key) => !have.has(key));
  if (lacking.length > 0) {
    const back = (to: string) => Object.entries(origin.departmentMap).find(([, v]) => v === to)?.[0] ?? to;
    const fields = lacking.map((to) => ({
      field: `departments.${back(to)}`,
      label: back(to),
      message: t('packDepartmentMissing', { from: back(to), to }),
    }));
    throw new AppError('BAD_REQUEST', fields.map((f) => f.message).join(' '), fields);
  }
  return db.transaction(async (tx) => {
    for (const form of tpl.forms) await upsertForm(tx, actor.tenantId, form);
    if (tpl.decisions.length > 0)
      await pinDecisions(tx, actor.tenantId, merged, await readDecisions(tpl.decisions), actor.userId);
    const saved = draft
      ? await saveDraft(tx, actor, { key: input.processKey, revision: draft.revision, content: merged as never })
      : await saveDraft(tx, actor, {
          key: input.processKey,
          revision: null,
          content: merged as never,
          baseVersion: latest!.version,
        });
    await tx
      .update(templateOrigins)
      .set({ packVersion: read.manifest.version, base: theirs })
      .where(eq(templateOrigins.id, origin.id));
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'template.upgraded',
        data: {
          process: input.processKey,
          pack: read.manifest.key,
          from: origin.packVersion,
          to: read.manifest.version,
          taken: changes.filter((c) => input.take?.[c.id] ?? !c.conflict).map((c) => c.id),
        },
      },
    ]);
    return { ...summary, revision: saved.revision as number | null };
  });
}
