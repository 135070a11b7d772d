/**
 * The REST API's messages and signals (POST /messages, POST /signals): their operations as openapi.ts describes them.
 */
import type { Operation } from './operation';

export const messageOperations: Operation[] = [];
