/**
 * Who may send a message or broadcast a signal into a company's processes, and the refusals
 * (FORBIDDEN, naming who may, in the caller's language). The rules, in one place:
 * - processes (throw events, send tasks, end events) always may: they carry no person and are
 *   never checked here;
 * - admins always may; auditors never (read-only);
 * - an element that waits (message or signal catch event, receive task, boundary event, event
 *   subprocess start) takes a person's message or signal only when its `sendableBy` names one of
 *   their departments or their role. Without one, only admins' — so nobody pushes data into an
 *   instance that is not open to them (a submitter cannot send `{ approved: true }` to their own
 *   invoice either: a message's variables bypass the task forms and the four-eyes rule);
 * - a start event of the process itself makes a new instance that is the sender's: the process's
 *   `startableBy` decides, as for instance.start, and the start event's `sendableBy` too when it has one;
 * - a signal is public when some process declares `sendableBy` for it (on an element that catches
 *   it, in a published version or an instance waiting for it): only then may a person (named by
 *   one of those declarations) broadcast it, and it reaches only the elements that let them.
 * Who sends never changes where a message goes (the first instance waiting for it): it only
 * decides whether it may. This module reads definitions and people; it writes nothing.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { localize } from '@/engine';
import type { ProcessDefinition, SendableBy } from '@/engine/model/definition';
import { sendTargetOf, signalDeclarations, type SendTarget } from '@/engine/model/senders';
import type { Executor } from '@/db/client';
import { groups, processDefinitions, processInstances, type ProcessDefinitionRow } from '@/db/schema';
import { translator } from '../../_i18n/messages';
import { resolveActor, type Actor } from '../actor';
import { AppError } from '../errors';
import { allowedBy, definitionById, mayStart, startRefusal } from './definitions';

/** Whether `sendableBy` lets the actor send: admins always, auditors never, others when it names their department or role. */
export function maySend(actor: Actor, by: SendableBy | undefined): boolean {
  return allowedBy(actor, by, false);
}

/** "members of Accounting, designers or admins": who the declarations let send, in the actor's language. */
async function whoMay(tx: Executor, actor: Actor, declared: SendableBy[]): Promise<string> {
  const t = translator(actor.locale);
  const keys = [...new Set(declared.flatMap((d) => d.groups ?? []))].sort();
  const roles = new Set(declared.flatMap((d) => d.roles ?? []));
  const names = new Map<string, string>();
  if (keys.length > 0) {
    const rows = await tx
      .select({ key: groups.key, name: groups.name })
      .from(groups)
      .where(and(eq(groups.tenantId, actor.tenantId), inArray(groups.key, keys)));
    for (const r of rows) names.set(r.key, localize(r.name, actor.locale) ?? r.key);
  }
  const who = [
    ...(keys.length > 0 ? [t('whoMembersOf', { groups: keys.map((k) => names.get(k) ?? k).join(', ') })] : []),
    ...(roles.has('designer') ? [t('whoDesigners')] : []),
    ...(roles.has('staff') ? [t('whoStaff')] : []),
    t('whoAdmins'),
  ];
  return who.length > 1 ? `${who.slice(0, -1).join(', ')} ${t('whoOr')} ${who.at(-1)}` : who[0]!;
}

/** The definitions of the instances, by instance id (published versions are cached by definitionById). */
async function definitionsOf(
  tx: Executor,
  tenantId: string,
  instanceIds: string[],
): Promise<Map<string, ProcessDefinitionRow>> {
  if (instanceIds.length === 0) return new Map();
  const rows = await tx
    .select({ id: processInstances.id, definitionId: processInstances.definitionId })
    .from(processInstances)
    .where(and(eq(processInstances.tenantId, tenantId), inArray(processInstances.id, [...new Set(instanceIds)])));
  const out = new Map<string, ProcessDefinitionRow>();
  for (const r of rows) out.set(r.id, await definitionById(tx, tenantId, r.definitionId));
  return out;
}

/**
 * A person's message found `waiting` (an element of an instance that waits for it): it may go
 * there only if the element lets them send; else FORBIDDEN, and the caller's transaction writes
 * nothing (the message is not buffered or passed on either).
 */
export async function checkMessageTo(
  tx: Executor,
  actor: Actor,
  waiting: { instanceId: string; elementId: string },
  name: string,
): Promise<void> {
  const def = (await definitionsOf(tx, actor.tenantId, [waiting.instanceId])).get(waiting.instanceId);
  const target = def ? sendTargetOf(def.definition, waiting.elementId) : undefined;
  if (maySend(actor, target?.sendableBy)) return;
  const t = translator(actor.locale);
  const element = (target && localize(target.elementName, actor.locale)) ?? waiting.elementId;
  const values = { name, element, process: def ? processName(def.definition, actor) : '?' };
  if (!target?.sendableBy) throw new AppError('FORBIDDEN', t('sendRefusedUndeclared', values));
  throw new AppError('FORBIDDEN', t('sendRefused', { ...values, who: await whoMay(tx, actor, [target.sendableBy]) }));
}

/**
 * A person's message or signal starting an instance of `def` at `startEventId`: the instance is
 * theirs, so startableBy must let them (the refusal instance.start gives), and so must the start
 * event's sendableBy when it declares one.
 */
export async function checkStart(
  tx: Executor,
  actor: Actor,
  def: ProcessDefinitionRow,
  startEventId: string,
  name: string,
): Promise<void> {
  if (!mayStart(actor, def.definition)) throw new AppError('FORBIDDEN', startRefusal(actor, def.key, def.definition));
  const by = sendTargetOf(def.definition, startEventId)?.sendableBy;
  if (!by || maySend(actor, by)) return;
  const who = await whoMay(tx, actor, [by]);
  throw new AppError(
    'FORBIDDEN',
    translator(actor.locale)('sendRefusedStart', { name, process: processName(def.definition, actor), who }),
  );
}

/**
 * Of the people whose buffered messages match a subscription just opened at `elementId`, those it
 * does not let send (by their role and departments now: a revoked membership sends nothing). Their
 * messages stay buffered, for a receiver that lets them, until they expire.
 */
export async function refusedSenders(
  tx: Executor,
  tenantId: string,
  instanceId: string,
  elementId: string,
  senderIds: string[],
): Promise<string[]> {
  if (senderIds.length === 0) return [];
  const def = (await definitionsOf(tx, tenantId, [instanceId])).get(instanceId);
  const by = def ? sendTargetOf(def.definition, elementId)?.sendableBy : undefined;
  const refused: string[] = [];
  for (const id of senderIds) {
    const sender = await resolveActor(tx, id, 'en', tenantId);
    if (!sender || !maySend(sender, by)) refused.push(id);
  }
  return refused;
}

/**
 * Where a person's signal goes: FORBIDDEN unless it is public for them (a declaration names them —
 * on an element waiting for it now, or on an element of the newest published version of a
 * process); then the waiting elements that let them and the process start events that declare no
 * sendableBy or one that names them (startableBy is checked when each starts). Admins reach all.
 */
export async function signalReach<W extends { instanceId: string; elementId: string }>(
  tx: Executor,
  actor: Actor,
  name: string,
  waiting: W[],
  starts: { def: ProcessDefinitionRow; startEventId: string }[],
): Promise<{ waiting: W[]; starts: { def: ProcessDefinitionRow; startEventId: string }[] }> {
  if (actor.role === 'admin') return { waiting, starts };
  const defs = await definitionsOf(
    tx,
    actor.tenantId,
    waiting.map((w) => w.instanceId),
  );
  const targetOf = (w: W): SendTarget | undefined => {
    const def = defs.get(w.instanceId);
    return def ? sendTargetOf(def.definition, w.elementId) : undefined;
  };
  const declared = [
    ...(await publishedDeclarations(tx, actor.tenantId, name)),
    ...waiting.flatMap((w) => targetOf(w)?.sendableBy ?? []),
  ];
  if (!declared.some((by) => maySend(actor, by))) {
    const t = translator(actor.locale);
    if (declared.length === 0) throw new AppError('FORBIDDEN', t('broadcastNotPublic', { name }));
    throw new AppError('FORBIDDEN', t('broadcastRefused', { name, who: await whoMay(tx, actor, declared) }));
  }
  return {
    waiting: waiting.filter((w) => maySend(actor, targetOf(w)?.sendableBy)),
    starts: starts.filter((s) => {
      const by = sendTargetOf(s.def.definition, s.startEventId)?.sendableBy;
      return !by || maySend(actor, by);
    }),
  };
}

/** The sendableBy declarations of signal `name` in the newest published version of each of the company's processes. */
async function publishedDeclarations(tx: Executor, tenantId: string, name: string): Promise<SendableBy[]> {
  const rows = await tx
    .select({ id: processDefinitions.id })
    .from(processDefinitions)
    .where(
      and(
        eq(processDefinitions.tenantId, tenantId),
        sql`${processDefinitions.version} = (select max(p.version) from process_definitions p
          where p.tenant_id = ${processDefinitions.tenantId} and p.key = ${processDefinitions.key})`,
        // Any depth (subprocesses, event subprocesses): the engine's reading below decides what counts.
        sql`jsonb_path_exists(${processDefinitions.definition},
          '$.**.event ? (@.kind == "signal" && @.name == $name && exists(@.sendableBy))', jsonb_build_object('name', ${name}::text))`,
      ),
    );
  const out: SendableBy[] = [];
  for (const r of rows)
    for (const t of signalDeclarations((await definitionById(tx, tenantId, r.id)).definition, name))
      out.push(t.sendableBy!);
  return out;
}

function processName(definition: ProcessDefinition, actor: Actor): string {
  return localize(definition.name, actor.locale) ?? definition.key;
}
