/** Demo sign-in and sign-out (form posts, so they work before any JavaScript loads). */
import { getDatabase } from '../../server/database';
import { resolveActor } from '../../server/actor';
import { seeOther } from '../../server/http';
import { SESSION_COOKIE } from '../../server/request';

export async function POST(req: Request) {
  const form = await req.formData();
  if (form.get('action') === 'sign-out') {
    const res = seeOther('/sign-in');
    res.cookies.delete(SESSION_COOKIE);
    return res;
  }
  const userId = String(form.get('userId') ?? '');
  const { db } = await getDatabase();
  const actor = /^[0-9a-f-]{36}$/i.test(userId) ? await resolveActor(db, userId) : null;
  if (!actor) return seeOther('/sign-in?error=unknown-user');
  const res = seeOther('/inbox');
  res.cookies.set(SESSION_COOKIE, actor.userId, { httpOnly: true, sameSite: 'lax', path: '/', secure: new URL(req.url).protocol === 'https:' });
  return res;
}
