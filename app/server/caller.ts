/**
 * Who calls from outside the app: a company's API key, acting as itself. A person is an Actor
 * (actor.ts); a key is never one — it has no user id to act as, only the rights its scopes list
 * and the company that made it. Built by authenticateApiKey (services/api-keys.ts) for each request.
 */
import type { ApiKeyScopes } from '@/db/schema';
import type { Locale } from '../_i18n/messages';

export interface KeyCaller {
  kind: 'apiKey';
  keyId: string;
  tenantId: string;
  /** What the admin called the key ("Kết nối ERP kế toán"): shown in the audit trail beside the prefix. */
  name: string;
  /** The token's public part, which lists and the audit trail show; never enough to call with. */
  prefix: string;
  scopes: ApiKeyScopes;
  /** The admin who created the key: for the record only; the key never acts with their rights. */
  createdBy: string;
}

/** One call of an outside system by its API key: the key, and the language its answers speak. */
export type KeyCall = KeyCaller & { locale: Locale };

/** Whether who acts is a key rather than a person (an Actor has no `kind`). */
export function isKeyCaller<T extends object>(by: T): by is Extract<T, { kind: 'apiKey' }> {
  return 'kind' in by && by.kind === 'apiKey';
}
