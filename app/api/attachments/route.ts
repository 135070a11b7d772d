import { limitRequest } from '../../server/body-limit';
import { crossSiteRefusal } from '../../server/csrf';
import { readEnv, requestLimits } from '../../server/env';
import { answerError, attachmentSettings, signedIn } from '../../server/attachment-http';
import { uploadAttachment, uploadCaseFile } from '../../server/services/attachments';

/**
 * Uploads one file for a form: the body is the file's bytes, the query says its name and what it
 * is for (`taskId`, or `definitionKey` for a start form; `instanceId` for the case itself, beside its comments). Answers 201 with the reference a file
 * field holds; a file past the limit is refused unread past it (413).
 */
export async function POST(req: Request): Promise<Response> {
  const env = readEnv();
  const refused = crossSiteRefusal(req, env.BETTER_AUTH_URL ? [new URL(env.BETTER_AUTH_URL).origin] : []);
  if (refused) return refused;
  const who = await signedIn();
  if ('refusal' in who) return who.refusal;
  const { limits, store } = attachmentSettings();
  const limited = await limitRequest(req, { ...requestLimits(env), maxBodyBytes: limits.fileBytes }, who.actor.locale, {
    format: 'plain',
  });
  if (limited instanceof Response) return limited;
  const url = new URL(req.url);
  const taskId = url.searchParams.get('taskId') ?? undefined;
  const definitionKey = url.searchParams.get('definitionKey') ?? undefined;
  const caseId = url.searchParams.get('instanceId');
  try {
    const bytes = new Uint8Array(await limited.arrayBuffer());
    // A file for the case itself (beside its comments), not for a form's field.
    if (caseId !== null)
      return Response.json(
        await uploadCaseFile(
          who.ctx.db,
          who.actor,
          { instanceId: caseId, name: url.searchParams.get('name') ?? '', bytes },
          limits,
          store,
        ),
        { status: 201, headers: { 'Cache-Control': 'no-store' } },
      );
    const ref = await uploadAttachment(
      who.ctx.db,
      who.actor,
      {
        ...(taskId !== undefined ? { taskId } : {}),
        ...(definitionKey !== undefined ? { definitionKey } : {}),
        name: url.searchParams.get('name') ?? '',
        bytes,
      },
      limits,
      store,
    );
    return Response.json(ref, { status: 201, headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return answerError(error);
  }
}
