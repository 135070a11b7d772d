/**
 * One operation of the REST API as openapi.ts describes it: each area lists its own (core routes in
 * openapi.ts, messages.ts, jobs.ts, hooks.ts) and openapi.ts joins them into the one list that
 * test/integration/api-v1.test.ts checks every route handler against.
 */
import type { z } from 'zod';
import type { AnswerCode } from '../error-answers';

export type JsonSchema = Record<string, unknown>;

/** A refusal an operation may answer with, by its code (each a shared response of the document). */
export type Refusal = Exclude<AnswerCode, 'PRECONDITION_FAILED'>;

export interface Operation {
  method: 'get' | 'post';
  /** Under API_BASE, OpenAPI's way: `/instances/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  /** Needs no key: the document itself, or an inbound webhook (`signed`). */
  public?: true;
  /**
   * Authenticated by a signature with a secret of its own instead of a key (its headers say how):
   * no bearer security, but it answers in the caller's language as keyed operations do.
   */
  signed?: true;
  pathParams?: z.ZodObject;
  headers?: z.ZodObject;
  body?: z.ZodType;
  success: { status: number; description: string; schema?: z.ZodType; headers?: Record<string, JsonSchema> };
  refusals: Refusal[];
}

/**
 * Refusals any keyed operation may answer with: the edge (keyRoute) checks the key and the request's
 * size for every one, and any command may collide with another (409, `retryable`).
 */
export const KEYED: Refusal[] = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_REQUESTS',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
];
