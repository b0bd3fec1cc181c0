import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { isHoldgateError } from '../errors/registry.js';
import { anchorSdp, relayedMediaIndexes, type SdpAnchor } from './anchor-sdp.js';
import { GOLDEN_CASES } from './golden-cases.js';
import { holdState } from './hold-state.js';
import { mediaDirection } from './media-direction.js';
import { parseSdp } from './parse-sdp.js';
import { remoteMediaTarget } from './remote-media-target.js';

const FIXTURES = new URL('../../test-fixtures/sdp/', import.meta.url);
const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
const input = (name: string): Buffer => fixture(`${name}.in.sdp`);

const V4: SdpAnchor = {
  address: '203.0.113.5',
  ports: [{ rtp: 40000, rtcp: 40001 }],
  sessionId: '9000',
};

describe('parseSdp', () => {
  it('parses every fixture', () => {
    for (const c of GOLDEN_CASES) expect(parseSdp(input(c.input)).media.length).toBeGreaterThan(0);
  });

  it.each([
    ['garbage', 'hello world'],
    ['empty', ''],
    ['no m-line', 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n'],
    ['no c=', 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'],
    ['no o=', 'v=0\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n'],
  ])('rejects %s with HG_ERR_SDP_INVALID', (_name, text) => {
    let caught: unknown;
    try {
      parseSdp(Buffer.from(text));
    } catch (err) {
      caught = err;
    }
    expect(isHoldgateError(caught) && caught.code).toBe('HG_ERR_SDP_INVALID');
  });
});

describe('mediaDirection (RFC 3264 §5.1) and holdState', () => {
  it.each([
    ['asterisk-offer', 'sendrecv', []],
    ['carrier-offer', 'sendrecv', []],
    ['hold-sendonly-media', 'sendonly', ['sendonly']],
    ['hold-recvonly-media', 'recvonly', ['recvonly']],
    ['hold-inactive-session', 'inactive', ['inactive']],
    ['hold-sendonly-session-media-sendrecv', 'sendrecv', []],
    ['hold-c-zero', 'sendrecv', ['connection-zero']],
    ['hold-c-zero-ipv6', 'sendonly', ['sendonly', 'connection-zero']],
    ['hold-port-zero', 'sendrecv', ['port-zero']],
  ] as const)('%s → %s %j', (name, direction, signals) => {
    const sdp = parseSdp(input(name));
    expect(mediaDirection(sdp, sdp.media[0]!)).toBe(direction);
    const h = holdState(sdp);
    expect(h.index).toBe(0);
    expect(h.direction).toBe(direction);
    expect(h.signals).toEqual(signals);
    expect(h.held).toBe(signals.length > 0);
  });

  it('describes an SDP without audio as held (fail closed)', () => {
    const sdp = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=video 4000 RTP/AVP 99\r\n',
    );
    expect(holdState(sdp)).toMatchObject({ index: -1, held: true, signals: ['no-audio'] });
  });

  it('reads a=recordpref (RFC 7866 §10), media level over session level', () => {
    const sdp = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\na=recordpref:on\r\n' +
        'm=audio 4000 RTP/AVP 0\r\na=recordpref:off\r\n',
    );
    expect(holdState(sdp).recordPref).toBe('off');
    expect(holdState(parseSdp(input('asterisk-offer'))).recordPref).toBeUndefined();
  });

  it('is not fooled by hold-looking text outside the attributes', () => {
    const sdp = parseSdp(
      'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=a=sendonly 0.0.0.0\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n' +
        'm=audio 4000 RTP/AVP 0\r\na=x-note:inactive c=IN IP4 0.0.0.0\r\n',
    );
    expect(holdState(sdp).held).toBe(false);
  });
});

describe('anchorSdp golden cases', () => {
  it.each(GOLDEN_CASES.map((c) => [c.output, c] as const))('%s', (_name, c) => {
    const expected = fixture(`${c.output}.out.sdp`).toString('utf8');
    expect(expected).toMatch(/\r\n$/);
    expect(expected.replace(/\r\n/g, '')).not.toMatch(/\n/);
    const { text } = anchorSdp(input(c.input), c.anchor);
    expect(text).toBe(expected);
  });

  it('keeps every hold signal visible to the far side', () => {
    for (const c of GOLDEN_CASES) {
      const before = holdState(parseSdp(input(c.input)));
      const after = holdState(parseSdp(fixture(`${c.output}.out.sdp`)));
      expect(after.signals, c.output).toEqual(before.signals);
    }
  });

  it('points every relayed stream at the anchor and keeps the codecs', () => {
    for (const c of GOLDEN_CASES) {
      const before = parseSdp(input(c.input));
      const after = parseSdp(fixture(`${c.output}.out.sdp`));
      const relayed = relayedMediaIndexes(before, c.anchor.allowVideo ?? false);
      expect(relayedMediaIndexes(after, c.anchor.allowVideo ?? false)).toEqual(relayed);
      relayed.forEach((index, k) => {
        const t = remoteMediaTarget(after, index);
        const held = holdState(before).connectionHold;
        if (!held) expect(t.address).toBe(c.anchor.address);
        expect(t.rtpPort).toBe(c.anchor.ports[k]!.rtp);
        expect(t.rtcpPort).toBe(t.rtcpMux ? t.rtpPort : c.anchor.ports[k]!.rtcp);
        expect(t.payloadTypes).toEqual(remoteMediaTarget(before, index).payloadTypes);
      });
      expect(after.media.map((m) => m.type)).toEqual(before.media.map((m) => m.type));
    }
  });
});

describe('anchorSdp rules', () => {
  it('bumps o= version only when the SDP changes (RFC 3264 §8)', () => {
    const first = anchorSdp(input('asterisk-offer'), { ...V4, sessionVersion: 7 });
    expect(first.text).toContain('o=holdgate 9000 7 IN IP4 203.0.113.5\r\n');
    const same = anchorSdp(input('asterisk-offer'), V4, first.state);
    expect(same.text).toBe(first.text);
    expect(same.state.sessionVersion).toBe(7);
    const hold = anchorSdp(
      input('hold-sendonly-media'),
      { ...V4, sessionId: 'ignored' },
      same.state,
    );
    expect(hold.state.sessionVersion).toBe(8);
    expect(hold.text).toContain('o=holdgate 9000 8 IN IP4 203.0.113.5\r\n');
    const unhold = anchorSdp(input('asterisk-offer'), V4, hold.state);
    expect(unhold.state.sessionVersion).toBe(9);
  });

  it('picks a session id when none is given and keeps it per leg', () => {
    const a = anchorSdp(input('asterisk-offer'), { address: '203.0.113.5', ports: V4.ports });
    expect(a.state.sessionId).toMatch(/^\d+$/);
    expect(a.state.sessionVersion).toBe(1);
    const b = anchorSdp(input('hold-c-zero'), { address: '203.0.113.5', ports: V4.ports }, a.state);
    expect(b.state.sessionId).toBe(a.state.sessionId);
  });

  it('adds a=rtcp (RFC 3605) when our RTCP port is not RTP + 1', () => {
    const { text } = anchorSdp(input('carrier-offer'), {
      ...V4,
      ports: [{ rtp: 40000, rtcp: 40007 }],
    });
    const t = remoteMediaTarget(parseSdp(text), 0);
    expect(t.rtcpPort).toBe(40007);
    expect(t.rtcpAddress).toBe('203.0.113.5');
  });

  it('does not mutate a parsed input', () => {
    const sdp = parseSdp(input('freeswitch-offer'));
    const copy = structuredClone(sdp);
    anchorSdp(sdp, V4);
    expect(sdp).toEqual(copy);
  });

  it('throws when a relayed m-line has no port pair', () => {
    expect(() => anchorSdp(input('asterisk-offer'), { ...V4, ports: [] })).toThrow(RangeError);
  });
});

describe('remoteMediaTarget', () => {
  it('reads the FreeSWITCH offer (a=rtcp, several codecs)', () => {
    const t = remoteMediaTarget(parseSdp(input('freeswitch-offer')), 0);
    expect(t).toMatchObject({
      address: '198.51.100.20',
      rtpPort: 24680,
      rtcpPort: 24681,
      rtcpMux: false,
      telephoneEventPt: 101,
      telephoneEventClockRate: 8000,
      ptime: 20,
      direction: 'sendrecv',
    });
    expect(t.payloadTypes.map((p) => `${p.pt}:${p.encoding}/${p.clockRate}`)).toEqual([
      '9:G722/8000',
      '0:PCMU/8000',
      '8:PCMA/8000',
      '18:G729/8000',
      '101:telephone-event/8000',
      '13:CN/8000',
    ]);
  });

  it('reads the carrier offer (session c=, static PT without rtpmap, no telephone-event)', () => {
    const t = remoteMediaTarget(parseSdp(input('carrier-offer')), 0);
    expect(t.address).toBe('203.0.113.78');
    expect(t.rtcpPort).toBe(31001);
    expect(t.telephoneEventPt).toBeUndefined();
    expect(t.payloadTypes.map((p) => p.encoding)).toEqual(['G729', 'PCMU']);
  });

  it('reads rtcp-mux, a 48 kHz telephone-event and IPv6', () => {
    const mux = remoteMediaTarget(parseSdp(input('rtcp-mux-ice-offer')), 0);
    expect(mux).toMatchObject({ rtcpMux: true, rtcpPort: 50000, telephoneEventPt: 101 });
    expect(mux.telephoneEventClockRate).toBe(48000);
    const v6 = remoteMediaTarget(parseSdp(input('ipv6-offer')), 0);
    expect(v6).toMatchObject({ address: '2001:db8::10', rtpPort: 7078, telephoneEventPt: 96 });
    expect(() => remoteMediaTarget(parseSdp(input('ipv6-offer')), 1)).toThrow();
  });
});
