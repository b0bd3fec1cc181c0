import { describe, it, expect } from 'vitest';
import { parseMessage, type SipResponse } from '../message/index.js';
import { responseDestination } from './response-destination.js';

function response(via: string): SipResponse {
  const text = [
    'SIP/2.0 200 OK',
    `Via: ${via}`,
    'From: <sip:a@example.com>;tag=1',
    'To: <sip:b@example.com>;tag=2',
    'Call-ID: rd@test',
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const r = parseMessage(Buffer.from(text));
  if (!r.ok || r.message.kind !== 'response') throw new Error('fixture did not parse');
  return r.message;
}

describe('responseDestination (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  it.each([
    ['SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1', 'udp', '192.0.2.1', 5070],
    ['SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', 'udp', '192.0.2.1', 5060],
    [
      'SIP/2.0/UDP 192.0.2.1:5070;received=198.51.100.2;branch=z9hG4bK1',
      'udp',
      '198.51.100.2',
      5070,
    ],
    [
      'SIP/2.0/UDP host.example:5070;received=198.51.100.2;rport=40000;branch=z9hG4bK1',
      'udp',
      '198.51.100.2',
      40000,
    ],
    ['SIP/2.0/UDP 192.0.2.1:5070;rport;branch=z9hG4bK1', 'udp', '192.0.2.1', 5070],
    [
      'SIP/2.0/TCP 192.0.2.1;received=198.51.100.2;rport=40000;branch=z9hG4bK1',
      'tcp',
      '198.51.100.2',
      5060,
    ],
    ['SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK1', 'tls', '192.0.2.1', 5061],
    ['SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK1', 'udp', '2001:db8::1', 5062],
    [
      'SIP/2.0/UDP [2001:db8::1];received=2001:db8::2;rport=7000;branch=z9hG4bK1',
      'udp',
      '2001:db8::2',
      7000,
    ],
  ])('%s → %s %s:%d', (via, protocol, address, port) => {
    expect(responseDestination(response(via))).toEqual({ protocol, address, port });
  });

  it('rejects unsupported transports and unresolvable names', () => {
    expect(() => responseDestination(response('SIP/2.0/SCTP 192.0.2.1;branch=z9hG4bK1'))).toThrow(
      expect.objectContaining({ code: 'HG_ERR_SIP_TRANSPORT' }),
    );
    expect(() =>
      responseDestination(response('SIP/2.0/UDP pbx.example.com;branch=z9hG4bK1')),
    ).toThrow(expect.objectContaining({ code: 'HG_ERR_SIP_TRANSPORT' }));
  });
});
