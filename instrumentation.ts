/** Opens, migrates and seeds the database when the server starts, before the first request. */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    // A production server without BETTER_AUTH_SECRET or BETTER_AUTH_URL stops here, before serving anyone.
    if (process.env.NEXT_PHASE !== 'phase-production-build') {
      const { authBaseURL, authSecret, readEnv } = await import('./app/server/env');
      authSecret(readEnv());
      authBaseURL(readEnv());
    }
    const { getDatabase } = await import('./app/server/database');
    const handle = await getDatabase();
    const { emailSettings, heldMailSettings, httpAllowList, readEnv } = await import('./app/server/env');
    const globalForWorker = globalThis as unknown as {
      __trellisWorker?: unknown;
      __trellisJobRelay?: () => Promise<void>;
      __trellisInboxRelay?: () => Promise<void>;
    };
    const serving = process.env.NEXT_PHASE !== 'phase-production-build';
    if (serving && !globalForWorker.__trellisInboxRelay) {
      // Live inboxes across app servers (PostgreSQL NOTIFY; in one process on PGlite): inbox-signal.ts.
      const { listenForInboxChanges, relayInboxChangesTo } = await import('./app/server/services/inbox-signal');
      globalForWorker.__trellisInboxRelay = relayInboxChangesTo(handle.db, (error) =>
        console.error('inbox relay:', (error as Error).message),
      );
      await listenForInboxChanges(handle.db).catch((error: unknown) =>
        console.error('inbox live updates: not listening:', (error as Error).message),
      );
    }
    if (serving && readEnv().TRELLIS_WORKER === 'on' && !globalForWorker.__trellisWorker) {
      const { startWorkerLoop } = await import('./app/server/host/worker');
      const { defaultConnectors } = await import('./app/server/connectors');
      const connectors = defaultConnectors({
        allow: httpAllowList(readEnv()),
        email: { db: handle.db, ...emailSettings(readEnv()) },
      });
      // Webhook deliveries go out under the HTTP connector's allow-list.
      const webhooks = { allow: httpAllowList(readEnv()) };
      // TRELLIS_SEND_HELD_MAIL=1: mail held while no SMTP server was configured goes out.
      const heldMail = heldMailSettings(readEnv());
      // Links in notification e-mails: the public URL (required in production), else this development server.
      const appUrl = readEnv().BETTER_AUTH_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
      globalForWorker.__trellisWorker = startWorkerLoop(handle.db, {
        connectors,
        webhooks,
        ...(heldMail ? { heldMail } : {}),
        notifications: { appUrl },
        onError: (error) => console.error('worker:', (error as Error).message),
      });
    } else if (serving && readEnv().TRELLIS_WORKER === 'off' && !globalForWorker.__trellisJobRelay) {
      // No worker here: `trellis worker` processes hear of jobs due now by NOTIFY (PostgreSQL; job-relay.ts).
      const { relayJobHintsTo } = await import('./app/server/host/job-relay');
      globalForWorker.__trellisJobRelay = relayJobHintsTo(handle.db, (error) =>
        console.error('job hint relay:', (error as Error).message),
      );
    }
  }
}
