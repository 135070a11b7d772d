/**
 * What the API key form offers an admin to choose from (app/admin/api-keys): the company's
 * published processes (the latest version of each: key and name) and the message names their
 * definitions wait for or start on (engine/model/senders.ts reads them; nothing here walks a
 * definition). Offers only: a key's scopes are exact names, checked by api-keys.ts, and may name
 * a message, signal or job type no published process has yet — a key made before its process.
 *
 * Reads one company's rows; who may read them is the procedure's declaration (admins).
 */
import { desc, eq } from 'drizzle-orm';
import { messagesHeard } from '@/engine/model/senders';
import type { Executor } from '@/db/client';
import { processDefinitions } from '@/db/schema';

export async function apiKeyChoices(db: Executor, tenantId: string) {
  // The latest version of each key: DISTINCT ON keeps the first row per key in version order.
  const latest = await db
    .selectDistinctOn([processDefinitions.key], {
      key: processDefinitions.key,
      name: processDefinitions.name,
      definition: processDefinitions.definition,
    })
    .from(processDefinitions)
    .where(eq(processDefinitions.tenantId, tenantId))
    .orderBy(processDefinitions.key, desc(processDefinitions.version));
  const messages = new Set<string>();
  for (const row of latest) for (const name of messagesHeard(row.definition)) messages.add(name);
  return {
    processes: latest.map(({ key, name }) => ({ key, name })),
    messages: [...messages].sort(),
  };
}
