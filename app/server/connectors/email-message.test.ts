/**
 * The email task's settings, as data: what a designer may write (valid) and what is refused,
 * with the message that names the setting to fix (invalid). Every refusal is INVALID_SETTINGS
 * and not retryable: sending again cannot help, so the job becomes an incident at once.
 */
import { describe, expect, it } from 'vitest';
import { evaluateExpression } from '@/engine';
import { EmailConnectorError } from './email-error';
import { formatMailbox, MAX_RECIPIENTS, parseMailbox, readEmailMessage, type EmailMessage } from './email-message';

const base = {
  to: 'lan.nguyen@senvang.example',
  subject: 'Hóa đơn HD-0042',
  body: 'Kính gửi chị Lan,\nHóa đơn đã được duyệt.',
};

const valid: Array<{ name: string; settings: Record<string, unknown>; expect: Partial<EmailMessage> }> = [
  {
    name: 'one address, Vietnamese subject and body kept as they are',
    settings: base,
    expect: {
      to: [{ name: '', address: 'lan.nguyen@senvang.example' }],
      cc: [],
      bcc: [],
      from: null,
      replyTo: null,
      subject: 'Hóa đơn HD-0042',
      body: 'Kính gửi chị Lan,\nHóa đơn đã được duyệt.',
    },
  },
  {
    name: 'comma- and semicolon-separated lists with Vietnamese display names, a quoted name with a comma',
    settings: {
      ...base,
      to: 'Nguyễn Thị Lan <lan@senvang.example>, hung@senvang.example',
      cc: '"Trần, Văn Hùng" <hung.tran@senvang.example>; ketoan@senvang.example',
    },
    expect: {
      to: [
        { name: 'Nguyễn Thị Lan', address: 'lan@senvang.example' },
        { name: '', address: 'hung@senvang.example' },
      ],
      cc: [
        { name: 'Trần, Văn Hùng', address: 'hung.tran@senvang.example' },
        { name: '', address: 'ketoan@senvang.example' },
      ],
    },
  },
  {
    name: 'a FEEL list (as the runtime evaluates `=[...]`)',
    settings: {
      ...base,
      to: evaluateExpression('[approver, "Kế toán <ketoan@senvang.example>"]', { approver: 'quan.do@senvang.example' })
        .value,
    },
    expect: {
      to: [
        { name: '', address: 'quan.do@senvang.example' },
        { name: 'Kế toán', address: 'ketoan@senvang.example' },
      ],
    },
  },
  {
    name: 'from and replyTo, bcc; a Unicode domain',
    settings: {
      ...base,
      from: 'Phòng Kế toán <ketoan@senvang.example>',
      replyTo: 'hotro@công-ty.vn',
      bcc: 'luu-tru@senvang.example',
    },
    expect: {
      from: { name: 'Phòng Kế toán', address: 'ketoan@senvang.example' },
      replyTo: { name: '', address: 'hotro@công-ty.vn' },
      bcc: [{ name: '', address: 'luu-tru@senvang.example' }],
    },
  },
  {
    name: 'a line break in the subject (say, from a form field) becomes a space',
    settings: { ...base, subject: 'Hóa đơn\r\n  HD-0042' },
    expect: { subject: 'Hóa đơn HD-0042' },
  },
  { name: 'numbers are text enough for a subject', settings: { ...base, subject: 42 }, expect: { subject: '42' } },
  {
    name: 'empty optional settings are absent',
    settings: { ...base, cc: '', bcc: null, replyTo: '' },
    expect: { cc: [], bcc: [], replyTo: null },
  },
];

const invalid: Array<{ name: string; settings: Record<string, unknown>; message: string | RegExp }> = [
  { name: 'no to', settings: { subject: 's', body: 'b' }, message: 'The to setting has no address' },
  {
    name: 'to evaluated to null (a missing variable)',
    settings: { ...base, to: null },
    message: 'The to setting has no address',
  },
  {
    name: 'not an address',
    settings: { ...base, to: 'Lan' },
    message: 'The to setting has "Lan", which is not an email address',
  },
  {
    name: 'no domain',
    settings: { ...base, to: 'lan@' },
    message: 'The to setting has "lan@": "lan@" is not a valid email address',
  },
  {
    name: 'no dot in the domain',
    settings: { ...base, cc: 'ok@senvang.example, lan@localhost' },
    message: 'The cc setting has "lan@localhost"',
  },
  {
    name: 'two @',
    settings: { ...base, bcc: 'a@b@senvang.example' },
    message: 'The bcc setting has "a@b@senvang.example"',
  },
  {
    name: 'a space in an address (read as a name and another address)',
    settings: { ...base, to: 'lan nguyen@senvang.example' },
    message: 'The to setting has "lan nguyen@senvang.example", which is not one email address',
  },
  {
    name: 'a quoted local part',
    settings: { ...base, to: '"lan nguyen"@senvang.example' },
    message: 'The to setting has',
  },
  {
    name: 'a list item that is a number',
    settings: { ...base, to: ['lan@senvang.example', 42] },
    message: 'The to setting is a list whose item 2 is a number',
  },
  {
    name: 'a context',
    settings: { ...base, cc: { email: 'lan@senvang.example' } },
    message: 'The cc setting is a context',
  },
  {
    name: 'two senders',
    settings: { ...base, from: 'a@senvang.example, b@senvang.example' },
    message: 'The from setting has 2 addresses; give one.',
  },
  {
    name: 'a bad replyTo',
    settings: { ...base, replyTo: 'hỗ trợ' },
    message: 'The replyTo setting has "hỗ trợ", which is not an email address',
  },
  {
    name: 'control characters in an address',
    settings: { ...base, to: 'Lan\u0000 <lan@senvang.example>' },
    message: 'The to setting contains control characters',
  },
  { name: 'no subject', settings: { ...base, subject: undefined }, message: 'The subject setting is missing or empty' },
  {
    name: 'a blank subject',
    settings: { ...base, subject: '   ' },
    message: 'The subject setting is missing or empty',
  },
  {
    name: 'a list as subject',
    settings: { ...base, subject: ['a'] },
    message: 'The subject setting is a list; it must be text',
  },
  {
    name: 'a subject too long',
    settings: { ...base, subject: 'x'.repeat(1_001) },
    message: 'The subject setting is 1001 characters long',
  },
  { name: 'no body', settings: { ...base, body: undefined }, message: 'The body setting is missing or empty' },
  {
    name: 'a body too long',
    settings: { ...base, body: 'x'.repeat(100_001) },
    message: 'The body setting is 100001 characters long',
  },
  {
    name: 'unknown settings',
    settings: { ...base, html: '<b>hi</b>', attachments: 'x' },
    message:
      'Unknown settings "html", "attachments" on an email task; the settings are to, cc, bcc, subject, body, from, replyTo.',
  },
  {
    name: 'too many recipients',
    settings: {
      ...base,
      to: Array.from({ length: MAX_RECIPIENTS }, (_, i) => `nv${i}@senvang.example`),
      cc: 'one.more@senvang.example',
    },
    message: `The email has ${MAX_RECIPIENTS + 1} recipients (to, cc and bcc); at most ${MAX_RECIPIENTS}`,
  },
];

describe('email task settings', () => {
  it.each(valid)('accepts $name', ({ settings, expect: expected }) => {
    expect(readEmailMessage(settings)).toMatchObject(expected);
  });

  it.each(invalid)('refuses $name, naming the setting', ({ settings, message }) => {
    let thrown: unknown;
    try {
      readEmailMessage(settings);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EmailConnectorError);
    expect(thrown).toMatchObject({ code: 'INVALID_SETTINGS', retryable: false });
    if (typeof message === 'string') expect((thrown as Error).message).toContain(message);
    else expect((thrown as Error).message).toMatch(message);
  });

  it("uses the server's sender when the task names none, the task's when it does", () => {
    const server = parseMailbox('Trellis Sen Vàng <no-reply@senvang.example>', 'TRELLIS_MAIL_FROM');
    expect(readEmailMessage(base, { from: server }).from).toEqual({
      name: 'Trellis Sen Vàng',
      address: 'no-reply@senvang.example',
    });
    expect(readEmailMessage({ ...base, from: 'ketoan@senvang.example' }, { from: server }).from).toEqual({
      name: '',
      address: 'ketoan@senvang.example',
    });
    expect(() => parseMailbox('a@senvang.example, b@senvang.example', 'TRELLIS_MAIL_FROM')).toThrow(
      'TRELLIS_MAIL_FROM must be one address',
    );
  });

  it('formats addresses as they are stored and shown, quoting names that need it, and reads them back the same', () => {
    const boxes = [
      { name: 'Nguyễn Thị Lan', address: 'lan@senvang.example' },
      { name: 'Trần, Văn "Hùng"', address: 'hung@senvang.example' },
      { name: '', address: 'ketoan@senvang.example' },
    ];
    expect(boxes.map(formatMailbox)).toEqual([
      'Nguyễn Thị Lan <lan@senvang.example>',
      '"Trần, Văn \\"Hùng\\"" <hung@senvang.example>',
      'ketoan@senvang.example',
    ]);
    expect(readEmailMessage({ ...base, to: boxes.map(formatMailbox) }).to).toEqual(boxes);
  });
});
