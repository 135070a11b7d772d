/**
 * The designer's drafts, always within one company: one draft per process key, saved with the
 * revision the browser last saw. A save names that revision and is a single conditional UPDATE, so
 * two tabs or two designers never overwrite each other: the later one gets a conflict that names
 * who saved and when, in its own language. A draft may not validate (nothing drawn is lost); it
 * says why it cannot be published. Publishing makes it the next version, with the latest
 * published forms, and removes it, in one transaction.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import {
  canonicalJson,
  exportBpmn,
  importBpmn,
  keySchema,
  localizedTextSchema,
  processDefinitionSchema,
  validateDefinition,
  type Diagnostic,
  type ImportReport,
  type LocalizedText,
} from '@/engine';
import type { Executor } from '@/db/client';
import { groups, processDefinitions, processDrafts, processInstances, tasks, users } from '@/db/schema';
import { formatDateTime } from '../../_i18n/format';
import { translator, type Locale } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { publishProcess, publishWarnings, type PublishWarning } from './definitions';

/** Largest draft kept, as JSON text (the same bound as publishing). */
export const MAX_DRAFT_BYTES = 1_000_000;

/** A value's size as UTF-8 JSON: what is stored and sent (a Vietnamese letter is two or three bytes). */
export function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

type Person = { name: string; email: string };
type Json = Record<string, unknown>;

export interface ProcessSummary {
  key: string;
  name: LocalizedText;
  category: string | null;
  latestVersion: number | null;
  publishedAt: Date | null;
  /** `draft`: never published; `published`: no draft; `ahead`: a draft that differs from the latest version. */
  status: 'draft' | 'published' | 'ahead';
  revision: number | null;
  updatedAt: Date;
  updatedBy: Person | null;
}

/** The company's processes: every key with a draft or a published version, by department then key. */
export async function listProcesses(db: Executor, tenantId: string): Promise<ProcessSummary[]> {
  const drafts = await db
    .select({
      key: processDrafts.key,
      content: processDrafts.content,
      revision: processDrafts.revision,
      updatedAt: processDrafts.updatedAt,
      name: users.displayName,
      email: users.email,
    })
    .from(processDrafts)
    .leftJoin(users, eq(users.id, processDrafts.updatedBy))
    .where(eq(processDrafts.tenantId, tenantId));
  // The latest version of each key: DISTINCT ON keeps the first row per key in version order.
  const latest = await db
    .selectDistinctOn([processDefinitions.key], {
      key: processDefinitions.key,
      version: processDefinitions.version,
      name: processDefinitions.name,
      category: processDefinitions.category,
      definition: processDefinitions.definition,
      publishedAt: processDefinitions.publishedAt,
      by: users.displayName,
      email: users.email,
    })
    .from(processDefinitions)
    .leftJoin(users, eq(users.id, processDefinitions.publishedBy))
    .where(eq(processDefinitions.tenantId, tenantId))
    .orderBy(processDefinitions.key, desc(processDefinitions.version));
  const published = new Map(latest.map((l) => [l.key, l]));
  const rows: ProcessSummary[] = [];
  for (const d of drafts) {
    const l = published.get(d.key);
    published.delete(d.key);
    const content = d.content as Json;
    rows.push({
      key: d.key,
      name: nameOf(content) ?? l?.name ?? d.key,
      category: typeof content.category === 'string' ? content.category : (l?.category ?? null),
      latestVersion: l?.version ?? null,
      publishedAt: l?.publishedAt ?? null,
      status: !l ? 'draft' : sameAsPublished(content, l.definition) ? 'published' : 'ahead',
      revision: d.revision,
      updatedAt: d.updatedAt,
      updatedBy: d.name ? { name: d.name, email: d.email ?? '' } : null,
    });
  }
  for (const l of published.values()) {
    rows.push({
      key: l.key,
      name: l.name,
      category: l.category,
      latestVersion: l.version,
      publishedAt: l.publishedAt,
      status: 'published',
      revision: null,
      updatedAt: l.publishedAt,
      updatedBy: l.by ? { name: l.by, email: l.email ?? '' } : null,
    });
  }
  return rows.sort(
    (a, b) => (a.category ?? '\uffff').localeCompare(b.category ?? '\uffff') || a.key.localeCompare(b.key),
  );
}

/** The company's departments, for the designer's pickers (key and names only). */
export async function departmentNames(db: Executor, tenantId: string): Promise<{ key: string; name: LocalizedText }[]> {
  return db
    .select({ key: groups.key, name: groups.name })
    .from(groups)
    .where(eq(groups.tenantId, tenantId))
    .orderBy(asc(groups.key));
}

export interface ProcessDraftView {
  key: string;
  draft: {
    content: Json;
    revision: number;
    updatedAt: Date;
    updatedBy: Person | null;
    importReport: ImportReport | null;
    diagnostics: Diagnostic[];
  } | null;
  latest: { version: number; definition: Json; publishedAt: Date; publishedBy: Person | null } | null;
  versions: { version: number; publishedAt: Date; publishedBy: Person | null }[];
}

/** A process for the designer: its draft, its latest version and its version history. NOT_FOUND when it has neither. */
export async function getDraft(db: Executor, tenantId: string, key: string, locale: Locale): Promise<ProcessDraftView> {
  const [draft] = await db
    .select({
      content: processDrafts.content,
      revision: processDrafts.revision,
      updatedAt: processDrafts.updatedAt,
      importReport: processDrafts.importReport,
      name: users.displayName,
      email: users.email,
    })
    .from(processDrafts)
    .leftJoin(users, eq(users.id, processDrafts.updatedBy))
    .where(and(eq(processDrafts.tenantId, tenantId), eq(processDrafts.key, key)));
  const versions = await db
    .select({
      version: processDefinitions.version,
      definition: processDefinitions.definition,
      publishedAt: processDefinitions.publishedAt,
      name: users.displayName,
      email: users.email,
    })
    .from(processDefinitions)
    .leftJoin(users, eq(users.id, processDefinitions.publishedBy))
    .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, key)))
    .orderBy(desc(processDefinitions.version));
  if (!draft && versions.length === 0) throw new AppError('NOT_FOUND', translator(locale)('draftNotFound', { key }));
  const person = (name: string | null, email: string | null) => (name ? { name, email: email ?? '' } : null);
  const top = versions[0];
  return {
    key,
    draft: draft
      ? {
          content: draft.content,
          revision: draft.revision,
          updatedAt: draft.updatedAt,
          updatedBy: person(draft.name, draft.email),
          importReport: (draft.importReport as ImportReport | null) ?? null,
          diagnostics: validateDefinition(draft.content).diagnostics,
        }
      : null,
    latest: top
      ? {
          version: top.version,
          definition: top.definition as unknown as Json,
          publishedAt: top.publishedAt,
          publishedBy: person(top.name, top.email),
        }
      : null,
    versions: versions.map((v) => ({
      version: v.version,
      publishedAt: v.publishedAt,
      publishedBy: person(v.name, v.email),
    })),
  };
}

/** A blank draft: a start event, named in both languages, in a department. CONFLICT when the key is taken. */
export async function createDraft(
  db: Executor,
  actor: Actor,
  input: { key: string; name: { en: string; vi: string }; category?: string },
): Promise<{ key: string; revision: number }> {
  const t = translator(actor.locale);
  const key = checkedKey(input.key, actor.locale);
  const en = input.name.en.trim();
  const vi = input.name.vi.trim();
  if (!en)
    throw new AppError('BAD_REQUEST', t('draftNameMissing'), [
      { field: 'name.en', label: t('fieldNameEn'), message: t('draftNameMissing') },
    ]);
  if (!vi)
    throw new AppError('BAD_REQUEST', t('draftNameMissing'), [
      { field: 'name.vi', label: t('fieldNameVi'), message: t('draftNameMissing') },
    ]);
  if (input.category !== undefined) {
    const [group] = await db
      .select({ key: groups.key })
      .from(groups)
      .where(and(eq(groups.tenantId, actor.tenantId), eq(groups.key, input.category)));
    if (!group)
      throw new AppError('BAD_REQUEST', t('draftNoSuchDepartment', { key: input.category }), [
        {
          field: 'category',
          label: t('fieldDepartment'),
          message: t('draftNoSuchDepartment', { key: input.category }),
        },
      ]);
  }
  const content: Json = {
    formatVersion: 1,
    key,
    version: 1,
    name: { en, vi },
    ...(input.category ? { category: input.category } : {}),
    elements: [{ id: 'start', type: 'startEvent' }],
    flows: [],
  };
  const { revision } = await insertDraft(db, actor, key, content, null);
  return { key, revision };
}

/**
 * A file as a new draft: BPMN (Camunda 7/8, Flowable, any modeler) through the engine's importer,
 * with its limits (size, no DOCTYPE), or a Trellis JSON definition. The draft keeps the import's
 * report. CONFLICT when the key is taken: the process is opened, not replaced.
 */
export async function importDraft(
  db: Executor,
  actor: Actor,
  input: { fileName: string; content: string; key?: string },
): Promise<{ key: string; revision: number; report: ImportReport | null; diagnostics: Diagnostic[] }> {
  const t = translator(actor.locale);
  const refuse = (why: string) =>
    new AppError('BAD_REQUEST', t('draftImportRefused', { file: input.fileName, why }), [
      { field: 'content', label: input.fileName, message: why },
    ]);
  let content: Json;
  let report: ImportReport | null = null;
  if (/\.json$/i.test(input.fileName)) {
    // Refused before parsing: a draft is at most this large as JSON, so a larger file cannot become one.
    if (new TextEncoder().encode(input.content).length > MAX_DRAFT_BYTES) throw refuse(t('draftTooLarge'));
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.content);
    } catch (error) {
      throw refuse((error as Error).message);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as Json).key !== 'string')
      throw refuse(t('draftNotADefinition'));
    // In form (fields and types) or refused naming the fields; whether it runs is the validator's to say, in the draft.
    const shaped = processDefinitionSchema.safeParse({ ...(parsed as Json), ...(input.key ? { key: input.key } : {}) });
    if (!shaped.success)
      throw refuse(
        t('draftNotInForm', {
          why: shaped.error.issues
            .slice(0, 3)
            .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
            .join('; '),
        }),
      );
    content = parsed as Json;
  } else {
    try {
      const imported = await importBpmn(input.content, input.key ? { key: input.key } : {});
      content = imported.definition as unknown as Json;
      report = imported.report;
    } catch (error) {
      // The importer's refusals (BpmnImportError, UnsafeXmlError: size, DOCTYPE, entities) and
      // bpmn-moddle's parse errors (plain Errors) all say what is wrong with the file.
      throw refuse((error as Error).message);
    }
  }
  const key = checkedKey(input.key ?? (content.key as string), actor.locale);
  content = { ...content, key };
  if (jsonBytes(content) > MAX_DRAFT_BYTES) throw refuse(t('draftTooLarge'));
  const { revision } = await insertDraft(db, actor, key, content, report);
  return { key, revision, report, diagnostics: validateDefinition(content).diagnostics };
}

/**
 * Saves the draft over `revision` (the one the browser last saw; null: there is none yet). One
 * conditional statement: a stale revision changes nothing and is a CONFLICT naming who saved last.
 */
export async function saveDraft(
  db: Executor,
  actor: Actor,
  input: { key: string; revision: number | null; content: Json; baseVersion?: number | null },
): Promise<{ revision: number; updatedAt: Date; diagnostics: Diagnostic[] }> {
  const t = translator(actor.locale);
  const key = checkedKey(input.key, actor.locale);
  if (input.content.key !== key)
    throw new AppError('BAD_REQUEST', t('draftKeyMismatch', { key }), [
      { field: 'content.key', label: t('fieldProcessKey'), message: t('draftKeyMismatch', { key }) },
    ]);
  if (jsonBytes(input.content) > MAX_DRAFT_BYTES)
    throw new AppError('BAD_REQUEST', t('draftTooLarge'), [
      { field: 'content', label: key, message: t('draftTooLarge') },
    ]);
  const diagnostics = validateDefinition(input.content).diagnostics;
  if (input.revision === null) {
    // The first change to a published process starts from the version the page showed: one published since is a conflict, not a silent rebase.
    if (input.baseVersion !== undefined) await refuseMovedVersion(db, actor, key, input.baseVersion);
    const saved = await insertDraft(db, actor, key, input.content, null, { startedFromPublished: true });
    return { revision: saved.revision, updatedAt: saved.updatedAt, diagnostics };
  }
  const [row] = await db
    .update(processDrafts)
    .set({
      content: input.content,
      revision: sql`${processDrafts.revision} + 1`,
      updatedAt: sql`now()`,
      updatedBy: actor.userId,
    })
    .where(
      and(
        eq(processDrafts.tenantId, actor.tenantId),
        eq(processDrafts.key, key),
        eq(processDrafts.revision, input.revision),
      ),
    )
    .returning({ revision: processDrafts.revision, updatedAt: processDrafts.updatedAt });
  if (!row) throw await staleDraft(db, actor, key, 'CONFLICT');
  return { ...row, diagnostics };
}

/**
 * Publishes the draft as the next version (with the latest published forms and decisions) and
 * removes it, in one transaction; a stale revision is a CONFLICT and publishes nothing. The
 * validator's errors refuse it, naming the elements, and the draft stays.
 */
export async function publishDraft(
  db: Executor,
  actor: Actor,
  input: { key: string; revision: number },
): Promise<{ version: number; warnings: PublishWarning[] }> {
  const key = checkedKey(input.key, actor.locale);
  const row = await db.transaction(async (tx) => {
    // Locks the draft at that revision: a save racing the publish waits, then finds it gone.
    const [draft] = await tx
      .select({ content: processDrafts.content })
      .from(processDrafts)
      .where(
        and(
          eq(processDrafts.tenantId, actor.tenantId),
          eq(processDrafts.key, key),
          eq(processDrafts.revision, input.revision),
        ),
      )
      .for('update');
    if (!draft) throw await staleDraft(tx, actor, key, 'CONFLICT');
    const [latest] = await tx
      .select({ version: processDefinitions.version, definition: processDefinitions.definition })
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, actor.tenantId), eq(processDefinitions.key, key)))
      .orderBy(desc(processDefinitions.version))
      .limit(1);
    // Publishing a copy of the latest version would only number it again.
    if (latest && sameAsPublished(draft.content, latest.definition))
      throw new AppError('BAD_REQUEST', translator(actor.locale)('draftSameAsPublished', { version: latest.version }));
    const definition = { ...draft.content, key, version: (latest?.version ?? 0) + 1 };
    const published = await publishProcess(tx, actor.tenantId, { definition, forms: [] }, actor.userId, actor.locale);
    await tx.delete(processDrafts).where(and(eq(processDrafts.tenantId, actor.tenantId), eq(processDrafts.key, key)));
    return published;
  });
  return { version: row.version, warnings: await publishWarnings(db, actor.tenantId, row.definition) };
}

/** Removes the draft (the published versions stay); a stale revision is a CONFLICT, no draft NOT_FOUND. */
export async function discardDraft(
  db: Executor,
  actor: Actor,
  input: { key: string; revision: number },
): Promise<{ key: string }> {
  const key = checkedKey(input.key, actor.locale);
  const deleted = await db
    .delete(processDrafts)
    .where(
      and(
        eq(processDrafts.tenantId, actor.tenantId),
        eq(processDrafts.key, key),
        eq(processDrafts.revision, input.revision),
      ),
    )
    .returning({ key: processDrafts.key });
  if (deleted.length === 0) throw await staleDraft(db, actor, key, 'NOT_FOUND');
  return { key };
}

/**
 * The draft as a file: canonical JSON, or BPMN with its diagram (laid out when it has none). A draft
 * that is not yet a definition in form (a field missing or of the wrong type) has no BPMN: a
 * BAD_REQUEST naming the fields, never the schema library's dump.
 */
export async function exportDraft(
  db: Executor,
  tenantId: string,
  input: { key: string; format: 'json' | 'bpmn' },
  locale: Locale,
): Promise<{ fileName: string; content: string }> {
  const t = translator(locale);
  const [draft] = await db
    .select({ content: processDrafts.content })
    .from(processDrafts)
    .where(and(eq(processDrafts.tenantId, tenantId), eq(processDrafts.key, input.key)));
  if (!draft) throw await noDraftToExport(db, tenantId, input.key, locale);
  if (input.format === 'json') return { fileName: `${input.key}.draft.json`, content: canonicalJson(draft.content) };
  const parsed = processDefinitionSchema.safeParse(draft.content);
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new AppError('BAD_REQUEST', t('draftNotExportable', { why }));
  }
  try {
    return { fileName: `${input.key}.draft.bpmn`, content: await exportBpmn(parsed.data) };
  } catch (error) {
    throw new AppError('BAD_REQUEST', t('draftNotExportable', { why: (error as Error).message }));
  }
}

/** NOT_FOUND for an export without a draft: the published versions have their own export (definition.export). */
async function noDraftToExport(db: Executor, tenantId: string, key: string, locale: Locale): Promise<AppError> {
  if (!(await hasVersions(db, tenantId, key)))
    return new AppError('NOT_FOUND', translator(locale)('draftNotFound', { key }));
  return new AppError(
    'NOT_FOUND',
    locale === 'vi'
      ? `Quy trình "${key}" không có bản nháp; hãy xuất một phiên bản đã xuất bản của quy trình.`
      : `Process "${key}" has no draft; export one of its published versions instead.`,
  );
}

// ---- helpers ------------------------------------------------------------------------------

function checkedKey(key: string, locale: Locale): string {
  if (!keySchema.safeParse(key).success) {
    const t = translator(locale);
    throw new AppError('BAD_REQUEST', t('draftBadKey', { key: key.slice(0, 100) }), [
      { field: 'key', label: t('fieldProcessKey'), message: t('fieldProcessKeyHint') },
    ]);
  }
  return key;
}

/**
 * A new draft row. The key must be free: no draft, and (unless the draft starts from the
 * published versions, which the designer opens before the first save) no published version.
 */
async function insertDraft(
  db: Executor,
  actor: Actor,
  key: string,
  content: Json,
  report: ImportReport | null,
  options: { startedFromPublished?: boolean } = {},
): Promise<{ key: string; revision: number; updatedAt: Date }> {
  const t = translator(actor.locale);
  const taken = () =>
    new AppError('CONFLICT', t('draftKeyTaken', { key }), [
      { field: 'key', label: t('fieldProcessKey'), message: t('draftKeyTaken', { key }) },
    ]);
  if (!options.startedFromPublished && (await hasVersions(db, actor.tenantId, key))) throw taken();
  const [row] = await db
    .insert(processDrafts)
    .values({ tenantId: actor.tenantId, key, content, importReport: report as Json | null, updatedBy: actor.userId })
    .onConflictDoNothing()
    .returning({ revision: processDrafts.revision, updatedAt: processDrafts.updatedAt });
  if (!row) throw options.startedFromPublished ? await staleDraft(db, actor, key, 'CONFLICT') : taken();
  return { key, revision: row.revision, updatedAt: row.updatedAt };
}

/**
 * Why the draft is not at the revision the caller named, in the caller's language. Someone saved
 * since: a CONFLICT naming who and when, with the current revision, savedBy and savedAt as details
 * for the client. It is gone (published or discarded meanwhile): `whenGone` — a CONFLICT for a
 * save or publish (the page is stale: reload), NOT_FOUND for a discard. The company has no such
 * process at all (nor does another company's caller ever find ours): NOT_FOUND.
 */
async function staleDraft(
  db: Executor,
  actor: Actor,
  key: string,
  whenGone: 'CONFLICT' | 'NOT_FOUND',
): Promise<AppError> {
  const t = translator(actor.locale);
  const [current] = await db
    .select({
      revision: processDrafts.revision,
      updatedAt: processDrafts.updatedAt,
      name: users.displayName,
      email: users.email,
    })
    .from(processDrafts)
    .leftJoin(users, eq(users.id, processDrafts.updatedBy))
    .where(and(eq(processDrafts.tenantId, actor.tenantId), eq(processDrafts.key, key)));
  if (current) {
    const message = t('draftConflict', {
      name: current.name ?? '?',
      time: formatDateTime(current.updatedAt, actor.locale),
      revision: current.revision,
    });
    const savedBy = current.name ? { name: current.name, email: current.email ?? '' } : null;
    return new AppError('CONFLICT', message, undefined, {
      details: { revision: current.revision, savedBy, savedAt: current.updatedAt.toISOString() },
    });
  }
  if (await hasVersions(db, actor.tenantId, key)) return new AppError(whenGone, t('draftGone', { key }));
  return new AppError('NOT_FOUND', t('draftNotFound', { key }));
}

/** CONFLICT when the latest version is not `base` (null: there was none), naming who published it and when. */
async function refuseMovedVersion(db: Executor, actor: Actor, key: string, base: number | null): Promise<void> {
  const [latest] = await db
    .select({
      version: processDefinitions.version,
      publishedAt: processDefinitions.publishedAt,
      name: users.displayName,
    })
    .from(processDefinitions)
    .leftJoin(users, eq(users.id, processDefinitions.publishedBy))
    .where(and(eq(processDefinitions.tenantId, actor.tenantId), eq(processDefinitions.key, key)))
    .orderBy(desc(processDefinitions.version))
    .limit(1);
  if ((latest?.version ?? null) === base || !latest) return;
  const t = translator(actor.locale);
  throw new AppError(
    'CONFLICT',
    t('draftVersionMoved', {
      name: latest.name ?? '?',
      version: latest.version,
      time: formatDateTime(latest.publishedAt, actor.locale),
      base: base ?? '—',
    }),
    undefined,
    {
      details: {
        version: latest.version,
        savedBy: latest.name ? { name: latest.name, email: '' } : null,
        savedAt: latest.publishedAt.toISOString(),
      },
    },
  );
}

async function hasVersions(db: Executor, tenantId: string, key: string): Promise<boolean> {
  const [row] = await db
    .select({ version: processDefinitions.version })
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, key)))
    .limit(1);
  return row !== undefined;
}

function nameOf(content: Json): LocalizedText | undefined {
  const parsed = localizedTextSchema.safeParse(content.name);
  return parsed.success ? parsed.data : undefined;
}

/** Whether a draft says what the published version says (its version number apart). */
function sameAsPublished(content: Json, published: unknown): boolean {
  try {
    // Both as canonical JSON (defaults filled in the same way), the version number apart.
    return canonicalJson({ ...content, version: 1 }) === canonicalJson({ ...(published as Json), version: 1 });
  } catch {
    return false; // a draft that is not a definition yet differs
  }
}

/** One published version of a process, as the designer shows it (diagram and diff). NOT_FOUND when the company has no such version. */
export async function getVersion(
  db: Executor,
  tenantId: string,
  input: { key: string; version: number },
  locale: Locale,
): Promise<{ version: number; definition: Json; publishedAt: Date; publishedBy: Person | null }> {
  const [row] = await db
    .select({
      version: processDefinitions.version,
      definition: processDefinitions.definition,
      publishedAt: processDefinitions.publishedAt,
      name: users.displayName,
      email: users.email,
    })
    .from(processDefinitions)
    .leftJoin(users, eq(users.id, processDefinitions.publishedBy))
    .where(
      and(
        eq(processDefinitions.tenantId, tenantId),
        eq(processDefinitions.key, input.key),
        eq(processDefinitions.version, input.version),
      ),
    );
  if (!row)
    throw new AppError('NOT_FOUND', translator(locale)('versionNotFound', { key: input.key, version: input.version }));
  return {
    version: row.version,
    definition: row.definition as unknown as Json,
    publishedAt: row.publishedAt,
    publishedBy: row.name ? { name: row.name, email: row.email ?? '' } : null,
  };
}

export interface PublishPreview {
  /** The number the draft would get. */
  nextVersion: number;
  /** Instances still running (active or in an incident) on the versions published so far, and their open tasks: they stay on their version. */
  running: { version: number; instances: number; openTasks: number }[];
}

/** What publishing would do besides the diff (which the page computes with the engine): the next number, and what runs on older versions. */
export async function publishPreview(
  db: Executor,
  tenantId: string,
  key: string,
  locale: Locale,
): Promise<PublishPreview> {
  const rows = await db
    .select({
      version: processDefinitions.version,
      instances: sql<number>`count(distinct ${processInstances.id})::int`,
      openTasks: sql<number>`count(${tasks.id})::int`,
    })
    .from(processDefinitions)
    .leftJoin(
      processInstances,
      and(
        eq(processInstances.definitionId, processDefinitions.id),
        eq(processInstances.tenantId, tenantId),
        inArray(processInstances.status, ['active', 'incident']),
      ),
    )
    .leftJoin(
      tasks,
      and(eq(tasks.instanceId, processInstances.id), eq(tasks.tenantId, tenantId), eq(tasks.status, 'open')),
    )
    .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, key)))
    .groupBy(processDefinitions.version)
    .orderBy(desc(processDefinitions.version));
  if (rows.length === 0) {
    const [draft] = await db
      .select({ key: processDrafts.key })
      .from(processDrafts)
      .where(and(eq(processDrafts.tenantId, tenantId), eq(processDrafts.key, key)));
    if (!draft) throw new AppError('NOT_FOUND', translator(locale)('draftNotFound', { key }));
  }
  const latest = rows[0]?.version ?? 0;
  return { nextVersion: latest + 1, running: rows.filter((r) => r.instances > 0) };
}
