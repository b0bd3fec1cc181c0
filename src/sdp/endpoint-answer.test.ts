import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import { isHoldgateError } from '../errors/registry.js';
import {
  chooseEndpointCodec,
  endpointAnswer,
  endpointOffer,
  restrictToCodec,
} from './endpoint-answer.js';
import { parseSdp, type Sdp } from './parse-sdp.js';

/** An offer with one audio m-line of `formats` and extra lines (CRLF-joined). */
function offer(formats: string, lines: string[] = [], more = ''): Sdp {
  return parseSdp(
    [
      'v=0',
      'o=- 100 1 IN IP4 192.0.2.50',
      's=-',
      'c=IN IP4 192.0.2.50',
      't=0 0',
      `m=audio 49170 RTP/AVP ${formats}`,
      ...lines,
    ].join('\r\n') +
      '\r\n' +
      more,
  );
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isHoldgateError(err) ? err.code : `not a HoldgateError: ${String(err)}`;
  }
  return undefined;
}

const OPTS = { address: '203.0.113.5', rtpPort: 40000, rtcpPort: 40001, sessionId: '77' };

describe('chooseEndpointCodec (RFC 3264 §6.1, RFC 4733 §7.1.1)', () => {
  it('takes the first G.711 format in offer order, keeping the offered numbers', () => {
    const sdp = offer('18 8 0 101', [
      'a=rtpmap:18 G729/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
    ]);
    expect(chooseEndpointCodec(sdp, 0)).toEqual({ pt: 8, encoding: 'PCMA', telephoneEventPt: 101 });
  });

  it('knows the static types without rtpmap and folds the case of rtpmap names', () => {
    expect(chooseEndpointCodec(offer('9 0'), 0)).toEqual({
      pt: 0,
      encoding: 'PCMU',
      telephoneEventPt: undefined,
    });
    expect(chooseEndpointCodec(offer('96 8', ['a=rtpmap:96 pcmu/8000']), 0)).toEqual({
      pt: 96,
      encoding: 'PCMU',
      telephoneEventPt: undefined,
    });
  });

  it('takes telephone-event only at 8000 Hz', () => {
    const wide = offer('0 100 101', [
      'a=rtpmap:100 telephone-event/48000',
      'a=rtpmap:101 telephone-event/8000',
    ]);
    expect(chooseEndpointCodec(wide, 0).telephoneEventPt).toBe(101);
    const only48k = offer('0 100', ['a=rtpmap:100 telephone-event/48000']);
    expect(chooseEndpointCodec(only48k, 0).telephoneEventPt).toBeUndefined();
  });

  it('skips G.711 names at another clock rate', () => {
    const sdp = offer('96 8', ['a=rtpmap:96 PCMU/16000']);
    expect(chooseEndpointCodec(sdp, 0).pt).toBe(8);
  });

  it('an SRTP offer cannot be answered by holdgate itself; AVPF keeps its profile (RFC 3264 §6)', () => {
    const savp = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\nm=audio 49170 RTP/SAVP 0\r\n',
    );
    expect(codeOf(() => chooseEndpointCodec(savp, 0))).toBe('HG_ERR_SDP_INVALID');
    const avpf = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.50\r\ns=-\r\nc=IN IP4 192.0.2.50\r\nt=0 0\r\nm=audio 49170 RTP/AVPF 0\r\n',
    );
    const codec = chooseEndpointCodec(avpf, 0);
    expect(endpointAnswer(avpf, 0, { ...OPTS, codec })).toMatch(/^m=audio 40000 RTP\/AVPF 0$/m);
  });

  it('no G.711 → HG_ERR_SDP_INVALID', () => {
    const sdp = offer('18 111 101', [
      'a=rtpmap:111 opus/48000/2',
      'a=rtpmap:101 telephone-event/8000',
    ]);
    expect(codeOf(() => chooseEndpointCodec(sdp, 0))).toBe('HG_ERR_SDP_INVALID');
    expect(codeOf(() => chooseEndpointCodec(offer('0'), 1))).toBe('HG_ERR_SDP_INVALID');
  });
});

describe('endpointAnswer (RFC 3264 §6)', () => {
  const codec = { pt: 0, encoding: 'PCMU', telephoneEventPt: 101 } as const;

  it('answers the audio m-line with the codec, telephone-event 0-16 and ptime 20', () => {
    const sdp = offer('8 0 101', ['a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15']);
    const text = endpointAnswer(sdp, 0, { ...OPTS, codec });
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')).toEqual([
      'v=0',
      'o=holdgate 77 1 IN IP4 203.0.113.5',
      's=holdgate',
      'c=IN IP4 203.0.113.5',
      't=0 0',
      'm=audio 40000 RTP/AVP 0 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=ptime:20',
      'a=sendrecv',
      '',
    ]);
    // It parses back, with holdgate's own strict parser too.
    const back = parseSdp(text);
    expect(back.media[0]!.port).toBe(40000);
    expect(back.media[0]!.direction).toBe('sendrecv');
  });

  it('has as many m-lines as the offer; the others are refused with port 0', () => {
    const sdp = parseSdp(
      [
        'v=0',
        'o=user 1 1 IN IP4 192.0.2.50',
        's=call',
        'c=IN IP4 192.0.2.50',
        't=0 0',
        'm=video 51372 RTP/AVP 99',
        'a=rtpmap:99 H264/90000',
        'm=audio 49170 RTP/AVP 0',
        'm=audio 49180 RTP/AVP 8',
        '',
      ].join('\r\n'),
    );
    const back = parse(endpointAnswer(sdp, 1, { ...OPTS, codec: chooseEndpointCodec(sdp, 1) }));
    expect(back.media.map((m) => [m.type, m.port, String(m.payloads)])).toEqual([
      ['video', 0, '99'],
      ['audio', 40000, '0'],
      ['audio', 0, '8'],
    ]);
    expect(back.media[0]!.rtp).toEqual([]);
    expect(back.media[1]!.rtp).toEqual([{ payload: 0, codec: 'PCMU', rate: 8000 }]);
    expect(back.media[1]!.fmtp).toEqual([]);
  });

  it.each([
    ['sendonly', 'recvonly'],
    ['recvonly', 'sendonly'],
    ['inactive', 'inactive'],
    ['sendrecv', 'sendrecv'],
  ] as const)('mirrors a=%s with a=%s', (offered, answered) => {
    const sdp = offer('0', [`a=${offered}`]);
    expect(parse(endpointAnswer(sdp, 0, { ...OPTS, codec })).media[0]!.direction).toBe(answered);
  });

  it('mirrors a session-level direction too', () => {
    const sdp = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=sendonly\r\nm=audio 4000 RTP/AVP 0\r\n',
    );
    expect(parse(endpointAnswer(sdp, 0, { ...OPTS, codec })).media[0]!.direction).toBe('recvonly');
  });

  it('carries a=record when asked, not otherwise', () => {
    const sdp = offer('0 101', ['a=rtpmap:101 telephone-event/8000']);
    for (const record of ['on', 'off', 'paused'] as const) {
      const text = endpointAnswer(sdp, 0, { ...OPTS, codec, record });
      expect(text).toContain(`\r\na=record:${record}\r\n`);
      expect(parse(text).media[0]!.invalid).toEqual([{ value: `record:${record}` }]);
    }
    expect(endpointAnswer(sdp, 0, { ...OPTS, codec })).not.toContain('a=record');
  });

  it('states a=rtcp only when RTCP is not on RTP port + 1 (RFC 3605)', () => {
    const sdp = offer('0');
    const c = { ...codec, telephoneEventPt: undefined };
    expect(endpointAnswer(sdp, 0, { ...OPTS, codec: c })).not.toContain('a=rtcp');
    const text = endpointAnswer(sdp, 0, { ...OPTS, rtcpPort: 40010, codec: c });
    expect(parse(text).media[0]!.rtcp).toEqual({
      port: 40010,
      netType: 'IN',
      ipVer: 4,
      address: '203.0.113.5',
    });
    expect(text).not.toContain('telephone-event');
    expect(text).not.toContain('a=fmtp');
  });

  it('answers on IPv6 with IP6 in o= and c=', () => {
    const text = endpointAnswer(offer('0'), 0, { ...OPTS, address: '2001:db8::5', codec });
    expect(text).toContain('\r\no=holdgate 77 1 IN IP6 2001:db8::5\r\n');
    expect(text).toContain('\r\nc=IN IP6 2001:db8::5\r\n');
  });

  it('picks a random session id when none is given', () => {
    const { sessionId: _unused, ...rest } = OPTS;
    const a = parse(endpointAnswer(offer('0'), 0, { ...rest, codec }));
    expect(String(a.origin.sessionId)).toMatch(/^[1-9]\d*$/);
  });
});

describe('restrictToCodec (RFC 3264 §8.3.2)', () => {
  const sdp = offer(
    '18 8 0 101',
    [
      'a=rtpmap:18 G729/8000',
      'a=fmtp:18 annexb=no',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-15',
    ],
    'm=video 51372 RTP/AVP 99\r\na=rtpmap:99 H264/90000\r\n',
  );

  it('keeps only the chosen format and telephone-event, without touching the input', () => {
    const before = structuredClone(sdp);
    const r = restrictToCodec(sdp, 0, { pt: 8, encoding: 'PCMA', telephoneEventPt: 101 });
    expect(r.media[0]!.payloads).toBe('8 101');
    expect(r.media[0]!.rtp.map((x) => x.payload)).toEqual([8, 101]);
    expect(r.media[0]!.fmtp).toEqual([{ payload: 101, config: '0-15' }]);
    expect(r.media[1]).toEqual(sdp.media[1]);
    expect(sdp).toEqual(before);
  });

  it('without telephone-event keeps the codec alone; a missing m-line → HG_ERR_SDP_INVALID', () => {
    const r = restrictToCodec(sdp, 0, { pt: 0, encoding: 'PCMU', telephoneEventPt: undefined });
    expect(r.media[0]!.payloads).toBe('0');
    expect(r.media[0]!.fmtp).toEqual([]);
    expect(
      codeOf(() => restrictToCodec(sdp, 5, { pt: 0, encoding: 'PCMU', telephoneEventPt: 101 })),
    ).toBe('HG_ERR_SDP_INVALID');
  });
});

describe('endpointOffer (RFC 3264 §5)', () => {
  it('offers PCMU, PCMA and telephone-event 0-16 on one sendrecv audio line', () => {
    const text = endpointOffer({ ...OPTS, record: 'off' });
    const sdp = parse(text);
    expect(sdp.media).toHaveLength(1);
    expect(sdp.media[0]).toMatchObject({ port: 40000, protocol: 'RTP/AVP', payloads: '0 8 101' });
    expect(text).toMatch(/^a=fmtp:101 0-16\r$/m);
    expect(text).toMatch(/^a=sendrecv\r$/m);
    expect(text).toMatch(/^a=record:off\r$/m);
    expect(text).toMatch(/^c=IN IP4 203\.0\.113\.5\r$/m);
    // What the caller answers from it can be answered by holdgate's codec choice.
    expect(chooseEndpointCodec(parseSdp(text), 0)).toEqual({
      pt: 0,
      encoding: 'PCMU',
      telephoneEventPt: 101,
    });
  });
});
