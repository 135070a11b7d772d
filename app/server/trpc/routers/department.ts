import { z } from 'zod';
import {
  addDepartmentMember,
  createDepartment,
  deleteDepartment,
  listDepartments,
  removeDepartmentMember,
  renameDepartment,
  setDepartmentManager,
} from '../../services/members';
import { adminProcedure, router } from '../init';

/** Departments (groups) decide who is offered which tasks: admins only. */
const adminOnly = adminProcedure('action_manageDepartments');

/** Names in both languages; emptiness and length are checked by the service, which names the field. */
const name = z.object({ en: z.string().max(1_000), vi: z.string().max(1_000) });
const membership = z.object({ groupId: z.uuid(), userId: z.uuid() });

export const departmentRouter = router({
  /** The company's departments with their members and manager. */
  list: adminOnly.query(({ ctx }) => listDepartments(ctx.db, ctx.actor)),
  /** A new department; `key` is what process definitions name as a candidate group. */
  create: adminOnly
    .input(z.object({ key: z.string().max(200), name }))
    .mutation(({ ctx, input }) => createDepartment(ctx.db, ctx.actor, input)),
  /** New English and Vietnamese names; the key stays. */
  rename: adminOnly
    .input(z.object({ id: z.uuid(), name }))
    .mutation(({ ctx, input }) => renameDepartment(ctx.db, ctx.actor, input)),
  /** Deletes a department that has no members. */
  delete: adminOnly
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteDepartment(ctx.db, ctx.actor, input)),
  addMember: adminOnly.input(membership).mutation(({ ctx, input }) => addDepartmentMember(ctx.db, ctx.actor, input)),
  removeMember: adminOnly
    .input(membership)
    .mutation(({ ctx, input }) => removeDepartmentMember(ctx.db, ctx.actor, input)),
  /** Makes a member the manager (null: none); a previous manager stays a member. */
  setManager: adminOnly
    .input(z.object({ groupId: z.uuid(), userId: z.uuid().nullable() }))
    .mutation(({ ctx, input }) => setDepartmentManager(ctx.db, ctx.actor, input)),
});
