/**
 * Decision tables published with the processes that use them, always within one company. A
 * publish brings decisions as DMN files or as JSON tables; each decision a business rule task
 * calls — and each decision that one requires — is published as a version of its own and pinned
 * by the process version (process_definitions.decision_ids), as its forms are. A decision not
 * brought along is pinned at its latest published version. Never evaluates a decision: the
 * engine does, with the pinned versions (definitions.ts processOf).
 */
import { and, desc, eq, inArray } from 'drizzle-orm';
import { decisionSchema, importDmn, type Decision, type ProcessDefinition } from '@/engine';
import { flatten } from '@/engine/model/scopes';
import type { Executor } from '@/db/client';
import { decisions, type DecisionRow } from '@/db/schema';
import { AppError } from '../errors';
import { stableJson } from './audit';

/** A decision as a publish brings it: the table, and the DMN text it came from (null for JSON). */
export interface GivenDecision {
  decision: Decision;
  source: string | null;
}

/** Largest DMN file a publish takes (characters); the engine's own limit is higher, for the CLI. */
const MAX_DMN_CHARS = 1_000_000;

/**
 * Reads the decisions of a publish: `{ dmn: "<definitions …>" }` for a DMN file (every decision
 * table in it), or a decision table as JSON (engine/decisions/model.ts). Errors name the entry.
 */
export async function readDecisions(input: unknown[]): Promise<GivenDecision[]> {
  const out: GivenDecision[] = [];
  for (const [i, entry] of input.entries()) {
    const field = `decisions.${i}`;
    const label = `Decision #${i + 1}`;
    const refuse = (message: string, at = field): never => {
      throw new AppError('BAD_REQUEST', `${label} is invalid: ${message}`, [{ field: at, label, message }]);
    };
    if (entry !== null && typeof entry === 'object' && 'dmn' in entry) {
      const dmn = (entry as { dmn: unknown }).dmn;
      if (typeof dmn !== 'string') refuse('"dmn" must be the text of a DMN file.', `${field}.dmn`);
      const text = dmn as string;
      if (text.length > MAX_DMN_CHARS)
        refuse(`the DMN file is ${text.length} characters; the limit is ${MAX_DMN_CHARS}.`, `${field}.dmn`);
      let read: Decision[] = [];
      try {
        read = await importDmn(text);
      } catch (error) {
        refuse((error as Error).message, `${field}.dmn`);
      }
      if (read.length === 0) refuse('the DMN file has no decision table.', `${field}.dmn`);
      for (const decision of read) out.push({ decision, source: text });
      continue;
    }
    const parsed = decisionSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const at = issue.path.join('.');
      refuse(`${at || '(root)'}: ${issue.message}`, at ? `${field}.${at}` : field);
    }
    out.push({ decision: parsed.data!, source: null });
  }
  const seen = new Set<string>();
  for (const { decision } of out) {
    if (seen.has(decision.id))
      throw new AppError('BAD_REQUEST', `Decision "${decision.id}" is given twice; give each decision once.`, [
        { field: 'decisions', label: 'decisions', message: `"${decision.id}" given twice` },
      ]);
    seen.add(decision.id);
  }
  return out;
}

/** The decisions a definition's business rule tasks call, with the task calling each (for messages). */
export function decisionRefsOf(definition: ProcessDefinition): Map<string, string> {
  const refs = new Map<string, string>();
  for (const e of flatten(definition).elements)
    if (e.type === 'businessRuleTask' && !refs.has(e.decisionRef)) refs.set(e.decisionRef, e.id);
  return refs;
}

/**
 * Publishes (or finds) the version of every decision the definition needs, in the caller's
 * transaction: those its business rule tasks call and, through their requirements, those they
 * read. A given decision identical to its latest version pins that version; a changed one becomes
 * the next version. Returns decision key → id, what process_definitions.decision_ids holds.
 */
export async function pinDecisions(
  tx: Executor,
  tenantId: string,
  definition: ProcessDefinition,
  given: GivenDecision[],
  publishedBy: string | null,
): Promise<Record<string, string>> {
  const byKey = new Map(given.map((g) => [g.decision.id, g]));
  const pinned: Record<string, string> = {};
  // What is still to pin, and who needs it (for the message when it is nowhere).
  const queue = [...decisionRefsOf(definition)].map(([key, taskId]) => ({
    key,
    neededBy: `Business rule task "${taskId}" calls`,
  }));
  while (queue.length > 0) {
    const { key, neededBy } = queue.shift()!;
    if (pinned[key]) continue;
    const mine = byKey.get(key);
    const row = mine ? await publishDecision(tx, tenantId, mine, publishedBy) : await latestDecision(tx, tenantId, key);
    if (!row)
      throw new AppError(
        'BAD_REQUEST',
        `${neededBy} decision "${key}", which is neither given nor published; publish it with the process (a DMN file or a JSON decision table).`,
      );
    pinned[key] = row.id;
    for (const required of row.content.requires) queue.push({ key: required, neededBy: `Decision "${key}" requires` });
  }
  return pinned;
}

async function latestDecision(tx: Executor, tenantId: string, key: string): Promise<DecisionRow | undefined> {
  const [row] = await tx
    .select()
    .from(decisions)
    .where(and(eq(decisions.tenantId, tenantId), eq(decisions.key, key)))
    .orderBy(desc(decisions.version))
    .limit(1);
  return row;
}

/** The latest version when it has the same table, else a new version (ON CONFLICT: a concurrent publish of the same version is read back). */
async function publishDecision(
  tx: Executor,
  tenantId: string,
  given: GivenDecision,
  publishedBy: string | null,
  attempt = 0,
): Promise<DecisionRow> {
  const latest = await latestDecision(tx, tenantId, given.decision.id);
  // jsonb stores object keys in its own order: compare content, not text.
  if (latest && stableJson(latest.content) === stableJson(given.decision)) return latest;
  const [row] = await tx
    .insert(decisions)
    .values({
      tenantId,
      key: given.decision.id,
      version: (latest?.version ?? 0) + 1,
      name: given.decision.name ?? null,
      content: given.decision,
      source: given.source,
      publishedBy,
    })
    .onConflictDoNothing()
    .returning();
  if (row) return row;
  // Someone published this decision at the same moment: theirs is the latest now; compare again, once.
  if (attempt > 0)
    throw new AppError(
      'CONFLICT',
      `Decision "${given.decision.id}" is being published by someone else at this moment; publish again.`,
    );
  return publishDecision(tx, tenantId, given, publishedBy, attempt + 1);
}

// Published decisions never change: once read, a row can be kept for good.
const decisionRows = new Map<string, DecisionRow>();

/** The pinned decisions of a process version (kept in memory after the first read), each with its key. */
export async function decisionsByIds(db: Executor, tenantId: string, ids: string[]): Promise<DecisionRow[]> {
  const missing = ids.filter((id) => !decisionRows.has(id));
  if (missing.length > 0) {
    const rows = await db
      .select()
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), inArray(decisions.id, missing)));
    for (const row of rows) decisionRows.set(row.id, row);
  }
  return ids.map((id) => {
    const row = decisionRows.get(id);
    if (!row || row.tenantId !== tenantId)
      throw new AppError('NOT_FOUND', `Decision "${id}" pinned by a process version was not found in this company.`);
    return row;
  });
}
