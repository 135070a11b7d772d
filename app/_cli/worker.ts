/**
 * `trellis worker`: a worker process against PostgreSQL (DATABASE_URL). Run as many as wanted
 * beside the app servers; they share the jobs table (SKIP LOCKED). On SIGTERM or SIGINT a worker
 * finishes the job in hand, hands back what it claimed and exits.
 */
import { openDatabase } from '../../db/client';
import { defaultConnectors } from '../server/connectors';
import { emailSettings, heldMailSettings, httpAllowList, readEnv } from '../server/env';
import { listenForJobHints } from '../server/host/job-relay';
import { relayInboxChangesTo } from '../server/services/inbox-signal';
import { startWorkerLoop } from '../server/host/worker';

type Out = { log: (text: string) => void; error: (text: string) => void };

export async function workerCommand(args: string[], out: Out): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    out.error(
      'trellis worker needs DATABASE_URL (PostgreSQL). With the embedded database (PGlite, one process per data folder) the app runs its own worker.',
    );
    return 2;
  }
  // postgres.js 3.4.9 can throw from a timer when a connection dies mid-transaction (porsager/postgres
  // #1208): log it and keep working, as Next.js does for the app, rather than die with jobs claimed.
  process.on('uncaughtException', (error) => out.error(`worker: uncaught ${error.message}`));
  const number = (name: string) => {
    const at = args.indexOf(name);
    const value = at >= 0 ? Number(args[at + 1]) : NaN;
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const interval = number('--interval-ms');
  const leaseSeconds = number('--lease-seconds');
  const handle = await openDatabase({ url, maxConnections: 4 });
  const connectors = defaultConnectors({
    allow: httpAllowList(readEnv()),
    email: { db: handle.db, ...emailSettings(readEnv()) },
  });
  // Webhook deliveries go out under the HTTP connector's allow-list.
  const webhooks = { allow: httpAllowList(readEnv()) };
  // TRELLIS_SEND_HELD_MAIL=1: mail held while no SMTP server was configured goes out.
  const heldMail = heldMailSettings(readEnv());
  // App servers without a worker of their own relay their job hints (NOTIFY): a job due now runs at
  // once. Only a hint: without it (the database is not reachable yet) the worker still polls, and
  // postgres.js keeps trying to listen.
  const unlisten = await listenForJobHints(handle.db).catch((error: unknown) => {
    out.error(`worker: not listening for job hints yet (polling meanwhile): ${(error as Error).message}`);
    return async () => {};
  });
  // Tasks its timers and jobs create or cancel reach the app servers' live inboxes (NOTIFY).
  const stopInboxRelay = relayInboxChangesTo(handle.db, (error) =>
    out.error(`worker: inbox relay: ${(error as Error).message}`),
  );
  const appUrl = readEnv().BETTER_AUTH_URL;
  const loop = startWorkerLoop(handle.db, {
    ...(appUrl ? { notifications: { appUrl } } : {}),
    intervalMs: interval ?? 500,
    ...(leaseSeconds ? { leaseSeconds } : {}),
    connectors,
    webhooks,
    ...(heldMail ? { heldMail } : {}),
    onError: (error) => out.error(`worker: ${(error as Error).message}`),
  });
  // The handlers go in before "running" is printed: a pipe write is synchronous, so whoever waits
  // for that line may signal at once, and a signal before its handler would kill the process.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  out.log(`worker ${loop.worker.id} running (Ctrl-C or SIGTERM to stop)`);
  await stopped;
  try {
    await loop.stop();
  } catch (error) {
    out.error(`worker: could not hand back its jobs (their leases will run out): ${(error as Error).message}`);
  }
  await stopInboxRelay();
  try {
    await unlisten();
  } catch {
    // Closing the database below ends the listening connection anyway.
  } finally {
    await handle.close();
  }
  // What it ran, for whoever runs several (the fault test attributes the work by these lines).
  const ran = Object.entries(loop.worker.outcomes)
    .map(([outcome, n]) => `${outcome}=${n}`)
    .join(' ');
  out.log(`worker ${loop.worker.id} stopped; ran ${ran || 'nothing'}`);
  return 0;
}
