/**
 * The request header through which proxy.ts tells server components the path (and query) of the
 * page asked for: Next gives pages their params, not their URL, and sign-in needs the way back.
 * Only ever used as a same-origin path (samePath), so a client sending it itself gains nothing.
 */
import { samePath } from './http';

export const PATH_HEADER = 'x-trellis-path';

/** The page's path and query as the visitor asked for it, without Next's own `_rsc` cache-buster. */
export function pagePath(url: URL): string {
  const search = new URLSearchParams(url.search);
  search.delete('_rsc');
  const query = search.toString();
  return `${url.pathname}${query ? `?${query}` : ''}`;
}

/** The sign-in page, with the way back to `path` when it is a page of this site other than the inbox (where sign-in goes anyway). */
export function signInPath(path: string | null | undefined): string {
  const back = path ? samePath(path, '/inbox') : '/inbox';
  return back === '/inbox' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(back)}`;
}
