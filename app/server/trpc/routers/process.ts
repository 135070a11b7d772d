import { z } from 'zod';
import { decisionSchema, keySchema } from '@/engine';
import {
  decisionCatalog,
  deleteScenario,
  formCatalog,
  peopleCatalog,
  latestDecisions,
  latestForms,
  listScenarios,
  saveScenario,
} from '../../services/scenarios';
import {
  createDraft,
  departmentNames,
  discardDraft,
  exportDraft,
  getDraft,
  getVersion,
  importDraft,
  listProcesses,
  publishDraft,
  publishPreview,
  saveDraft,
  jsonBytes,
  MAX_DRAFT_BYTES,
} from '../../services/drafts';
import { initiatorFor, initiatorOfMember } from '../../services/initiator';
import { designerProcedure, router } from '../init';

/** Designers and admins: the processes as the designer sees them (drafts and published versions). */
const design = designerProcedure('action_designProcesses');
/** Largest file an import takes, as text (BPMN files carry their diagram). */
const MAX_IMPORT_CHARS = 2_000_000;
const content = z.record(z.string(), z.unknown()).refine((v) => jsonBytes(v) <= MAX_DRAFT_BYTES, {
  message: 'The draft is larger than 1 MB as JSON; split the process.',
});
/** A revision the browser saw; at most the int4 column's largest value (beyond it the database would fail, as an internal error). */
const revision = z.number().int().min(1).max(2_147_483_647);

export const processRouter = router({
  /** Every process of the company with a draft or a published version: status, last change and by whom. */
  list: design.query(({ ctx }) => listProcesses(ctx.db, ctx.actor.tenantId)),
  /** The company's departments (keys and names), for the designer's pickers. */
  departments: design.query(({ ctx }) => departmentNames(ctx.db, ctx.actor.tenantId)),
  /** One process: its draft (with its diagnostics and last import report), latest version and versions. */
  get: design
    .input(z.object({ key: keySchema }))
    .query(({ ctx, input }) => getDraft(ctx.db, ctx.actor.tenantId, input.key, ctx.locale)),
  /** One published version (its definition, who published it and when), for the version history and its diffs. */
  version: design
    .input(z.object({ key: keySchema, version: z.number().int().min(1).max(2_147_483_647) }))
    .query(({ ctx, input }) => getVersion(ctx.db, ctx.actor.tenantId, input, ctx.locale)),
  /** What publishing the draft would do besides its diff: the next version's number, and the instances and open tasks that stay on older versions. */
  publishPreview: design
    .input(z.object({ key: keySchema }))
    .query(({ ctx, input }) => publishPreview(ctx.db, ctx.actor.tenantId, input.key, ctx.locale)),
  /** A blank draft, named in English and Vietnamese, in a department. */
  create: design
    .input(
      z.object({
        key: z.string().max(100),
        name: z.object({ en: z.string().max(200), vi: z.string().max(200) }),
        category: z.string().max(100).optional(),
      }),
    )
    .mutation(({ ctx, input }) => createDraft(ctx.db, ctx.actor, input)),
  /** A BPMN or Trellis JSON file as a new draft, with the import's report. */
  import: design
    .input(
      z.object({
        fileName: z.string().min(1).max(300),
        content: z.string().max(MAX_IMPORT_CHARS, 'The file is larger than 2 MB.'),
        key: z.string().max(100).optional(),
      }),
    )
    .mutation(({ ctx, input }) => importDraft(ctx.db, ctx.actor, input)),
  /**
   * Saves the draft over the revision last seen (null: creates it); a stale revision is a CONFLICT
   * naming who saved and when, with `data.details` { revision, savedBy, savedAt } for the client.
   * The first save of a published process names the version it started from (`baseVersion`): a
   * version published since is a CONFLICT naming who published it.
   */
  save: design
    .input(
      z.object({
        key: z.string().max(100),
        revision: revision.nullable(),
        content,
        baseVersion: z.number().int().min(1).max(2_147_483_647).nullable().optional(),
      }),
    )
    .mutation(({ ctx, input }) => saveDraft(ctx.db, ctx.actor, input)),
  /** The draft becomes the next version, with the latest published forms; the draft is removed. */
  publish: design
    .input(z.object({ key: z.string().max(100), revision }))
    .mutation(({ ctx, input }) => publishDraft(ctx.db, ctx.actor, input)),
  /** Removes the draft; the published versions stay. A stale revision is a CONFLICT, no draft NOT_FOUND. */
  discard: design
    .input(z.object({ key: z.string().max(100), revision }))
    .mutation(({ ctx, input }) => discardDraft(ctx.db, ctx.actor, input)),
  /** The test runs kept with the process (scenarios `trellis test` runs), by name. */
  scenarios: design
    .input(z.object({ key: keySchema }))
    .query(({ ctx, input }) => listScenarios(ctx.db, ctx.actor.tenantId, input.key, ctx.locale)),
  /** Keeps a test run under its name (the same name again replaces it). */
  saveScenario: design
    .input(z.object({ key: keySchema, name: z.string().min(1).max(100), content: z.record(z.string(), z.unknown()) }))
    .mutation(({ ctx, input }) => saveScenario(ctx.db, ctx.actor, input)),
  deleteScenario: design
    .input(z.object({ key: keySchema, name: z.string().min(1).max(100) }))
    .mutation(({ ctx, input }) => deleteScenario(ctx.db, ctx.actor, input)),
  /** The latest published version of each form named (a draft's start and task forms), for its test runs. */
  forms: design
    .input(z.object({ keys: z.array(keySchema).max(200) }))
    .query(({ ctx, input }) => latestForms(ctx.db, ctx.actor.tenantId, input.keys)),
  /** The decision tables named (latest version of each, with those they require): what a test run evaluates. */
  decisionTables: design
    .input(z.object({ keys: z.array(decisionSchema.shape.id).max(100) }))
    .query(({ ctx, input }) => latestDecisions(ctx.db, ctx.actor.tenantId, input.keys)),
  /** The company's forms (latest version of each: key, title, version), for the designer's form pickers. */
  formCatalog: design.query(({ ctx }) => formCatalog(ctx.db, ctx.actor.tenantId, ctx.locale)),
  /** The company's decision tables (latest version of each), for a business rule task's picker. */
  decisionCatalog: design.query(({ ctx }) => decisionCatalog(ctx.db, ctx.actor.tenantId)),
  /** The company's members, for a user task's assignee picker. */
  peopleCatalog: design.query(({ ctx }) => peopleCatalog(ctx.db, ctx.actor.tenantId)),
  /** The `initiator` a test run starts with: the caller's own, or that of the member named (the company's only). */
  testInitiator: design
    .input(z.object({ email: z.string().max(320).optional() }))
    .query(({ ctx, input }) =>
      input.email
        ? initiatorOfMember(ctx.db, ctx.actor.tenantId, input.email, ctx.locale)
        : initiatorFor(ctx.db, ctx.actor),
    ),
  /** The draft as canonical JSON or BPMN. */
  export: design
    .input(z.object({ key: keySchema, format: z.enum(['json', 'bpmn']) }))
    .query(({ ctx, input }) => exportDraft(ctx.db, ctx.actor.tenantId, input, ctx.locale)),
});
