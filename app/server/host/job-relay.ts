/**
 * Job hints across processes, on PostgreSQL: an app server that runs no worker loop of its own
 * (TRELLIS_WORKER=off) sends `NOTIFY trellis_jobs` after a commit that wrote a job due now, and
 * every `trellis worker` LISTENs and wakes one of its loops — so in the scaled-out topology, too, a
 * service task after a submitted form runs at once rather than at the workers' next poll.
 *
 * The NOTIFY is sent after the command has committed, by its own statement, never inside the
 * command: a notifying transaction takes a database-wide lock at commit, which would line up
 * every command behind it. Hints are coalesced: while one NOTIFY is on its way, any number of
 * further hints make one more. Like the hint in process, it is only a hint: a lost notification
 * (a listener reconnecting, a failed send) costs at most one poll interval.
 *
 * PGlite is one process: nothing to relay, and nobody to listen (both are no-ops there).
 */
import { postgresOf, type Executor } from '@/db/client';
import { jobsCommittedElsewhere, relayJobHints } from './job-signal';

export const JOB_CHANNEL = 'trellis_jobs';

/**
 * Relays this process's job hints to the other processes as NOTIFY, through `db`'s pool. Returns
 * how to stop (it waits for a NOTIFY on its way). No-op on PGlite.
 */
export function relayJobHintsTo(db: Executor, onError: (error: unknown) => void = () => {}): () => Promise<void> {
  const client = postgresOf(db);
  if (!client) return async () => {};
  let sending: Promise<void> | null = null;
  let again = false;
  const send = async () => {
    do {
      again = false;
      await client.unsafe(`select pg_notify('${JOB_CHANNEL}', '')`, []).catch(onError);
    } while (again);
    sending = null;
  };
  const stopRelaying = relayJobHints(() => {
    if (sending) again = true;
    else sending = send();
  });
  return async () => {
    stopRelaying();
    await sending;
  };
}

/**
 * Wakes this process's worker loops when another process relays a hint (LISTEN on a connection of
 * its own, which postgres.js re-establishes after a drop). Resolves once listening; returns how to
 * stop. No-op on PGlite.
 */
export async function listenForJobHints(db: Executor): Promise<() => Promise<void>> {
  const client = postgresOf(db);
  if (!client) return async () => {};
  const { unlisten } = await client.listen(JOB_CHANNEL, () => jobsCommittedElsewhere());
  return unlisten;
}
