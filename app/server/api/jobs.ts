/**
 * The REST API's external job workers (/jobs/…): their operations as openapi.ts describes them.
 */
import type { Operation } from './operation';

export const jobOperations: Operation[] = [];
