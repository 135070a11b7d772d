/** Opens, migrates and seeds the database when the server starts, before the first request. */
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { getDatabase } = await import('./app/server/database');
    const handle = await getDatabase();
    const { emailSettings, httpAllowList, readEnv } = await import('./app/server/env');
    const globalForWorker = globalThis as unknown as { __trellisWorker?: unknown };
    if (readEnv().TRELLIS_WORKER === 'on' && process.env.NEXT_PHASE !== 'phase-production-build' && !globalForWorker.__trellisWorker) {
      const { startWorkerLoop } = await import('./app/server/worker');
      const { defaultConnectors } = await import('./app/server/connectors');
      const connectors = defaultConnectors({ allow: httpAllowList(readEnv()), email: { db: handle.db, ...emailSettings(readEnv()) } });
      // Webhook deliveries go out under the HTTP connector's allow-list.
      const webhooks = { allow: httpAllowList(readEnv()) };
      globalForWorker.__trellisWorker = startWorkerLoop(handle.db, { connectors, webhooks, onError: (error) => console.error('worker:', (error as Error).message) });
    }
  }
}
