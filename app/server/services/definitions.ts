/** Publishing and reading process definitions with their forms and decision tables, always within one company. */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { connectorDiagnostics } from '@/app/_connectors/check';
import { STARTED_BY_VARIABLES } from '@/app/_shared/started-by';
import {
  canonicalJson,
  checkVariables,
  compile,
  evaluateExpression,
  formKeysOf,
  exportBpmn,
  formDefinitionSchema,
  validateDefinition,
  type FormSchemas,
  type CompiledProcess,
  type Decision,
  type EngineLimits,
  type FormDefinition,
  type ProcessDefinition,
  type StartableBy,
} from '@/engine';
import { flatten } from '@/engine/model/scopes';
import { messagesHeard, messagesSent } from '@/engine/model/senders';
import type { Executor } from '@/db/client';
import { forms, processDefinitions, tasks, type FormRow, type ProcessDefinitionRow } from '@/db/schema';
import type { Actor } from '../actor';
import { groupKeys } from '../actor';
import { engineLimits, readEnv } from '../env';
import { translator, type Locale } from '../../_i18n/messages';
import { AppError } from '../errors';
import { compileFormSchema } from '../forms';
import { configuredTimerLimits, moveStartTimers } from './start-timers';
import { stableJson } from './audit';
import { decisionsByIds, pinDecisions, readDecisions } from './decisions';
import { INITIATOR_VARIABLE } from './initiator';
import { membersNamed } from './task-people';

export interface PublishInput {
  definition: unknown;
  forms: unknown[];
  /** Decision tables its business rule tasks call: `{ dmn: "<definitions …>" }` (a DMN file) or JSON tables (decisions.ts). */
  decisions?: unknown[];
}

/**
 * Publishes a process version with the forms and decision tables it uses, in one transaction.
 * Forms already published with the same key and version must be identical; decisions are
 * versioned by content (decisions.ts); both are pinned by the new version, which must be new.
 * Two publishes of the same version at the same moment: one wins, the other is a CONFLICT naming
 * the version, in `locale` (the rows are inserted ON CONFLICT DO NOTHING, so the loser finds out
 * without a failed statement).
 */
export async function publishProcess(
  db: Executor,
  tenantId: string,
  input: PublishInput,
  publishedBy: string | null,
  locale: Locale = 'en',
): Promise<ProcessDefinitionRow> {
  const result = validateDefinition(input.definition, { publishing: true, timerLimits: configuredTimerLimits() });
  if (!result.ok) {
    const fields = result.diagnostics.map((d) => ({
      field: d.path ? `definition.${d.path}` : 'definition',
      label: d.elementId ?? d.path ?? 'definition',
      message: d.message,
    }));
    throw new AppError(
      'BAD_REQUEST',
      `Process definition is invalid: ${result.diagnostics.map((d) => d.message).join(' ')}`,
      fields,
    );
  }
  const definition = result.definition;
  // A connector's literal settings are read now by the worker's own reader: a mistake is refused here, not met as an incident.
  const connectorProblems = connectorDiagnostics(definition);
  if (connectorProblems.length > 0) {
    throw new AppError(
      'BAD_REQUEST',
      `Process definition is invalid: ${connectorProblems.map((d) => d.message).join(' ')}`,
      connectorProblems.map((d) => ({
        field: `definition.${d.path}`,
        label: d.elementId ?? 'definition',
        message: d.message,
      })),
    );
  }
  const unsupported = notYetRunByServer(definition);
  if (unsupported.length > 0) {
    throw new AppError(
      'BAD_REQUEST',
      `Process "${definition.key}" uses what the server does not run yet: ${unsupported.join('; ')}. It can be tried with \`trellis simulate\`.`,
    );
  }
  const formDefs = input.forms.map((f, i) => {
    const parsed = formDefinitionSchema.safeParse(f);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const at = issue?.path.join('.') || '(root)';
      throw new AppError('BAD_REQUEST', `Form #${i + 1} is invalid at ${at}: ${issue?.message}`, [
        {
          field: `forms.${i}${issue?.path.length ? `.${at}` : ''}`,
          label: `Form #${i + 1}`,
          message: issue?.message ?? 'invalid',
        },
      ]);
    }
    compileFormSchema(parsed.data.schema, parsed.data.key);
    return parsed.data;
  });
  refuseReservedStartFields(definition, formDefs);
  const given = await readDecisions(input.decisions ?? []);

  return db.transaction(async (tx) => {
    const formIds: Record<string, string> = {};
    const schemas: FormSchemas = {};
    for (const form of formDefs) {
      formIds[form.key] = (await upsertForm(tx, tenantId, form)).id;
      schemas[form.key] = form.schema;
    }
    for (const key of formKeysOf(definition)) {
      if (formIds[key]) continue;
      const [latest] = await tx
        .select({ id: forms.id, schema: forms.schema })
        .from(forms)
        .where(and(eq(forms.tenantId, tenantId), eq(forms.key, key)))
        .orderBy(desc(forms.version))
        .limit(1);
      if (!latest)
        throw new AppError(
          'BAD_REQUEST',
          `Process "${definition.key}" uses form "${key}", which is neither given nor published.`,
        );
      formIds[key] = latest.id;
      schemas[key] = latest.schema as Record<string, unknown>;
    }
    // With the forms pinned, the variables' types are known: a comparison with the wrong type never holds.
    const mistyped = checkVariables(definition, schemas, STARTED_BY_VARIABLES).filter((d) => d.severity === 'error');
    if (mistyped.length > 0) {
      throw new AppError(
        'BAD_REQUEST',
        `Process definition is invalid: ${mistyped.map((d) => d.message).join(' ')}`,
        mistyped.map((d) => ({ field: 'definition', label: d.elementId ?? 'definition', message: d.message })),
      );
    }
    const [existing] = await tx
      .select({ id: processDefinitions.id })
      .from(processDefinitions)
      .where(
        and(
          eq(processDefinitions.tenantId, tenantId),
          eq(processDefinitions.key, definition.key),
          eq(processDefinitions.version, definition.version),
        ),
      );
    if (existing)
      throw new AppError(
        'CONFLICT',
        `Process "${definition.key}" version ${definition.version} is already published; publish a new version instead.`,
      );
    const decisionIds = await pinDecisions(tx, tenantId, definition, given, publishedBy);
    const [row] = await tx
      .insert(processDefinitions)
      .values({
        tenantId,
        key: definition.key,
        version: definition.version,
        name: definition.name,
        category: definition.category ?? null,
        definition,
        formIds,
        decisionIds,
        publishedBy,
      })
      .onConflictDoNothing()
      .returning();
    // Not there when we looked, there now: a concurrent publish of the same version committed first.
    if (!row)
      throw new AppError(
        'CONFLICT',
        translator(locale)('errVersionJustPublished', { key: definition.key, version: definition.version }),
      );
    await moveStartTimers(tx, row);
    return row;
  });
}

/** A warning publishing gives back: the version is published, but a designer should look at this. */
export interface PublishWarning {
  elementId: string | null;
  message: string;
}

/** Longest chain of calls between published processes followed when looking for one that calls itself. */
const MAX_CALL_CHAIN = 50;

/**
 * What to tell whoever publishes `definition`: the validator's warnings (a loop with no wait
 * state, a process that calls itself), people named literally who are not members of the company
 * (their tasks would stop with an incident), and chains of call activities through other published
 * processes that come back to this one (A → B → A), which only the company's processes show.
 */
export async function publishWarnings(
  db: Executor,
  tenantId: string,
  definition: ProcessDefinition,
): Promise<PublishWarning[]> {
  const result = validateDefinition(definition);
  const warnings: PublishWarning[] = result.diagnostics
    .filter((d) => d.severity === 'warning')
    .map((d) => ({ elementId: d.elementId ?? null, message: d.message }));
  warnings.push(...(await strangersNamed(db, tenantId, definition)));
  for (const u of await messagesUnheard(db, tenantId, [definition])) {
    warnings.push({
      elementId: u.elementId,
      message: `"${u.elementId}" sends the message "${u.name}", which no process of this company starts on or waits for: it is dropped, until a process that does is published.`,
    });
  }
  const calls = (d: ProcessDefinition) =>
    flatten(d).elements.flatMap((e) =>
      e.type === 'callActivity' ? [{ id: e.id, calledElement: e.calledElement }] : [],
    );
  for (const call of calls(definition)) {
    if (call.calledElement === definition.key) continue; // the validator's warning says it already
    // Breadth first through the latest published version of each process called, remembering the way.
    const via = new Map<string, string[]>([[call.calledElement, [call.calledElement]]]);
    let frontier = [call.calledElement];
    for (let hops = 0; frontier.length > 0 && hops < MAX_CALL_CHAIN; hops++) {
      const rows = await db
        .selectDistinctOn([processDefinitions.key], {
          key: processDefinitions.key,
          definition: processDefinitions.definition,
        })
        .from(processDefinitions)
        .where(and(eq(processDefinitions.tenantId, tenantId), inArray(processDefinitions.key, frontier)))
        .orderBy(processDefinitions.key, desc(processDefinitions.version));
      const next: string[] = [];
      for (const row of rows) {
        for (const c of calls(row.definition)) {
          if (c.calledElement === definition.key) {
            const chain = [definition.key, ...via.get(row.key)!, definition.key].map((k) => `"${k}"`).join(' → ');
            warnings.push({
              elementId: call.id,
              message: `Call activity "${call.id}" starts a chain of processes that comes back to this one (${chain}): each instance starts another until the call depth limit stops the chain with an incident.`,
            });
            frontier = [];
            break;
          }
          if (!via.has(c.calledElement)) {
            via.set(c.calledElement, [...via.get(row.key)!, c.calledElement]);
            next.push(c.calledElement);
          }
        }
        if (frontier.length === 0) break;
      }
      if (frontier.length > 0) frontier = next;
    }
  }
  return warnings;
}

/** User tasks' assignees and candidate users given literally (not by FEEL) who are not members who may work tasks. */
async function strangersNamed(
  db: Executor,
  tenantId: string,
  definition: ProcessDefinition,
): Promise<PublishWarning[]> {
  const named: { elementId: string; name: string }[] = [];
  for (const e of flatten(definition).elements) {
    if (e.type !== 'userTask') continue;
    if (e.assignee !== undefined && !e.assignee.startsWith('=')) named.push({ elementId: e.id, name: e.assignee });
    if (Array.isArray(e.candidateUsers)) for (const name of e.candidateUsers) named.push({ elementId: e.id, name });
  }
  if (named.length === 0) return [];
  const members = await membersNamed(
    db,
    tenantId,
    named.map((n) => n.name),
  );
  return named
    .filter((n) => !members.has(n.name.trim().toLowerCase()))
    .map((n) => ({
      elementId: n.elementId,
      message: `User task "${n.elementId}" names "${n.name}", who is not the e-mail address of a member of this company who may work tasks: its task stops with an incident until they join, or until the process names someone else.`,
    }));
}

/** Process-level start events the server runs: a published message, a broadcast signal, a start timer. */
const RUN_START_EVENTS: ReadonlySet<string> = new Set(['message', 'signal', 'timer']);

/**
 * What the server cannot run yet. Timers, messages, signals, service jobs, call activities, scoped
 * runs, decision tables and tasks for named people are run by the durable runtime, and so are
 * process-level start events on a message, a signal or a timer (start-timers.ts schedules those).
 */
function notYetRunByServer(definition: ProcessDefinition): string[] {
  const found: string[] = [];
  // validateDefinition refuses the other kinds already; this keeps a kind added later from slipping through unrun.
  for (const e of definition.elements)
    if (e.type === 'startEvent' && e.event && !RUN_START_EVENTS.has(e.event.kind))
      found.push(`"${e.id}" (${e.event.kind} start event)`);
  return found;
}

/**
 * The variable the server sets when a person starts an instance (initiator.ts): a start form may
 * not have a field of that name, which the server would overwrite.
 */
function refuseReservedStartFields(definition: ProcessDefinition, given: FormDefinition[]): void {
  const start = given.find((f) => f.key === definition.startForm);
  const properties = (start?.schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  if (Object.hasOwn(properties, INITIATOR_VARIABLE)) {
    throw new AppError(
      'BAD_REQUEST',
      `Start form "${start!.key}" has a field "${INITIATOR_VARIABLE}": the server sets that variable to who started the instance (their e-mail, name and manager); rename the field.`,
      [
        {
          field: `forms.${given.indexOf(start!)}.schema.properties.${INITIATOR_VARIABLE}`,
          label: INITIATOR_VARIABLE,
          message: 'reserved for who started the instance',
        },
      ],
    );
  }
}

export async function upsertForm(
  tx: Executor,
  tenantId: string,
  form: FormDefinition,
  mayInsert = true,
): Promise<FormRow> {
  const [existing] = await tx
    .select()
    .from(forms)
    .where(and(eq(forms.tenantId, tenantId), eq(forms.key, form.key), eq(forms.version, form.version)));
  // Only a row that vanished again between our insert and this read (not under READ COMMITTED) ends up here.
  if (!existing && !mayInsert)
    throw new AppError(
      'CONFLICT',
      `Form "${form.key}" version ${form.version} is being published by someone else at this moment; publish again.`,
    );
  if (existing) {
    // jsonb stores object keys in its own order: compare content, not text.
    const same =
      stableJson([existing.schema, existing.uiSchema, existing.i18n, existing.title]) ===
      stableJson([form.schema, form.uiSchema, form.i18n, form.title]);
    if (!same)
      throw new AppError(
        'CONFLICT',
        `Form "${form.key}" version ${form.version} is already published with different content; publish a new version.`,
      );
    return existing;
  }
  const [row] = await tx
    .insert(forms)
    .values({
      tenantId,
      key: form.key,
      version: form.version,
      title: form.title,
      schema: form.schema,
      uiSchema: form.uiSchema,
      i18n: form.i18n,
    })
    .onConflictDoNothing()
    .returning();
  // A concurrent publish committed the same form version first: compare with theirs, as above.
  return row ?? upsertForm(tx, tenantId, form, false);
}

/** The latest version of each process the actor may start. */
export async function listStartable(db: Executor, actor: Actor) {
  const rows = await db
    .select({
      id: processDefinitions.id,
      key: processDefinitions.key,
      version: processDefinitions.version,
      name: processDefinitions.name,
      category: processDefinitions.category,
      definition: processDefinitions.definition,
    })
    .from(processDefinitions)
    .where(eq(processDefinitions.tenantId, actor.tenantId))
    .orderBy(processDefinitions.key, desc(processDefinitions.version));
  const latest = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!latest.has(r.key)) latest.set(r.key, r);
  return [...latest.values()]
    .filter((r) => mayStart(actor, r.definition))
    .map((r) => ({
      id: r.id,
      key: r.key,
      version: r.version,
      name: r.name,
      category: r.category,
      description: r.definition.description ?? null,
    }));
}

/**
 * Whether the actor may start the process: auditors never (read-only), admins always; others
 * when the definition's startableBy names one of their departments or their role, or says nothing.
 */
export function mayStart(actor: Actor, definition: ProcessDefinition): boolean {
  return allowedBy(actor, startableByOf(definition), true);
}

/**
 * Whether a declaration of who may (startableBy, sendableBy) lets the actor: auditors never
 * (read-only), admins always; others when it names one of their departments or their role, or,
 * when there is none, as `undeclared` says.
 */
export function allowedBy(
  actor: Actor,
  by: { groups?: string[]; roles?: string[] } | undefined,
  undeclared: boolean,
): boolean {
  if (actor.role === 'auditor') return false;
  if (actor.role === 'admin') return true;
  if (!by) return undeclared;
  const mine = new Set(groupKeys(actor, 'member'));
  return (by.roles ?? []).some((r) => r === actor.role) || (by.groups ?? []).some((g) => mine.has(g));
}

const ROLE_NAMES = { admin: 'admins', designer: 'designers', staff: 'staff' } as const;

/** Why the actor may not start the process, naming who may. */
export function startRefusal(actor: Actor, key: string, definition: ProcessDefinition): string {
  if (actor.role === 'auditor') return `You may not start "${key}": auditors have read-only access.`;
  const by = startableByOf(definition);
  const who = [
    ...(by?.groups?.length ? [`members of ${by.groups.join(', ')}`] : []),
    ...(by?.roles ?? []).filter((r) => r !== 'admin').map((r) => ROLE_NAMES[r]),
    'admins',
  ];
  return `You may not start "${key}": only ${who.length > 1 ? `${who.slice(0, -1).join(', ')} or ${who.at(-1)}` : who[0]} may.`;
}

/** Who the definition lets start it; a version published before startableBy named roles held a list of departments. */
export function startableByOf(definition: ProcessDefinition): StartableBy | undefined {
  const by = definition.startableBy as StartableBy | string[] | undefined;
  if (Array.isArray(by)) return by.length > 0 ? { groups: by } : undefined;
  return by;
}

/** The latest published version of `key` in the actor's company, or NOT_FOUND. */
export async function latestDefinition(db: Executor, tenantId: string, key: string): Promise<ProcessDefinitionRow> {
  const [row] = await db
    .select()
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, key)))
    .orderBy(desc(processDefinitions.version))
    .limit(1);
  if (!row) throw new AppError('NOT_FOUND', `No process "${key}" is published in this company.`);
  return row;
}

export async function formsByIds(db: Executor, tenantId: string, ids: string[]): Promise<Map<string, FormRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select()
    .from(forms)
    .where(and(eq(forms.tenantId, tenantId), inArray(forms.id, ids)));
  return new Map(rows.map((r) => [r.id, r]));
}

// Published versions never change, so their compiled machines can be shared for good.
const compiled = new Map<string, CompiledProcess>();
let limitsFromEnv: Partial<EngineLimits> | undefined;

/** What compiling a published version needs: its definition and the decision versions it pinned. */
export type CompilableRow = Pick<ProcessDefinitionRow, 'id' | 'tenantId' | 'definition' | 'decisionIds'>;

/** A published version compiled with its pinned decision tables (compiled once, then kept in memory). */
export async function processOf(db: Executor, row: CompilableRow): Promise<CompiledProcess> {
  let process = compiled.get(row.id);
  if (!process) {
    limitsFromEnv ??= engineLimits(readEnv());
    const ids = Object.values(row.decisionIds ?? {});
    const decisions = ids.length === 0 ? [] : (await decisionsByIds(db, row.tenantId, ids)).map((d) => d.content);
    process = compile(row.definition, {
      limits: limitsFromEnv,
      timerLimits: configuredTimerLimits(),
      stored: true,
      decisions,
    });
    compiled.set(row.id, process);
  }
  return process;
}

// Published versions and forms are immutable: once read, a row can be kept for good.
const definitionRows = new Map<string, ProcessDefinitionRow>();
const formRows = new Map<string, FormRow>();

/** A published version by id, if it belongs to the company (kept in memory after the first read). */
export async function definitionById(db: Executor, tenantId: string, id: string): Promise<ProcessDefinitionRow> {
  let row = definitionRows.get(id);
  if (!row) {
    [row] = await db
      .select()
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.id, id)));
    if (row) definitionRows.set(id, row);
  }
  if (!row || row.tenantId !== tenantId) throw new AppError('NOT_FOUND', `Process definition "${id}" was not found.`);
  return row;
}

/** A published form version by id, if it belongs to the company (kept in memory after the first read). */
export async function formById(db: Executor, tenantId: string, id: string): Promise<FormRow> {
  let row = formRows.get(id);
  if (!row) {
    [row] = await db
      .select()
      .from(forms)
      .where(and(eq(forms.tenantId, tenantId), eq(forms.id, id)));
    if (row) formRows.set(id, row);
  }
  if (!row || row.tenantId !== tenantId) throw new AppError('NOT_FOUND', `Form "${id}" was not found.`);
  return row;
}

/** The start form of a definition version (schema, layout and texts), or null when it has none. */
export async function startFormOf(
  db: Executor,
  tenantId: string,
  def: Pick<ProcessDefinitionRow, 'definition' | 'formIds'>,
) {
  const key = def.definition.startForm;
  const id = key ? def.formIds[key] : undefined;
  if (!id) return null;
  const form = (await formsByIds(db, tenantId, [id])).get(id);
  return form
    ? {
        key: form.key,
        version: form.version,
        title: form.title,
        schema: form.schema,
        uiSchema: form.uiSchema,
        i18n: form.i18n,
      }
    : null;
}

/**
 * The forms an instance's data was entered with so far: its start form, then the forms of its
 * completed tasks (each once, in the order they were completed), to show the data labelled by them.
 */
export async function instanceFormsOf(
  db: Executor,
  tenantId: string,
  instanceId: string,
  def: Pick<ProcessDefinitionRow, 'definition' | 'formIds'>,
  except?: string,
) {
  const done = await db
    .select({ formId: tasks.formId, at: tasks.completedAt })
    .from(tasks)
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, instanceId), eq(tasks.status, 'completed')))
    .orderBy(asc(tasks.completedAt));
  const ids = [
    ...new Set(done.map((d) => d.formId).filter((id): id is string => typeof id === 'string' && id !== except)),
  ];
  const found = ids.length === 0 ? new Map<string, FormRow>() : await formsByIds(db, tenantId, ids);
  const start = await startFormOf(db, tenantId, def);
  const forms = ids.flatMap((id) => {
    const form = found.get(id);
    return form
      ? [
          {
            key: form.key,
            version: form.version,
            title: form.title,
            schema: form.schema,
            uiSchema: form.uiSchema,
            i18n: form.i18n,
          },
        ]
      : [];
  });
  return [...(start ? [start] : []), ...forms.filter((f) => f.key !== start?.key)];
}

/** What the start page needs: the latest version the actor may start, with its start form. */
export async function getStartable(db: Executor, actor: Actor, key: string) {
  const def = await latestDefinition(db, actor.tenantId, key);
  if (!mayStart(actor, def.definition)) throw new AppError('FORBIDDEN', startRefusal(actor, key, def.definition));
  return {
    key: def.key,
    version: def.version,
    name: def.name,
    description: def.definition.description ?? null,
    startForm: await startFormOf(db, actor.tenantId, def),
  };
}

export interface ExportedProcess {
  key: string;
  version: number;
  format: 'json' | 'bpmn';
  /** A file name for the download, e.g. "invoice-approval.v3.bpmn". */
  fileName: string;
  /** The canonical JSON definition, or BPMN 2.0 XML with Trellis's extension attributes. */
  content: string;
  /** The form versions it pins, as definition.publish takes them (BPMN refers to forms by key). */
  forms: FormDefinition[];
  /** The decision versions it pins, as JSON decision tables (definition.publish takes them back). */
  decisions: Decision[];
}

/**
 * A published version (the latest, or `version`) of one of the company's processes, as the
 * canonical JSON definition or as BPMN XML, with its pinned forms: what definition.publish takes
 * back (with a new version number). Another company's key is not found.
 */
export async function exportProcess(
  db: Executor,
  tenantId: string,
  input: { key: string; version?: number; format: 'json' | 'bpmn' },
): Promise<ExportedProcess> {
  const def =
    input.version === undefined
      ? await latestDefinition(db, tenantId, input.key)
      : await definitionVersion(db, tenantId, input.key, input.version);
  const pinned = await formsByIds(db, tenantId, Object.values(def.formIds));
  const forms = [...pinned.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(
      (f) =>
        ({
          key: f.key,
          version: f.version,
          title: f.title,
          schema: f.schema,
          uiSchema: f.uiSchema,
          i18n: f.i18n,
        }) as FormDefinition,
    );
  const content = input.format === 'bpmn' ? await exportBpmn(def.definition) : canonicalJson(def.definition);
  const decisions = (await decisionsByIds(db, tenantId, Object.values(def.decisionIds)))
    .map((d) => d.content)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    key: def.key,
    version: def.version,
    format: input.format,
    fileName: `${def.key}.v${def.version}.${input.format === 'bpmn' ? 'bpmn' : 'json'}`,
    content,
    forms,
    decisions,
  };
}

async function definitionVersion(
  db: Executor,
  tenantId: string,
  key: string,
  version: number,
): Promise<ProcessDefinitionRow> {
  const [row] = await db
    .select()
    .from(processDefinitions)
    .where(
      and(
        eq(processDefinitions.tenantId, tenantId),
        eq(processDefinitions.key, key),
        eq(processDefinitions.version, version),
      ),
    );
  if (!row) throw new AppError('NOT_FOUND', `No version ${version} of process "${key}" is published in this company.`);
  return row;
}

/** How people refer to an instance: the process's `businessKey` (FEEL) over its start variables, as text of at most 200 characters; null without one. */
export function businessKeyOf(definition: ProcessDefinition, variables: Record<string, unknown>): string | null {
  if (!definition.businessKey) return null;
  const value = evaluateExpression(definition.businessKey, variables).value;
  return value === null || value === undefined ? null : String(value).slice(0, 200);
}

/**
 * The messages `definitions` send that nothing hears: no latest published version of a company's
 * process, and none of `definitions` themselves (a pack imported together), starts on or waits for
 * them. A message nobody hears is dropped (effects.ts publish): an approved invoice nobody pays.
 */
export async function messagesUnheard(
  db: Executor,
  tenantId: string,
  definitions: ProcessDefinition[],
): Promise<{ processKey: string; elementId: string; name: string }[]> {
  const sent = definitions.flatMap((d) => messagesSent(d).map((m) => ({ processKey: d.key, ...m })));
  if (sent.length === 0) return [];
  const heard = new Set<string>();
  for (const d of definitions) for (const name of messagesHeard(d)) heard.add(name);
  const keys = new Set(definitions.map((d) => d.key));
  const latest = await db
    .selectDistinctOn([processDefinitions.key], {
      key: processDefinitions.key,
      definition: processDefinitions.definition,
    })
    .from(processDefinitions)
    .where(eq(processDefinitions.tenantId, tenantId))
    .orderBy(processDefinitions.key, desc(processDefinitions.version));
  // the versions being published replace their own older ones
  for (const row of latest) if (!keys.has(row.key)) for (const name of messagesHeard(row.definition)) heard.add(name);
  return sent.filter((m) => !heard.has(m.name));
}
