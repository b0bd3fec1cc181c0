import { describe, expect, it } from 'vitest';
import { SipParseError } from './parse-error.js';
import { escapeUserPart, formatUri, parseUri, unescape } from './sip-uri.js';

function refusal(text: string): SipParseError {
  try {
    parseUri(text);
  } catch (err) {
    if (err instanceof SipParseError) return err;
    throw err;
  }
  throw new Error(`accepted ${text}`);
}

describe('parseUri (RFC 3261 §19.1, RFC 3966)', () => {
  it('parses every component of a SIP URI', () => {
    const uri = parseUri(
      'sips:al%69ce:se%2Fcret@Example.COM:5061;transport=TLS;lr;Maddr=239.1.1.1?subject=hi%20there&priority=urgent',
    );
    expect(uri).toMatchObject({
      scheme: 'sips',
      user: 'alice',
      password: 'se/cret',
      host: 'Example.COM',
      port: 5061,
    });
    expect([...uri.params]).toEqual([
      ['transport', 'TLS'],
      ['lr', null],
      ['maddr', '239.1.1.1'],
    ]);
    expect([...uri.headers]).toEqual([
      ['subject', 'hi there'],
      ['priority', 'urgent'],
    ]);
  });

  it('handles IPv6 references, user parts with ; and escaped NUL', () => {
    expect(parseUri('sip:[2001:db8::1]:5060')).toMatchObject({
      host: '[2001:db8::1]',
      port: 5060,
      user: undefined,
    });
    expect(parseUri('sip:+494055;npdi;rn=+1@198.51.100.5;user=phone')).toMatchObject({
      user: '+494055;npdi;rn=+1',
      host: '198.51.100.5',
    });
    expect(parseUri('sip:a%00b@h').user).toBe('a\u0000b');
    expect(parseUri('SIP:x@h').scheme).toBe('sip');
  });

  it('parses tel URIs', () => {
    const tel = parseUri('tel:+1-201-555-0123;ext=12;phone-context=example.com');
    expect(tel).toMatchObject({ scheme: 'tel', user: '+1-201-555-0123', host: '' });
    expect(tel.params.get('phone-context')).toBe('example.com');
    expect(parseUri('tel:7042;phone-context=example.com').user).toBe('7042');
  });

  it('answers 416 for a well-formed URI of another scheme and 400 for junk', () => {
    expect(refusal('mailto:a@example.com').responseStatus).toBe(416);
    expect(refusal('urn:service:sos').kind).toBe('uri-scheme');
    for (const bad of [
      '<sip:a@b>',
      'sip:a@b c',
      'sip:[::1',
      'sip:a@[zz::1]',
      'sip:a@b:99999',
      'sip:a%4@b',
      'sip:a@b;x=<',
      'sip:',
      'tel:+',
      'tel:abc-xyz',
      '1sip:a',
    ]) {
      const err = refusal(bad);
      expect([bad, err.responseStatus, err.kind]).toEqual([bad, 400, 'uri']);
    }
  });

  it('formats with escaping and round-trips', () => {
    const uri = parseUri('sip:j%C3%B6rg%20m@[::1]:5080;transport=tcp;lr');
    expect(uri.user).toBe('jörg m');
    expect(formatUri(uri)).toBe('sip:j%C3%B6rg%20m@[::1]:5080;transport=tcp;lr');
    expect(escapeUserPart('a@b c')).toBe('a%40b%20c');
    expect(unescape('%61%62c')).toBe('abc');
    expect(unescape('%E9')).toBe('é'); // not UTF-8: Latin-1
  });
});
