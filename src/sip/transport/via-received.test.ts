import { describe, it, expect } from 'vitest';
import { parseMessage, type SipRequest } from '../message/index.js';
import { stampReceived } from './via-received.js';
import type { Endpoint } from './types.js';

function request(viaLines: readonly string[]): SipRequest {
  const text = [
    'OPTIONS sip:x@example.com SIP/2.0',
    ...viaLines.map((v) => `Via: ${v}`),
    'Max-Forwards: 70',
    'From: <sip:a@example.com>;tag=1',
    'To: <sip:x@example.com>',
    'Call-ID: vr@test',
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'request') throw new Error('fixture did not parse');
  return r.message;
}

const v4: Endpoint = { protocol: 'udp', address: '203.0.113.9', port: 40123 };
const v6: Endpoint = { protocol: 'udp', address: '2001:db8::7', port: 5070 };

describe('stampReceived (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('splits a multi-value top line and keeps the rest of the values', () => {
    const req = request([
      'SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bKa, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKb',
      'SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKc',
    ]);
    expect(stampReceived(req, v4)).toBe(true);
    expect(req.getAll('via')).toEqual([
      'SIP/2.0/UDP 192.0.2.1;rport=40123;branch=z9hG4bKa;received=203.0.113.9',
      'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKb',
      'SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKc',
    ]);
    expect(req.serialize().toString()).toContain(
      '\r\nVia: SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKc\r\n',
    );
  });

  it('replaces a stale received and leaves an rport that already has a value', () => {
    const req = request(['SIP/2.0/UDP 192.0.2.1:5060;received=10.1.1.1;rport=999;branch=z9hG4bKs']);
    stampReceived(req, v4);
    expect(req.get('via')).toBe(
      'SIP/2.0/UDP 192.0.2.1:5060;received=203.0.113.9;rport=999;branch=z9hG4bKs',
    );
  });

  it('treats a bracketed IPv6 sent-by equal to the source as the source', () => {
    const text = 'SIP/2.0/UDP [2001:DB8::7]:5070;branch=z9hG4bKv6';
    const req = request([text]);
    const before = req.serialize().toString();
    expect(stampReceived(req, v6)).toBe(true);
    expect(req.serialize().toString()).toBe(before);
  });

  it('adds received as a bare IPv6 address', () => {
    const req = request(['SIP/2.0/UDP [2001:db8::1];branch=z9hG4bKv6b']);
    stampReceived(req, v6);
    expect(req.get('via')).toBe('SIP/2.0/UDP [2001:db8::1];branch=z9hG4bKv6b;received=2001:db8::7');
  });

  it('keeps sent-protocol LWS of the top Via', () => {
    const req = request(['SIP / 2.0 / UDP 192.0.2.1 ;branch=z9hG4bKlws']);
    stampReceived(req, v4);
    expect(req.get('via')).toBe('SIP / 2.0 / UDP 192.0.2.1;branch=z9hG4bKlws;received=203.0.113.9');
  });
});
