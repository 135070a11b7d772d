/**
 * A real SMTP server for tests (smtp-server on 127.0.0.1, an ephemeral port, no authentication,
 * no TLS) that records what it receives and refuses mailboxes the way real servers do: 550 for
 * good, 451 for now.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  recipients: string[];
  /** The message as it arrived (headers, blank line, body). */
  raw: string;
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** How the server answers a recipient: 550, 451, or accepts it (undefined). */
  refuse?: (address: string) => 550 | 451 | undefined;
  /** How long the server takes to accept a message, read when each one arrives. */
  delayMs?: () => number;
}

export async function startTestSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = options.refuse?.(address.address);
      if (code === 550)
        return callback(
          Object.assign(new Error('5.1.1 Hộp thư không tồn tại (mailbox does not exist)'), { responseCode: 550 }),
        );
      if (code === 451)
        return callback(Object.assign(new Error('4.2.2 Mailbox full, try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          recipients: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        setTimeout(() => callback(), options.delayMs?.() ?? 0);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
