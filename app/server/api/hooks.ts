/**
 * The REST API's inbound webhooks (/hooks/…): their operations as openapi.ts describes them.
 */
import type { Operation } from './operation';

export const hookOperations: Operation[] = [];
