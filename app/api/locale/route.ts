import { isLocale } from '../../_i18n/messages';
import { LOCALE_COOKIE } from '../../server/request';
import { samePath, seeOther } from '../../server/http';

export async function POST(req: Request) {
  const form = await req.formData();
  const locale = form.get('locale');
  const back = String(form.get('back') ?? '/');
  const res = seeOther(samePath(back));
  if (isLocale(locale)) res.cookies.set(LOCALE_COOKIE, locale, { sameSite: 'lax', path: '/', maxAge: 60 * 60 * 24 * 365 });
  return res;
}

