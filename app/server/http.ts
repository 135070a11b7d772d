import { NextResponse } from 'next/server';

/** A relative redirect: the browser stays on the host it used (localhost and 127.0.0.1 keep separate cookies). */
export function seeOther(path: string): NextResponse {
  return new NextResponse(null, { status: 303, headers: { Location: path } });
}
