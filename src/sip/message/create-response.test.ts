import { describe, expect, it } from 'vitest';
import { checkRequest, type RequestPolicy } from './check-request.js';
import { createRequest } from './create-request.js';
import { createResponse } from './create-response.js';
import { callId, cseq, fromTag, maxForwards, toTag, topVia } from './message-accessors.js';
import { parseMessage } from './parse-message.js';
import type { SipRequest } from './types.js';

function request(extra: string[] = [], body = ''): SipRequest {
  const text = [
    'INVITE sip:bob@198.51.100.5 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa;received=192.0.2.1, SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKz',
    'Via: SIP/2.0/TCP 192.0.2.7;branch=z9hG4bKq',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@192.0.2.1>;tag=fa',
    'To: <sip:bob@198.51.100.5>',
    'Call-ID: c1@192.0.2.1',
    'CSeq: 7 INVITE',
    'Timestamp: 54.2',
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
  const result = parseMessage(Buffer.from(text));
  if (!result.ok) throw result.error;
  if (result.message.kind !== 'request') throw new Error('request expected');
  return result.message;
}

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('copies Vias in order, From, To, Call-ID, CSeq; echoes Timestamp on 100 only', () => {
    const req = request();
    const trying = createResponse(req, 100);
    expect(trying.reason).toBe('Trying');
    expect(trying.getAll('via')).toEqual(req.getAll('via'));
    expect(trying.get('timestamp')).toBe('54.2');
    expect(toTag(trying)).toBeUndefined();
    const ringing = createResponse(req, 180, { toTag: 'tt1' });
    expect(ringing.get('timestamp')).toBeUndefined();
    expect(ringing.get('to')).toBe('<sip:bob@198.51.100.5>;tag=tt1');
    expect(ringing.get('from')).toBe('"Alice" <sip:alice@192.0.2.1>;tag=fa');
    expect([callId(ringing), cseq(ringing)]).toEqual([
      'c1@192.0.2.1',
      { seq: 7, method: 'INVITE' },
    ]);
  });

  it('keeps an existing To tag and serializes with body, type and length', () => {
    const req = request();
    req.set('To', '<sip:bob@198.51.100.5>;tag=existing');
    const ok = createResponse(req, 200, 'OK', {
      toTag: 'other',
      body: Buffer.from('v=0\r\n'),
      contentType: 'application/sdp',
      headers: [['Contact', '<sip:hg@198.51.100.1>']],
    });
    expect(toTag(ok)).toBe('existing');
    const back = parseMessage(ok.serialize());
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.message.get('content-type')).toBe('application/sdp');
    expect(back.message.get('content-length')).toBe('5');
    expect(back.message.get('contact')).toBe('<sip:hg@198.51.100.1>');
    expect(createResponse(req, 499).reason).toBe('Bad Request');
  });
});

describe('createRequest and accessors', () => {
  it('builds a request with Content-Length and reads it back', () => {
    const req = createRequest({
      method: 'BYE',
      uri: 'sip:alice@192.0.2.1',
      headers: [
        ['Via', 'SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bKbye;rport'],
        ['Max-Forwards', '70'],
        ['From', '<sip:bob@198.51.100.5>;tag=tb'],
        ['To', '"Alice" <sip:alice@192.0.2.1>;tag=fa'],
        ['Call-ID', 'c1@192.0.2.1'],
        ['CSeq', '8 BYE'],
      ],
    });
    const wire = req.serialize().toString();
    expect(wire.startsWith('BYE sip:alice@192.0.2.1 SIP/2.0\r\nVia: ')).toBe(true);
    expect(wire.endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
    const back = parseMessage(req.serialize());
    expect(back.ok).toBe(true);
    expect([topVia(req).branch, fromTag(req), toTag(req), maxForwards(req)]).toEqual([
      'z9hG4bKbye',
      'tb',
      'fa',
      70,
    ]);
  });
});

describe('checkRequest (RFC 3261 §8.2.2.3, §8.2.3, RFC 4475 §3.3)', () => {
  const policy: RequestPolicy = {
    supported: new Set(['timer']),
    accept: new Set(['application/sdp']),
    forwarding: true,
  };

  it('accepts a plain INVITE with SDP', () => {
    expect(
      checkRequest(request(['Content-Type: application/SDP'], 'v=0\r\n'), policy),
    ).toBeUndefined();
  });

  it('420 with Unsupported listing unknown Require tags', () => {
    expect(checkRequest(request(['Require: timer, nothingweknow, 100rel']), policy)).toEqual({
      status: 420,
      reason: 'Bad Extension',
      headers: [['Unsupported', 'nothingweknow, 100rel']],
    });
  });

  it('415 with Accept for an unknown body type or coding; 400 without Content-Type', () => {
    const unknown = checkRequest(request(['Content-Type: application/unknownformat'], 'x'), policy);
    expect(unknown).toMatchObject({ status: 415, headers: [['Accept', 'application/sdp']] });
    const zipped = checkRequest(
      request(['Content-Type: application/sdp', 'Content-Encoding: gzip'], 'x'),
      policy,
    );
    expect(zipped).toMatchObject({ status: 415, headers: [['Accept-Encoding', 'identity']] });
    expect(checkRequest(request([], 'x'), policy)?.status).toBe(400);
  });

  it('483 for Max-Forwards 0 only when forwarding', () => {
    const req = request();
    req.set('Max-Forwards', '0');
    expect(checkRequest(req, policy)?.status).toBe(483);
    expect(checkRequest(req, { ...policy, forwarding: false })).toBeUndefined();
  });
});
