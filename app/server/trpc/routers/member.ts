import { z } from 'zod';
import { memberRoles } from '@/db/schema';
import { listMembers, removeMember, setMemberRole } from '../../services/members';
import { companyDirectory } from '../../services/directory';
import { adminProcedure, memberProcedure, router } from '../init';

/** Who belongs to the company and with which role: admins only. */
const adminOnly = adminProcedure('action_manageMembers');

export const memberRouter = router({
  /** The company's people (name, e-mail) and departments (key, name): what a form's person and department fields offer. Any member. */
  directory: memberProcedure.query(({ ctx }) => companyDirectory(ctx.db, ctx.actor)),
  /** The company's members with their role, title and departments. */
  list: adminOnly.query(({ ctx }) => listMembers(ctx.db, ctx.actor)),
  /** Changes a member's role; the last admin cannot be demoted (PRECONDITION_FAILED naming `role`). */
  setRole: adminOnly
    .input(z.object({ userId: z.uuid(), role: z.enum(memberRoles) }))
    .mutation(({ ctx, input }) => setMemberRole(ctx.db, ctx.actor, input)),
  /** Revokes a membership (audited): the user is refused on their next request. Not the last admin. */
  remove: adminOnly
    .input(z.object({ userId: z.uuid() }))
    .mutation(({ ctx, input }) => removeMember(ctx.db, ctx.actor, input)),
});
