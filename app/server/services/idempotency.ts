/**
 * Idempotent commands: the first result of a command sent with an idempotency key is stored
 * under (tenant, key) in the command's own transaction and returned to every retry, which does
 * not act again. The caller is a person (their user id) or an API key (its id): a key used by one
 * caller is refused to any other. Owns the command_results table; never looks inside a command's
 * result, and never stores a failure (a failed command wrote nothing, so its retry may act).
 */
import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '@/db/client';
import { commandResults } from '@/db/schema';
import type { Actor } from '../actor';
import type { KeyCaller } from '../caller';
import { AppError } from '../errors';
import { stableJson } from './audit';
import { hinted } from '../host/job-signal';

const keyPattern = /^[A-Za-z0-9_.:-]{8,200}$/;
const keyRule = 'an idempotency key is 8–200 characters of A–Z, a–z, 0–9 and _ . : -';

/** For router inputs: `idempotencyKey: idempotencyKeySchema.optional()`. */
export const idempotencyKeySchema = z.string().regex(keyPattern, `Not a valid idempotency key: ${keyRule}.`);

/** What can be stored and replayed unchanged: a command's result must be plain JSON. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * Who sent a command, as its stored result remembers them: a person by their user id, an API key
 * by its id (command_results.actor_id has no foreign key, so either fits; both are random uuids).
 */
function callerIdOf(caller: Actor | KeyCaller): string {
  return 'kind' in caller ? caller.keyId : caller.userId;
}

/**
 * Runs `run` at most once per (tenant, key). Without a key it just runs. With a key, in one
 * transaction: the key is claimed first (an insert that waits for any concurrent holder of the
 * same key to commit or roll back), so same-key calls act one at a time; a call that finds the
 * key taken returns the stored result without acting — or a CONFLICT when the key was used for
 * another command, by another caller (person or API key), or with other input. `run` gets the
 * transaction; the service's own `db.transaction` inside becomes a savepoint (drizzle does this on
 * PGlite and postgres.js).
 *
 * The result is returned as stored (a JSON round trip), so the first call and its retries get
 * equal values.
 */
export async function withIdempotency<T extends Json>(
  db: Executor,
  caller: Actor | KeyCaller,
  key: string | undefined,
  command: string,
  input: unknown,
  run: (tx: Executor) => Promise<T>,
): Promise<T> {
  if (key === undefined) return run(db);
  if (!keyPattern.test(key))
    throw new AppError('BAD_REQUEST', `Idempotency key "${key.slice(0, 40)}" is not valid: ${keyRule}.`);
  const inputHash = createHash('sha256').update(stableJson({ command, input })).digest('hex');
  const callerId = callerIdOf(caller);

  return hinted(
    db.transaction(async (tx) => {
      const thisKey = and(eq(commandResults.tenantId, caller.tenantId), eq(commandResults.key, key));
      // The placeholder is never seen by others: it is replaced before this transaction commits.
      const claimed = await tx
        .insert(commandResults)
        .values({
          tenantId: caller.tenantId,
          key,
          command,
          actorId: callerId,
          inputHash,
          result: sql`'null'::jsonb`,
        })
        .onConflictDoNothing()
        .returning({ key: commandResults.key });

      if (claimed.length === 0) {
        // Taken and committed (READ COMMITTED: this statement sees what the insert waited for).
        const [stored] = await tx
          .select({
            command: commandResults.command,
            actorId: commandResults.actorId,
            inputHash: commandResults.inputHash,
            result: commandResults.result,
          })
          .from(commandResults)
          .where(thisKey);
        if (!stored)
          throw new Error(
            `Idempotency key "${key}" was taken but its result is not visible; is the transaction isolation above READ COMMITTED?`,
          );
        if (stored.command !== command)
          throw new AppError(
            'CONFLICT',
            `Idempotency key "${key}" was already used for ${stored.command}; send ${command} with a new key.`,
          );
        if (stored.actorId !== callerId)
          throw new AppError(
            'CONFLICT',
            `Idempotency key "${key}" was already used by another ${'kind' in caller ? 'caller' : 'user'}; send ${command} with a new key.`,
          );
        // A retry sends the same request; other input under the same key is a client's mistake, not a retry.
        if (stored.inputHash !== null && stored.inputHash !== inputHash)
          throw new AppError(
            'CONFLICT',
            `Idempotency key "${key}" was already used for ${command} with different input; send the new request with a new key.`,
          );
        return stored.result as T;
      }

      const stored = JSON.stringify((await run(tx)) ?? null);
      await tx
        .update(commandResults)
        .set({ result: sql`${stored}::jsonb` })
        .where(thisKey);
      return JSON.parse(stored) as T;
    }),
  );
}

/** How long a command's result is kept for its retries. */
export const RESULT_RETENTION_HOURS = 24;

/**
 * Forgets results older than `hours` (a retry that late acts again). The worker loop calls it now
 * and then; a small batch per call keeps each delete short.
 */
export async function pruneCommandResults(
  db: Executor,
  hours = RESULT_RETENTION_HOURS,
  batch = 1_000,
): Promise<number> {
  const old = db
    .select({ tenantId: commandResults.tenantId, key: commandResults.key })
    .from(commandResults)
    .where(lt(commandResults.createdAt, sql`now() - make_interval(hours => ${hours})`))
    .limit(batch);
  const deleted = await db
    .delete(commandResults)
    .where(sql`(${commandResults.tenantId}, ${commandResults.key}) in ${old}`)
    .returning({ key: commandResults.key });
  return deleted.length;
}
