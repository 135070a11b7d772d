'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import type { Locale } from '../_i18n/messages';

/** EN / VI buttons; a plain form post, so it works before hydration. */
export function LocaleSwitch({ current, label }: { current: Locale; label: string }) {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const back = search ? `${pathname}?${search}` : pathname;
  return (
    <form method="post" action="/api/locale" className="locale-switch" aria-label={label}>
      <input type="hidden" name="back" value={back} />
      <button type="submit" name="locale" value="vi" aria-pressed={current === 'vi'} lang="vi">
        VI
      </button>
      <button type="submit" name="locale" value="en" aria-pressed={current === 'en'} lang="en">
        EN
      </button>
    </form>
  );
}
