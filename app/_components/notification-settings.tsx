'use client';

/** Per kind of notification, the bell and the e-mail switched on or off (the caller's own, in this company). */
import { useState } from 'react';
import { translator, type Locale, type MessageKey } from '../_i18n/messages';
import { CommandMessage, useCommand } from './command';
import { trpc } from './trpc';

type Setting = { kind: 'assigned' | 'mentioned' | 'due-tomorrow' | 'overdue'; app: boolean; email: boolean };

export function NotificationSettingsForm({ settings, locale }: { settings: Setting[]; locale: Locale }) {
  const t = translator(locale);
  const [rows, setRows] = useState(settings);
  const { busy, message, run } = useCommand();
  const set = (kind: Setting['kind'], field: 'app' | 'email', value: boolean) =>
    setRows((old) => old.map((r) => (r.kind === kind ? { ...r, [field]: value } : r)));
  return (
    <form
      className="panel"
      onSubmit={(e) => {
        e.preventDefault();
        void run(() => trpc.collab.setNotificationSettings.mutate({ settings: rows }), {
          done: () => t('notifySaved'),
        });
      }}
    >
      <table className="list compact">
        <thead>
          <tr>
            <th scope="col">{t('bellLabel')}</th>
            <th scope="col">{t('notifyInApp')}</th>
            <th scope="col">{t('notifyByEmail')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const label = t(`notifyKind_${r.kind}` as MessageKey);
            return (
              <tr key={r.kind}>
                <th scope="row">{label}</th>
                <td>
                  <input
                    type="checkbox"
                    checked={r.app}
                    onChange={(e) => set(r.kind, 'app', e.target.checked)}
                    aria-label={`${label}: ${t('notifyInApp')}`}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={r.email}
                    onChange={(e) => set(r.kind, 'email', e.target.checked)}
                    aria-label={`${label}: ${t('notifyByEmail')}`}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>
        <button type="submit" className="primary" disabled={busy}>
          {t('notifySave')}
        </button>
      </p>
      <CommandMessage message={message} />
    </form>
  );
}
