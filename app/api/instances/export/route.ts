import { answerError, errorResponse, signedIn } from '../../../server/attachment-http';
import { exportFileName, instancesCsv } from '../../../server/services/instance-export';
import { filterFromQuery, requireInstanceScope } from '../../../server/services/instance-list';
import { translator } from '../../../_i18n/messages';

/**
 * The instances list as CSV, with the page's filters (its query string) and its rule of who sees
 * what: 401 signed out, 403 for a member who may not see the list, 400 for a filter value that is
 * not one (named), else the file, streamed (instance-export.ts).
 */
export async function GET(req: Request): Promise<Response> {
  const who = await signedIn();
  if ('refusal' in who) return who.refusal;
  try {
    const scope = requireInstanceScope(who.actor);
    const params = new URL(req.url).searchParams;
    const { filter, problems } = filterFromQuery((name) => params.get(name) ?? undefined);
    if (problems.length > 0)
      return errorResponse(
        'BAD_REQUEST',
        translator(who.actor.locale)('runnerErrFilter', { fields: problems.join(', ') }),
      );
    return new Response(instancesCsv(who.ctx.db, who.actor, scope, filter), {
      status: 200,
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${exportFileName(new Date())}"`,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (error) {
    return answerError(error);
  }
}
