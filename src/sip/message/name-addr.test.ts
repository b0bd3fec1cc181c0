import { describe, expect, it } from 'vitest';
import { parseCSeq } from './cseq.js';
import { formatParams } from './header-params.js';
import { parseNameAddr, splitNameAddr } from './name-addr.js';
import { parseVia } from './via.js';

describe('parseNameAddr (RFC 3261 §20.10)', () => {
  it('reads a quoted display name with escapes and header params', () => {
    const na = parseNameAddr(
      '"A \\"quoted\\" \\\\ name" <sip:a@b;transport=tcp>;tag=xyz;expires=60',
    );
    expect(na.displayName).toBe('A "quoted" \\ name');
    expect(na.uriText).toBe('sip:a@b;transport=tcp');
    expect(na.uri.params.get('transport')).toBe('tcp');
    expect([...na.params]).toEqual([
      ['tag', 'xyz'],
      ['expires', '60'],
    ]);
  });

  it('treats parameters after an addr-spec as header parameters', () => {
    const na = parseNameAddr('sip:a@b;tag=1 ; lr');
    expect(na.uriText).toBe('sip:a@b');
    expect(na.uri.params.size).toBe(0);
    expect([...na.params]).toEqual([
      ['tag', '1'],
      ['lr', null],
    ]);
  });

  it('accepts token display names and quoted parameter values', () => {
    const na = parseNameAddr('Agent Smith <sip:smith@pbx>;+sip.instance="<urn:uuid:1,2>"');
    expect(na.displayName).toBe('Agent Smith');
    expect(na.params.get('+sip.instance')).toBe('"<urn:uuid:1,2>"');
  });

  it('splits any scheme but parses only SIP, SIPS and tel', () => {
    expect(splitNameAddr('<urn:service:sos>').uriText).toBe('urn:service:sos');
    expect(() => parseNameAddr('<urn:service:sos>')).toThrow(/Unsupported URI Scheme/);
  });

  it.each([
    ['"unterminated <sip:a@b>', 'Unterminated'],
    ['Bell, Alexander <sip:a@b>', 'display name'],
    ['<sip:a@b', 'Unterminated <'],
    ['sip:a @b', 'URI'],
    ['<sip:a@b>;=x', 'parameter'],
    ['<sip:a@b> junk', 'parameter'],
  ])('refuses %s', (text, message) => {
    expect(() => splitNameAddr(text)).toThrow(message);
  });

  it('formats parameters back', () => {
    expect(
      formatParams(
        new Map([
          ['tag', 'a'],
          ['lr', null],
        ]),
      ),
    ).toBe(';tag=a;lr');
  });
});

describe('parseVia (RFC 3261 §20.42, RFC 3581)', () => {
  it('reads sent-protocol, sent-by and params with LWS', () => {
    const via = parseVia(
      'SIP / 2.0 / udp  192.0.2.1 : 5062 ; branch = z9hG4bKabc ; rport ; received=[2001:db8::9]',
    );
    expect(via).toMatchObject({
      transport: 'UDP',
      host: '192.0.2.1',
      port: 5062,
      branch: 'z9hG4bKabc',
    });
    expect(via.params.get('rport')).toBeNull();
    expect(via.params.get('received')).toBe('[2001:db8::9]');
    expect(parseVia('SIP/2.0/TCP [2001:db8::1];branch=z9hG4bK1')).toMatchObject({
      host: '[2001:db8::1]',
      port: undefined,
    });
  });

  it.each([
    'SIP/2.0 192.0.2.1',
    'SIP/2.0/UDP',
    'SIP/2.0/UDP 192.0.2.1:70000',
    'SIP/2.0/UDP [::1',
    'HTTP/1.1/TCP a',
    'SIP/2.0/UDP a b',
  ])('refuses %s', (text) => {
    expect(() => parseVia(text)).toThrow(/Via/);
  });
});

describe('parseCSeq (RFC 3261 §20.16)', () => {
  it('reads number and method', () => {
    expect(parseCSeq(' 4711   INVITE ')).toEqual({ seq: 4711, method: 'INVITE' });
    expect(parseCSeq('4294967295 BYE').seq).toBe(4294967295);
  });

  it.each(['INVITE', '1', '-1 INVITE', '4294967296 INVITE', '1 INV ITE', '1 IN(VITE'])(
    'refuses %s',
    (text) => {
      expect(() => parseCSeq(text)).toThrow(/CSeq/);
    },
  );
});
