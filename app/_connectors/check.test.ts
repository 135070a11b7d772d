import { describe, expect, it } from 'vitest';
import { checkConnectorSettings, connectorDiagnostics } from './check';

describe("checkConnectorSettings: the workers' own readers on literal values, the FEEL checker on =FEEL ones", () => {
  it.each([
    // given an http task's settings, then the problems, by setting
    [{ url: 'https://api.example.com/invoices/{invoiceNumber}' }, []],
    [{ url: '=base + "/invoices"' }, []],
    [{}, [['url', /url setting is missing/]]],
    [{ url: 'api.example.com' }, [['url', /not an absolute URL/]]],
    [{ url: 'ftp://files.example.com/x' }, [['url', /only http: and https:/]]],
    [{ url: 'https://u:p@api.example.com' }, [['url', /carries credentials/]]],
    [{ url: 'https://x.example', method: 'FETCH' }, [['method', /use one of GET, POST/]]],
    [{ url: 'https://x.example', body: '{}' }, [['body', /GET request carries no body/]]],
    [{ url: 'https://x.example', method: 'post', body: '{}' }, []],
    [{ url: 'https://x.example', timeoutMs: '60001' }, [['timeoutMs', /from 1 to 60000/]]],
    [{ url: 'https://x.example', resultVariable: 'kết quả' }, [['resultVariable', /not a variable name/]]],
    [{ url: 'https://x.example', headers: '{"Idempotency-Key": "1"}' }, [['headers', /set by the connector/]]],
    [{ url: 'https://x.example', headers: '{"X-Tên": "1"}' }, [['headers', /HTTP does not allow/]]],
    [{ url: 'https://x.example', headers: 'Authorization: Bearer x' }, [['headers', /not valid JSON/]]],
    [{ url: 'https://x.example', headers: '={ "Authorization": "Bearer " + token }' }, []],
    [
      { url: '=base +', methd: 'POST' },
      [
        ['methd', /Unknown setting "methd"/],
        ['url', /not valid FEEL/],
      ],
    ],
  ])('http %j', (settings, expected) => {
    const problems = checkConnectorSettings('http', settings as Record<string, string>);
    expect(problems.map((p) => p.setting)).toEqual(expected.map(([s]) => s));
    problems.forEach((p, i) => expect(p.message).toMatch(expected[i]![1] as RegExp));
  });

  it.each([
    [
      {
        to: 'Nguyễn Thị Lan <lan.nguyen@senvang.example>, ke-toan@senvang.example',
        subject: 'Hóa đơn đã duyệt',
        body: 'Kính gửi anh/chị',
      },
      [],
    ],
    [{ to: '=approverEmail', subject: '="Hóa đơn " + invoiceNumber', body: '="Số tiền " + string(amount)' }, []],
    [
      {},
      [
        ['to', /has no address/],
        ['subject', /missing or empty/],
        ['body', /missing or empty/],
      ],
    ],
    [{ to: 'không phải địa chỉ', subject: 's', body: 'b' }, [['to', /which is not an email address/]]],
    [
      { to: 'a@senvang.example', replyTo: 'a@x.example, b@x.example', subject: 's', body: 'b' },
      [['replyTo', /give one/]],
    ],
    [{ to: 'a@senvang.example', subject: 's'.repeat(1001), body: 'b' }, [['subject', /keep it under 1000/]]],
  ])('email %j', (settings, expected) => {
    const problems = checkConnectorSettings('email', settings as Record<string, string>);
    expect(problems.map((p) => p.setting)).toEqual(expected.map(([s]) => s));
    problems.forEach((p, i) => expect(p.message).toMatch(expected[i]![1] as RegExp));
  });

  it("a worker's task type is not ours to check", () => {
    expect(checkConnectorSettings('payment-service', { anything: 'goes' })).toEqual([]);
    expect(checkConnectorSettings(undefined, {})).toEqual([]);
  });

  it('hostile input stays bounded: a long address list and a long url are read in linear time', () => {
    const many = Array.from({ length: 5_000 }, (_, i) => `a${i}@x.example`).join(', ');
    const started = performance.now();
    expect(checkConnectorSettings('email', { to: many, subject: 's', body: 'b' })).toEqual([]);
    expect(checkConnectorSettings('http', { url: `https://x.example/${'{a}'.repeat(3_000)}` })).toEqual([]);
    // Generous: it is a guard against a catastrophic pattern, not a timing target.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('connectorDiagnostics', () => {
  it('names every service task with a problem, in subprocesses too, and the setting', () => {
    const diagnostics = connectorDiagnostics({
      elements: [
        { id: 'notify', type: 'serviceTask', taskType: 'email', settings: { to: 'lan', subject: 's', body: 'b' } },
        {
          id: 'sub',
          type: 'subProcess',
          elements: [{ id: 'call', type: 'serviceTask', taskType: 'http', settings: {} }],
        },
        { id: 'pay', type: 'serviceTask', taskType: 'payment-service' },
      ],
    });
    expect(diagnostics).toEqual([
      expect.objectContaining({
        ruleId: 'connector-settings',
        elementId: 'notify',
        path: 'settings.to',
        severity: 'error',
      }),
      expect.objectContaining({
        ruleId: 'connector-settings',
        elementId: 'call',
        path: 'settings.url',
        severity: 'error',
        message: expect.stringContaining('url setting is missing'),
      }),
    ]);
  });
});
