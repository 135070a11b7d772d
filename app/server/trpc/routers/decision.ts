import { z } from 'zod';
import { decisionSchema } from '@/engine';
import { getDecisionTable, listDecisionTables, publishDecisionTable } from '../../services/decision-tables';
import { designerProcedure, router } from '../init';

/** Designers and admins: the company's decision tables, as the table editor opens and publishes them. */
const design = designerProcedure('action_designDecisions');
const key = decisionSchema.shape.id;

export const decisionRouter = router({
  /** The company's decision tables, the latest version of each. */
  list: design.query(({ ctx }) => listDecisionTables(ctx.db, ctx.actor.tenantId)),
  /** A table's latest version. */
  get: design.input(z.object({ key })).query(({ ctx, input }) => getDecisionTable(ctx.db, ctx.actor, input.key)),
  /** Publishes an edited table as its next version; `baseVersion` is the version opened (null: a new table). */
  publish: design
    .input(z.object({ decision: z.unknown(), baseVersion: z.number().int().min(1).max(2_147_483_647).nullable() }))
    .mutation(({ ctx, input }) =>
      publishDecisionTable(ctx.db, ctx.actor, { decision: input.decision, baseVersion: input.baseVersion }),
    ),
});
