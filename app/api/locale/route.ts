import { isLocale } from '../../_i18n/messages';
import { limitRequest } from '../../server/body-limit';
import { readEnv, requestLimits } from '../../server/env';
import { LOCALE_COOKIE, rememberLocale, requestLocale } from '../../server/request';
import { samePath, seeOther } from '../../server/http';

export async function POST(req: Request) {
  // formData() reads the whole body: the request size limits apply first.
  const limited = await limitRequest(req, requestLimits(readEnv()), await requestLocale(), { format: 'plain' });
  if (limited instanceof Response) return limited;
  const form = await limited.formData();
  const locale = form.get('locale');
  const back = String(form.get('back') ?? '/');
  const res = seeOther(samePath(back));
  if (isLocale(locale)) await rememberLocale(locale);
  if (isLocale(locale))
    res.cookies.set(LOCALE_COOKIE, locale, { sameSite: 'lax', path: '/', maxAge: 60 * 60 * 24 * 365 });
  return res;
}
