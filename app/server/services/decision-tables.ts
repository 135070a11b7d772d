/**
 * The decision-table editor's side of the server: a decision table of the company (published with
 * a process, imported from DMN, or made in the editor) as the editor opens it, and publishing an
 * edited table as its next version. The table is checked by the rules the editor shows as it is
 * edited (engine/decisions/check.ts: every cell with the engine's FEEL profile, overlapping rules
 * under UNIQUE), refused in the caller's language naming the row and column; a publish on top of a
 * version that moved since the editor opened it is a conflict, and nothing is written. Processes
 * pin the version current when they are published (decisions.ts), so running instances keep theirs.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { decisions } from '@/db/schema';
import { checkDecision, decisionSchema, type Decision, type DecisionProblem } from '@/engine';
import { decisionProblemText } from '../../_shared/decision-problems';
import { formatDateTime } from '../../_i18n/format';
import { translator } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { stableJson } from './audit';
import { jsonBytes } from './drafts';

/** Largest decision table the editor publishes, as JSON. */
export const MAX_DECISION_BYTES = 1_000_000;

export interface DecisionTableVersion {
  decision: Decision;
  version: number;
  publishedAt: Date;
}

async function latestDecision(db: Executor, tenantId: string, key: string) {
  const [row] = await db
    .select()
    .from(decisions)
    .where(and(eq(decisions.tenantId, tenantId), eq(decisions.key, key)))
    .orderBy(desc(decisions.version))
    .limit(1);
  return row;
}

/** The company's decision tables, the latest version of each, by key. */
export async function listDecisionTables(
  db: Executor,
  tenantId: string,
): Promise<{ key: string; name: string; version: number; hitPolicy: string; rules: number; publishedAt: Date }[]> {
  const rows = await db
    .selectDistinctOn([decisions.key], {
      key: decisions.key,
      version: decisions.version,
      name: decisions.name,
      content: decisions.content,
      publishedAt: decisions.publishedAt,
    })
    .from(decisions)
    .where(eq(decisions.tenantId, tenantId))
    .orderBy(decisions.key, desc(decisions.version))
    .limit(1_000);
  return rows.map((r) => ({
    key: r.key,
    name: r.name || r.key,
    version: r.version,
    hitPolicy: r.content.hitPolicy,
    rules: r.content.rules.length,
    publishedAt: r.publishedAt,
  }));
}

/** The latest version of a decision table. NOT_FOUND when the company has none by that key. */
export async function getDecisionTable(db: Executor, actor: Actor, key: string): Promise<DecisionTableVersion> {
  const row = await latestDecision(db, actor.tenantId, key);
  if (!row) throw new AppError('NOT_FOUND', translator(actor.locale)('decisionNotFound', { key }));
  return { decision: row.content, version: row.version, publishedAt: row.publishedAt };
}

/**
 * Publishes an edited table as the next version of its key (version 1 for a new key). `baseVersion`
 * is the version the editor opened (null for a new table). The same table as the latest version is
 * no new version: that version is answered.
 */
export async function publishDecisionTable(
  db: Executor,
  actor: Actor,
  input: { decision: unknown; baseVersion: number | null },
): Promise<{ key: string; version: number }> {
  const t = translator(actor.locale);
  const parsed = decisionSchema.safeParse(input.decision);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.join('.') || 'decision';
    throw new AppError('BAD_REQUEST', t('decisionInvalidAt', { at, message: issue.message }), [
      { field: `decision.${at}`, label: at, message: issue.message },
    ]);
  }
  if (jsonBytes(parsed.data) > MAX_DECISION_BYTES)
    throw new AppError('BAD_REQUEST', t('decisionTooLarge', { kb: MAX_DECISION_BYTES / 1000 }));
  const decision = parsed.data;
  const errors = checkDecision(decision).problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    const fields = errors.map((p) => ({
      field: fieldOf(p),
      label: fieldOf(p),
      message: decisionProblemText(p, actor.locale),
    }));
    throw new AppError('BAD_REQUEST', t('decisionProblems', { list: fields.map((f) => f.message).join('; ') }), fields);
  }
  return db.transaction(async (tx) => {
    const latest = await latestDecision(tx, actor.tenantId, decision.id);
    if (input.baseVersion === null && latest) throw new AppError('CONFLICT', t('decisionExists', { key: decision.id }));
    if (input.baseVersion !== null && latest?.version !== input.baseVersion) {
      if (!latest) throw new AppError('NOT_FOUND', t('decisionNotFound', { key: decision.id }));
      throw new AppError(
        'CONFLICT',
        t('decisionVersionMoved', {
          key: decision.id,
          version: latest.version,
          date: formatDateTime(latest.publishedAt, actor.locale),
        }),
      );
    }
    // jsonb keeps its own key order: compare content, not text.
    if (latest && stableJson(latest.content) === stableJson(decision))
      return { key: decision.id, version: latest.version };
    const version = (latest?.version ?? 0) + 1;
    await tx.insert(decisions).values({
      tenantId: actor.tenantId,
      key: decision.id,
      version,
      name: decision.name ?? null,
      content: decision,
      source: null,
      publishedBy: actor.userId,
    });
    return { key: decision.id, version };
  });
}

function fieldOf(p: DecisionProblem): string {
  if (p.rule !== undefined)
    return `decision.rules.${p.rule - 1}.${p.input !== undefined ? `inputEntries.${p.input - 1}` : `outputEntries.${(p.output ?? 1) - 1}`}`;
  if (p.input !== undefined) return `decision.inputs.${p.input - 1}`;
  if (p.output !== undefined) return `decision.outputs.${p.output - 1}`;
  return 'decision';
}
