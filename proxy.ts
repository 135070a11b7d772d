/**
 * Runs before every page (not the API, not Next's files): tells the page which path it was asked
 * for (request-path.ts), so a signed-out visitor sent to sign in comes back to it. Nothing else:
 * access is checked by the pages and procedures themselves.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { PATH_HEADER, pagePath } from './app/server/request-path';

export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set(PATH_HEADER, pagePath(request.nextUrl));
  return NextResponse.next({ request: { headers } });
}

export const config = {
  matcher: ['/((?!api/|_next/|favicon\\.ico|icon\\.svg).*)'],
};
