import { describe, expect, it } from 'vitest';
import { headerDisplayName, headerKey } from './header-names.js';
import { parseMessage } from './parse-message.js';
import type { SipMessage } from './types.js';

const RAW = [
  'INVITE sip:bob@198.51.100.5 SIP/2.0',
  'v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa, SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKb',
  'Via: SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKc',
  'Max-Forwards: 70',
  'From: <sip:alice@192.0.2.1>;tag=1',
  'To: <sip:bob@198.51.100.5>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 1 INVITE',
  'Record-Route: <sip:p1;lr>',
  'l: 4',
  '',
  'abcd',
].join('\r\n');

function message(): SipMessage {
  const result = parseMessage(Buffer.from(RAW));
  if (!result.ok) throw result.error;
  return result.message;
}

describe('header names (RFC 3261 §7.3.3)', () => {
  it('maps compact and case forms to one key and writes canonical names', () => {
    expect(['v', 'VIA', 'Via'].map(headerKey)).toEqual(['via', 'via', 'via']);
    expect(['i', 'k', 'x', 'o', 'u', 'r', 'b', 'y'].map(headerKey)).toEqual([
      'call-id',
      'supported',
      'session-expires',
      'event',
      'allow-events',
      'refer-to',
      'referred-by',
      'identity',
    ]);
    expect(headerDisplayName('call-id')).toBe('Call-ID');
    expect(headerDisplayName('cseq')).toBe('CSeq');
    expect(headerDisplayName('X-Holdgate-Call-Id')).toBe('X-Holdgate-Call-Id');
  });
});

describe('SipMessage header editing', () => {
  it('returns the received bytes while unchanged', () => {
    const m = message();
    expect(m.serialize().toString()).toBe(RAW);
    expect(m.clone().serialize().toString()).toBe(RAW);
  });

  it('get/getAll/has by any name form', () => {
    const m = message();
    expect(m.get('VIA')).toBe('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa');
    expect(m.getAll('v')).toHaveLength(3);
    expect(m.has('content-length')).toBe(true);
    expect(m.has('Route')).toBe(false);
  });

  it('prepend puts a new top Via; shift removes only the first value', () => {
    const m = message();
    m.prepend('via', 'SIP/2.0/UDP 203.0.113.1;branch=z9hG4bKnew');
    expect(m.getAll('via')[0]).toBe('SIP/2.0/UDP 203.0.113.1;branch=z9hG4bKnew');
    expect(m.shift('via')).toBe('SIP/2.0/UDP 203.0.113.1;branch=z9hG4bKnew');
    expect(m.shift('via')).toBe('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa');
    expect(m.getAll('via')).toEqual([
      'SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKb',
      'SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKc',
    ]);
    const wire = m.serialize().toString();
    expect(wire).toContain(
      '\r\nv: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKb\r\nVia: SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKc\r\n',
    );
  });

  it('set replaces in place, append goes after the last of its name, remove counts values', () => {
    const m = message();
    m.set('max-forwards', '69');
    m.append('Record-Route', '<sip:p2;lr>');
    m.append('X-Holdgate-Call-Id', 'hg-1');
    expect(m.remove('via')).toBe(3);
    expect(m.remove('route')).toBe(0);
    const wire = m.serialize().toString();
    expect(wire).toBe(
      [
        'INVITE sip:bob@198.51.100.5 SIP/2.0',
        'Max-Forwards: 69',
        'From: <sip:alice@192.0.2.1>;tag=1',
        'To: <sip:bob@198.51.100.5>',
        'Call-ID: c1@192.0.2.1',
        'CSeq: 1 INVITE',
        'Record-Route: <sip:p1;lr>',
        'Record-Route: <sip:p2;lr>',
        'l: 4',
        'X-Holdgate-Call-Id: hg-1',
        '',
        'abcd',
      ].join('\r\n'),
    );
  });

  it('updates Content-Length in bytes when the body changes', () => {
    const m = message();
    m.body = Buffer.from('é½', 'utf8');
    expect(m.serialize().toString()).toMatch(/\r\nl: 4\r\n\r\né½$/);
    m.body = Buffer.from('v=0\r\n');
    const again = m.serialize().toString();
    expect(again).toMatch(/\r\nl: 5\r\n\r\nv=0\r\n$/);
    expect(m.get('content-length')).toBe('5');
    const reparsed = parseMessage(m.serialize());
    expect(reparsed.ok && reparsed.message.body.toString()).toBe('v=0\r\n');
  });

  it('rewrites the Request-URI and keeps a clone independent', () => {
    const m = message();
    const copy = m.clone();
    if (m.kind !== 'request' || copy.kind !== 'request') throw new Error('request expected');
    m.uri = 'sip:bob@10.0.0.5:5080';
    copy.body[0] = 0x41;
    expect(m.serialize().toString()).toMatch(/^INVITE sip:bob@10\.0\.0\.5:5080 SIP\/2\.0\r\n/);
    expect(m.body.toString()).toBe('abcd');
    expect(copy.serialize().toString()).toBe(RAW.replace('abcd', 'Abcd'));
  });
});
