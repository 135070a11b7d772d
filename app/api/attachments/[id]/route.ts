import { crossSiteRefusal } from '../../../server/csrf';
import { readEnv } from '../../../server/env';
import { answerError, attachmentSettings, contentDisposition, signedIn } from '../../../server/attachment-http';
import { readAttachment, removeAttachment } from '../../../server/services/attachments';

/**
 * Downloads a file, to whoever may read the instance it was sent with (its uploader before that):
 * always as an attachment, typed as sniffed at upload, never sniffed again by the browser.
 */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const who = await signedIn();
  if ('refusal' in who) return who.refusal;
  try {
    const file = await readAttachment(who.ctx.db, who.actor, (await params).id, attachmentSettings().store);
    return new Response(file.bytes as unknown as BodyInit, {
      status: 200,
      headers: {
        'Content-Type': file.mediaType,
        'Content-Length': String(file.bytes.length),
        'Content-Disposition': contentDisposition(file.name),
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, no-store',
      },
    });
  } catch (error) {
    return answerError(error);
  }
}

/** Removes a file its uploader has not sent yet (they chose another); 204. */
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const env = readEnv();
  const refused = crossSiteRefusal(req, env.BETTER_AUTH_URL ? [new URL(env.BETTER_AUTH_URL).origin] : []);
  if (refused) return refused;
  const who = await signedIn();
  if ('refusal' in who) return who.refusal;
  try {
    await removeAttachment(who.ctx.db, who.actor, (await params).id, attachmentSettings().store);
    return new Response(null, { status: 204 });
  } catch (error) {
    return answerError(error);
  }
}
