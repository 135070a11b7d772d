import { z } from 'zod';
import { keySchema } from '@/engine';
import { formCatalog } from '../../services/scenarios';
import { getFormDesign, listFormDrafts, publishFormDesign, saveFormDraft } from '../../services/form-designs';
import { designerProcedure, router } from '../init';

/** Designers and admins: the company's forms, as the form designer sees and publishes them. */
const design = designerProcedure('action_designForms');

export const formRouter = router({
  /** The company's forms, the latest version of each. */
  list: design.query(({ ctx }) => formCatalog(ctx.db, ctx.actor.tenantId, ctx.locale)),
  /** A form's latest version as the designer's model. */
  design: design
    .input(z.object({ key: keySchema }))
    .query(({ ctx, input }) => getFormDesign(ctx.db, ctx.actor, input.key)),
  /** The company's form drafts (saved by the designer, not yet published). */
  drafts: design.query(({ ctx }) => listFormDrafts(ctx.db, ctx.actor.tenantId, ctx.locale)),
  /** Saves the designer's model as the form's draft, valid or not; `revision` is the draft's revision last seen (null: none). */
  saveDraft: design
    .input(z.object({ design: z.unknown(), revision: z.number().int().min(1).max(2_147_483_647).nullable() }))
    .mutation(({ ctx, input }) => saveFormDraft(ctx.db, ctx.actor, { design: input.design, revision: input.revision })),
  /** Publishes a designed form as its next version; `baseVersion` is the version opened (null: a new form). */
  publish: design
    .input(z.object({ design: z.unknown(), baseVersion: z.number().int().min(1).max(2_147_483_647).nullable() }))
    .mutation(({ ctx, input }) =>
      publishFormDesign(ctx.db, ctx.actor, { design: input.design, baseVersion: input.baseVersion }),
    ),
});
