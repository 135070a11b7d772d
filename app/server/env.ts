/** Environment, parsed once. */
import { z } from 'zod';

const schema = z.object({
  /** postgres://… to use PostgreSQL; unset for embedded PGlite. */
  DATABASE_URL: z.string().url().optional(),
  /** PGlite data folder (default .data/pglite). */
  PGLITE_DATA_DIR: z.string().optional(),
  /** "off" to skip seeding the demo company on first start. */
  TRELLIS_SEED: z.enum(['demo', 'off']).default('demo'),
  /** "off" when separate `trellis worker` processes run the jobs (scale-out); by default the app runs one. */
  TRELLIS_WORKER: z.enum(['on', 'off']).default('on'),
  /** Private addresses the HTTP connector and webhook deliveries may reach (IPs, CIDR ranges, host names), comma-separated; none by default. */
  TRELLIS_HTTP_ALLOW: z.string().default(''),
  /** smtp://user:pass@host:587 (or smtps://…:465) to send the email connector's mail; unset: it stays in the outbox. */
  TRELLIS_SMTP_URL: z.string().optional(),
  /** The sender of emails whose task names none, e.g. "Trellis <no-reply@example.com>". */
  TRELLIS_MAIL_FROM: z.string().optional(),
  /** "1": with TRELLIS_SMTP_URL set, the worker sends emails held in the outbox (20 a minute, those older than 10 minutes). */
  TRELLIS_SEND_HELD_MAIL: z.enum(['0', '1', '']).default('0'),
});

export type Env = z.infer<typeof schema>;

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = schema.safeParse({ ...source, DATABASE_URL: source.DATABASE_URL || undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Environment variable ${issue.path.join('.')} is invalid: ${issue.message}`);
  }
  return parsed.data;
}

/** The HTTP connector's allow-list from the environment. */
export function httpAllowList(env: Env): string[] {
  return env.TRELLIS_HTTP_ALLOW.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The SMTP server and default sender, as the email connector and outbox.send take them. */
export interface EmailSettings {
  smtpUrl?: string;
  from?: string;
}

/** The email connector's server settings from the environment (empty values count as unset). */
export function emailSettings(env: Env): EmailSettings {
  const smtpUrl = env.TRELLIS_SMTP_URL?.trim();
  const from = env.TRELLIS_MAIL_FROM?.trim();
  return { ...(smtpUrl ? { smtpUrl } : {}), ...(from ? { from } : {}) };
}

/** The held-mail sweep's server settings: set when TRELLIS_SEND_HELD_MAIL=1 and an SMTP server is configured. */
export function heldMailSettings(env: Env): (EmailSettings & { smtpUrl: string }) | null {
  const settings = emailSettings(env);
  return env.TRELLIS_SEND_HELD_MAIL === '1' && settings.smtpUrl ? { ...settings, smtpUrl: settings.smtpUrl } : null;
}
