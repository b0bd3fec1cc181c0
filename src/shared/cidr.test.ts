import { describe, expect, it } from 'vitest';
import { AddressAllowList, parseCidr } from './cidr.js';

describe('CIDR allow-list', () => {
  it('parses prefixes and bare addresses', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/8/1')).toBeUndefined();
    expect(parseCidr('10.0.0.0/x')).toBeUndefined();
    expect(parseCidr('host')).toBeUndefined();
  });

  it('allows inside, refuses outside, maps IPv4-mapped IPv6', () => {
    const acl = new AddressAllowList(['127.0.0.0/24', '2001:db8::/32']);
    expect(acl.allows('127.0.0.9')).toBe(true);
    expect(acl.allows('::ffff:127.0.0.9')).toBe(true);
    expect(acl.allows('127.0.1.9')).toBe(false);
    expect(acl.allows('2001:db8::5')).toBe(true);
    expect(acl.allows('2001:db9::5')).toBe(false);
    expect(new AddressAllowList([]).allows('127.0.0.1')).toBe(false);
  });
});
