import { NextResponse } from 'next/server';

/** A relative redirect: the browser stays on the host it used (localhost and 127.0.0.1 keep separate cookies). */
export function seeOther(path: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { Location: path } });
}

/**
 * Only a path on this site, never another origin (browsers drop tabs and read \\ as /): it starts
 * with one "/" (not "//" or "/\\") and holds no space or backslash; anything else is `fallback`.
 */
export function samePath(back: string, fallback = '/'): string {
  const base = 'http://trellis.invalid';
  try {
    const url = new URL(back, base);
    return url.origin === base && /^\/[^/\\]/.test(back) && !/[\s\\]/.test(back)
      ? `${url.pathname}${url.search}`
      : fallback;
  } catch {
    return fallback;
  }
}
