import { z } from 'zod';
import { keySchema } from '@/engine';
import {
  exportProcess,
  getStartable,
  listStartable,
  publishProcess,
  publishWarnings,
} from '../../services/definitions';
import { designerProcedure, memberProcedure, router } from '../init';

/** Largest definition (and, separately, largest set of forms) publish takes, as JSON text. */
const MAX_PUBLISH_BYTES = 1_000_000;
const withinLimit = (v: unknown) => JSON.stringify(v).length <= MAX_PUBLISH_BYTES;
const jsonObject = z.record(z.string(), z.unknown());

export const definitionRouter = router({
  /** Processes the caller may start (latest version of each). */
  list: memberProcedure.query(({ ctx }) => listStartable(ctx.db, ctx.actor)),
  /** The latest version of one process the caller may start, with its start form. */
  get: memberProcedure
    .input(z.object({ key: keySchema }))
    .query(({ ctx, input }) => getStartable(ctx.db, ctx.actor, input.key)),
  /**
   * Publishes a new version of a process (the JSON definition) with the forms and decision tables
   * it uses, in one transaction; versions are immutable, and pin the forms and decisions they use.
   * Errors name the field (`definition.elements[2].formKey`, `forms.0.schema`, `decisions.0.dmn`).
   * Designers and admins only.
   */
  publish: designerProcedure('action_publishProcesses')
    .input(
      z.object({
        definition: jsonObject.refine(withinLimit, {
          message: 'The definition is larger than 1 MB as JSON; split the process or trim its diagrams.',
        }),
        forms: z.array(jsonObject).max(100).default([]).refine(withinLimit, {
          message: 'The forms are larger than 1 MB as JSON together; publish some of them first.',
        }),
        /** Decision tables its business rule tasks call: `{ dmn: "<DMN XML>" }` for a DMN file, or a decision table as JSON. */
        decisions: z.array(jsonObject).max(100).default([]).refine(withinLimit, {
          message: 'The decisions are larger than 1 MB as JSON together; publish some of them first.',
        }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const row = await publishProcess(ctx.db, ctx.actor.tenantId, input, ctx.actor.userId, ctx.locale);
      const warnings = await publishWarnings(ctx.db, ctx.actor.tenantId, row.definition);
      return { id: row.id, key: row.key, version: row.version, name: row.name, warnings };
    }),
  /** A published version (latest unless `version`) as canonical JSON or BPMN XML, with its forms. Designers and admins only. */
  export: designerProcedure('action_exportProcesses')
    .input(
      z.object({
        key: keySchema,
        version: z.number().int().min(1).optional(),
        format: z.enum(['json', 'bpmn']).default('json'),
      }),
    )
    .query(({ ctx, input }) => exportProcess(ctx.db, ctx.actor.tenantId, input)),
});
