import { asc, eq } from 'drizzle-orm';
import { groupMembers, groups, memberships, tenants, users } from '@/db/schema';
import { publicProcedure, router } from '../init';

export const sessionRouter = router({
  /** Who is signed in, or null. */
  me: publicProcedure.query(({ ctx }) => ctx.actor),
  /**
   * The demo sign-in picker: seeded accounts with their company and department.
   * Replaced by real accounts (email + password) in the identity work.
   */
  demoUsers: publicProcedure.query(({ ctx }) =>
    ctx.db
      .select({ id: users.id, displayName: users.displayName, email: users.email, title: memberships.title, role: memberships.role, company: tenants.name, department: groups.name })
      .from(users)
      .innerJoin(memberships, eq(memberships.userId, users.id))
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .leftJoin(groupMembers, eq(groupMembers.userId, users.id))
      .leftJoin(groups, eq(groups.id, groupMembers.groupId))
      .orderBy(asc(users.email)),
  ),
});
