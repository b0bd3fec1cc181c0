import { createRequest, parseMessage } from '../../message/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../../message/types.js';
import type { Endpoint, InboundContext } from '../types.js';

/** Parse SIP text written with `\n` line ends into a message (CRLF on the wire). */
export function sip(lines: readonly string[], body = ''): SipMessage {
  const text = lines.join('\r\n') + '\r\n\r\n' + body;
  const result = parseMessage(Buffer.from(text, 'utf8'));
  if (!result.ok) throw result.error;
  return result.message;
}

export function asRequest(m: SipMessage): SipRequest {
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}

export function asResponse(m: SipMessage): SipResponse {
  if (m.kind !== 'response') throw new Error('not a response');
  return m;
}

export interface RequestSpec {
  method?: string;
  uri?: string;
  /** Full top Via value; default UDP from 192.0.2.10:5060 with `branch`. */
  via?: string;
  branch?: string;
  callId?: string;
  cseq?: number;
  cseqMethod?: string;
  fromTag?: string;
  toTag?: string;
  extra?: readonly string[];
}

/** A request as a UAC would put it on the wire (with a top Via), to inject into a layer. */
export function inboundRequest(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const branch = spec.branch ?? 'z9hG4bKclient1';
  const via = spec.via ?? `SIP/2.0/UDP 192.0.2.10:5060;branch=${branch};rport`;
  const to = `<sip:agent@holdgate.test>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`;
  return asRequest(
    sip([
      `${method} ${spec.uri ?? 'sip:agent@holdgate.test'} SIP/2.0`,
      `Via: ${via}`,
      'Max-Forwards: 70',
      `From: "Caller" <sip:caller@carrier.test>;tag=${spec.fromTag ?? 'ft1'}`,
      `To: ${to}`,
      `Call-ID: ${spec.callId ?? 'call-1@carrier.test'}`,
      `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? method}`,
      'Contact: <sip:caller@192.0.2.10:5060>',
      ...(spec.extra ?? []),
      'Content-Length: 0',
    ]),
  );
}

/** A request as the TU hands it to `sendRequest` (no Via yet: built, not parsed). */
export function outboundRequest(
  method = 'INVITE',
  extra: readonly (readonly [string, string])[] = [],
): SipRequest {
  return createRequest({
    method,
    uri: 'sip:queue@pbx.test',
    headers: [
      ['Max-Forwards', '70'],
      ['Route', '<sip:proxy1.test;lr>'],
      ['Route', '<sip:proxy2.test;lr>'],
      ['From', '<sip:holdgate@holdgate.test>;tag=hg1'],
      ['To', '<sip:queue@pbx.test>'],
      ['Call-ID', 'out-1@holdgate.test'],
      ['CSeq', `7 ${method}`],
      ...extra,
    ],
  });
}

/** A response to a request that went through `sendRequest` (its Via copied, as a peer would). */
export function responseTo(
  request: SipRequest,
  status: number,
  opts: { toTag?: string; reason?: string } = {},
): SipResponse {
  const vias = request.getAll('via').map((v) => `Via: ${v}`);
  const to = request.get('to') ?? '';
  const toTag = status === 100 || to.includes(';tag=') ? '' : `;tag=${opts.toTag ?? 'pbx1'}`;
  return asResponse(
    sip([
      `SIP/2.0 ${status} ${opts.reason ?? 'Whatever'}`,
      ...vias,
      `From: ${request.get('from') ?? ''}`,
      `To: ${to}${toTag}`,
      `Call-ID: ${request.get('call-id') ?? ''}`,
      `CSeq: ${request.get('cseq') ?? ''}`,
      'Content-Length: 0',
    ]),
  );
}

export const UDP_PEER: Endpoint = { protocol: 'udp', address: '192.0.2.20', port: 5060 };
export const TCP_PEER: Endpoint = { protocol: 'tcp', address: '192.0.2.20', port: 5060 };

export function inboundContext(
  protocol: Endpoint['protocol'] = 'udp',
  connectionId?: string,
): InboundContext {
  return {
    source: { protocol, address: '192.0.2.10', port: 5060 },
    local: { protocol, address: '127.0.0.1', port: 5060 },
    connectionId: protocol === 'udp' ? undefined : (connectionId ?? 'conn-1'),
  };
}
