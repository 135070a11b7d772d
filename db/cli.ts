/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL, or to the PGlite folder. */
import { migrateDatabase, openDatabase } from './client';

const command = process.argv[2];
if (command !== 'migrate') {
  console.error('usage: tsx db/cli.ts migrate');
  process.exit(2);
}
const handle = await openDatabase({ url: process.env.DATABASE_URL || undefined, dataDir: process.env.PGLITE_DATA_DIR });
await migrateDatabase(handle);
await handle.close();
console.log(`migrated (${handle.kind})`);
