'use client';

/** The invitation page's "Join <company>" button: accepts, then opens the company's inbox (the session now works in it). */
import { translator, type Locale } from '../_i18n/messages';
import { useCommand } from './command';
import { trpc } from './trpc';

export function AcceptInvitationButton({ token, company, locale }: { token: string; company: string; locale: Locale }) {
  const t = translator(locale);
  const { busy, message, run } = useCommand();
  return (
    <>
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => run(() => trpc.invitation.accept.mutate({ token }), { goTo: '/inbox' })}
      >
        {busy ? t('inviteAccepting') : t('inviteAccept', { company })}
      </button>
      {message && (
        <div role="alert" className="notice error">
          {message.text}
        </div>
      )}
    </>
  );
}
