import { describe, expect, it } from 'vitest';
import { createAddressPolicy, parseAddress } from './address-policy';

describe('address policy without an allow-list', () => {
  const policy = createAddressPolicy();

  const denied: Array<[string, RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['10.0.0.1', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /carrier-grade/],
    ['0.0.0.0', /unspecified/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['[::1]', /loopback/],
    ['fc00::1', /private/],
    ['fd12:3456::1', /private/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['ff02::1', /multicast/],
    ['2001:0:4136:e378::1', /Teredo/],
    // IPv6 forms carrying a denied IPv4 address
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:7f00:1', /loopback/],
    ['::ffff:169.254.169.254', /link-local/],
    ['::ffff:0:10.0.0.1', /private/],
    ['::127.0.0.1', /loopback/],
    ['64:ff9b::10.0.0.1', /private/],
    ['2002:c0a8:0101::1', /private/], // 6to4 of 192.168.1.1
  ];
  it.each(denied)('refuses %s', (address, reason) => {
    expect(policy.refusal(address, address)).toMatch(reason);
  });

  const allowed = [
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:0808:0808::1',
  ];
  it.each(allowed)('lets %s through', (address) => {
    expect(policy.refusal(address, 'api.example.com')).toBeNull();
  });
});

describe('address policy with an allow-list', () => {
  const policy = createAddressPolicy(['127.0.0.1', '10.1.2.0/24', 'Intranet.Example', '[fd00::5]']);

  it('opens listed addresses and ranges, and the IPv6 forms of a listed IPv4 address', () => {
    expect(policy.refusal('127.0.0.1', '127.0.0.1')).toBeNull();
    expect(policy.refusal('::ffff:127.0.0.1', '::ffff:127.0.0.1')).toBeNull();
    expect(policy.refusal('10.1.2.200', 'svc.internal')).toBeNull();
    expect(policy.refusal('fd00::5', 'fd00::5')).toBeNull();
  });

  it('opens nothing next to them', () => {
    expect(policy.refusal('127.0.0.2', '127.0.0.2')).toMatch(/loopback/);
    expect(policy.refusal('10.1.3.1', 'svc.internal')).toMatch(/private/);
    expect(policy.refusal('fd00::6', 'fd00::6')).toMatch(/private/);
  });

  it('opens every address of a listed host name (case and a trailing dot do not matter), and only for that name', () => {
    expect(policy.refusal('192.168.7.7', 'intranet.example')).toBeNull();
    expect(policy.refusal('192.168.7.7', 'INTRANET.example.')).toBeNull();
    expect(policy.refusal('192.168.7.7', 'other.example')).toMatch(/private/);
    expect(policy.refusal('192.168.7.7', 'api.intranet.example')).toMatch(/private/);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/x', 'http://intranet.example', '1.2.3.4/8/9', ''])(
    'rejects the malformed entry %j',
    (entry) => {
      expect(() => createAddressPolicy([entry])).toThrow(/Allow-list entry/);
    },
  );
});

describe('parseAddress', () => {
  it('reads IPv6 shorthand, brackets, zones and trailing dotted IPv4', () => {
    expect(parseAddress('::1')).toEqual({ family: 6, value: 1n });
    expect(parseAddress('[::1]')).toEqual({ family: 6, value: 1n });
    expect(parseAddress('fe80::1%lo')).toEqual({ family: 6, value: (0xfe80n << 112n) | 1n });
    expect(parseAddress('::ffff:127.0.0.1')).toEqual(parseAddress('::ffff:7f00:1'));
    expect(parseAddress('1:2:3:4:5:6:7:8')).toEqual({ family: 6, value: 0x0001_0002_0003_0004_0005_0006_0007_0008n });
    expect(parseAddress('192.168.0.1')).toEqual({ family: 4, value: 0xc0a8_0001n });
    expect(parseAddress('localhost')).toBeNull();
    expect(parseAddress('127.1')).toBeNull();
  });
});
