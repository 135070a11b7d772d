import { z } from 'zod';
import { localize } from '@/engine';
import { departmentsOf } from '@/engine/packs/pack';
import { translator } from '../../../_i18n/messages';
import { AppError } from '../../errors';
import { importPack, templateOriginsOf, upgradeTemplate } from '../../services/packs';
import { libraryPack, libraryPackKeys } from '../../templates';
import { designerProcedure, router } from '../init';

/** The template library (definitions/<department>/pack.json) and importing packs: designers and admins (creating departments on the way: admins). */
const design = designerProcedure('action_importTemplates');
const options = {
  departments: z.record(z.string().max(64), z.string().max(64)).optional(),
  createDepartments: z.boolean().optional(),
  publish: z.boolean().optional(),
  templates: z.array(z.string().max(64)).max(100).optional(),
};

export const templateRouter = router({
  /** The library's packs: manifest, and each template's name, description, forms and README. */
  library: design.query(async ({ ctx }) => {
    const packs = [];
    for (const key of libraryPackKeys()) {
      const built = await libraryPack(key);
      if (!built) continue;
      const { manifest, templates } = built.pack;
      packs.push({
        ...manifest,
        templates: templates.map((tpl) => ({
          key: tpl.key,
          name: localize(tpl.definition.name, ctx.actor.locale) ?? tpl.key,
          description: tpl.definition.description
            ? (localize(tpl.definition.description, ctx.actor.locale) ?? null)
            : null,
          forms: tpl.forms.map((f) => f.key),
          decisions: tpl.decisions.map((d) => d.id),
          /** The pack's departments this template names (what importing it alone needs mapped). */
          departments: [...new Set(departmentsOf(tpl.definition).map((d) => d.key))].sort(),
          readme: tpl.readme,
          definition: tpl.definition,
        })),
      });
    }
    return packs;
  }),
  /** Imports a pack of the library by its key (see importPack). */
  importLibrary: design.input(z.object({ pack: z.string().max(64), ...options })).mutation(async ({ ctx, input }) => {
    const built = await libraryPack(input.pack);
    if (!built) throw new AppError('NOT_FOUND', translator(ctx.actor.locale)('packNoTemplate', { key: input.pack }));
    const { pack: _key, ...rest } = input;
    return importPack(ctx.db, ctx.actor, { ...rest, pack: built.text });
  }),
  /** Imports a pack file the caller sends (its text; the request's size limit applies). */
  import: design
    .input(z.object({ pack: z.string().max(10_000_000), ...options }))
    .mutation(({ ctx, input }) => importPack(ctx.db, ctx.actor, input)),
  /**
   * Upgrades a process that came from the library to its pack's version there now: `preview` says
   * what the template changed and which of those the company changed too; otherwise a new draft
   * with the changes `take` chooses (by default every change that meets no local one).
   */
  upgrade: design
    .input(
      z.object({
        processKey: z.string().max(64),
        take: z.record(z.string().max(200), z.boolean()).optional(),
        preview: z.boolean().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const [origin] = (await templateOriginsOf(ctx.db, ctx.actor)).filter((o) => o.processKey === input.processKey);
      const built = origin ? await libraryPack(origin.packKey) : null;
      if (!origin || !built)
        throw new AppError('NOT_FOUND', translator(ctx.actor.locale)('packNotFromTemplate', { key: input.processKey }));
      return upgradeTemplate(ctx.db, ctx.actor, { pack: built.text, ...input });
    }),
  /** The company's processes that came from the library, and the pack version each came from. */
  origins: design.query(({ ctx }) => templateOriginsOf(ctx.db, ctx.actor)),
});
