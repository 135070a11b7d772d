/**
 * The app's database handle: opened, migrated and (on first start) seeded once per process,
 * kept on globalThis because Next loads server modules several times in one process.
 */
import { migrateDatabase, openDatabase, type DatabaseHandle } from '@/db/client';
import { readEnv } from './env';
import { seedDemo } from './seed';

const globalForDb = globalThis as unknown as { __trellisDb?: Promise<DatabaseHandle> };

export function getDatabase(): Promise<DatabaseHandle> {
  globalForDb.__trellisDb ??= (async () => {
    const env = readEnv();
    const handle = await openDatabase({ url: env.DATABASE_URL, dataDir: env.PGLITE_DATA_DIR });
    await migrateDatabase(handle);
    if (env.TRELLIS_SEED === 'demo') await seedDemo(handle.db);
    return handle;
  })().catch((error: unknown) => {
    globalForDb.__trellisDb = undefined;
    throw error;
  });
  return globalForDb.__trellisDb;
}
