import { z } from 'zod';
import { memberRoles } from '@/db/schema';
import { authBaseURL, emailSettings, readEnv } from '../../env';
import { sendSystemEmail } from '../../services/system-mail';
import {
  acceptInvitation,
  createInvitation,
  listInvitations,
  previewInvitation,
  revokeInvitation,
} from '../../services/invitations';
import { switchCompany } from '../../services/accounts';
import { accountProcedure, adminProcedure, publicProcedure, router } from '../init';

/** Inviting people into the company: admins only. */
const adminOnly = adminProcedure('action_inviteMembers');

/** A link's token: the service says "not valid" for anything that is not one, so the input only bounds it. */
const byToken = z.object({ token: z.string().max(200) });

/**
 * The app's public origin, for the link in the email: BETTER_AUTH_URL (required in production,
 * where the server does not start without it). Only in development without it, the origin the
 * admin's browser used; outside a request, localhost.
 */
async function appUrl(): Promise<string> {
  const configured = authBaseURL(readEnv());
  if (configured) return configured;
  try {
    const { headers } = await import('next/headers');
    const h = await headers();
    const host = h.get('x-forwarded-host') ?? h.get('host');
    if (host) return `${h.get('x-forwarded-proto') === 'https' ? 'https' : 'http'}://${host}`;
  } catch {
    // Not inside a request (tests, scripts).
  }
  return 'http://localhost:3000';
}

export const invitationRouter = router({
  /** Invites an address with a role and departments; the link (valid 7 days, once) goes out through the company's outbox. */
  create: adminOnly
    .input(
      z.object({
        email: z.string().max(320),
        role: z.enum(memberRoles),
        groupIds: z.array(z.uuid()).max(100).default([]),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const created = await createInvitation(ctx.db, ctx.actor, input, { appUrl: await appUrl() });
      // Sent now when an SMTP server is configured (else it waits in the outbox); not awaited: the admin need not wait for SMTP.
      void sendSystemEmail(ctx.db, created.emailId, ctx.email ?? emailSettings(readEnv())).catch((error: unknown) =>
        console.error('invitation email:', (error as Error).message),
      );
      return created;
    }),
  /** Open invitations (not accepted, not revoked), expired ones flagged. */
  list: adminOnly.query(({ ctx }) => listInvitations(ctx.db, ctx.actor)),
  /** Withdraws an open invitation: its link stops working. */
  revoke: adminOnly
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => revokeInvitation(ctx.db, ctx.actor, input.id)),
  /** For the invitation page, to anyone holding a usable link: company name, role and address only. */
  preview: publicProcedure.input(byToken).query(({ ctx, input }) => previewInvitation(ctx.db, input.token, ctx.locale)),
  /**
   * Joins the invitation's company, signed in with the invited address (in any company or none);
   * the link then stops working. In a browser session the company becomes the active one, so the
   * next page is its inbox.
   */
  accept: accountProcedure.input(byToken).mutation(async ({ ctx, input }) => {
    const joined = await acceptInvitation(ctx.db, { userId: ctx.userId, locale: ctx.locale }, input.token);
    if (ctx.sessionId)
      await switchCompany(ctx.db, {
        sessionId: ctx.sessionId,
        userId: ctx.userId,
        tenantId: joined.tenantId,
        locale: ctx.locale,
      });
    return joined;
  }),
});
