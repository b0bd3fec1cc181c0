import { describe, expect, it } from 'vitest';
import { rtpMarker, rtpSequence, rtpSsrc, rtpTimestamp, writeRtpHeader } from '../rtp/index.js';
import { ContinuityRewriter } from './continuity-rewriter.js';

function pkt(ssrc: number, sequence: number, timestamp: number): Uint8Array {
  const b = new Uint8Array(12 + 160);
  writeRtpHeader(b, { payloadType: 0, sequence, timestamp, ssrc });
  return b;
}
const fields = (b: Uint8Array): number[] => [rtpSsrc(b), rtpSequence(b), rtpTimestamp(b)];

describe('ContinuityRewriter', () => {
  it('passes packets unchanged while disabled', () => {
    const r = new ContinuityRewriter();
    const a = pkt(1, 10, 100);
    r.process(a, 160, 0, 8000);
    const b = pkt(2, 500, 9000);
    r.process(b, 160, 20, 8000);
    expect(fields(b)).toEqual([2, 500, 9000]);
    expect(rtpMarker(b)).toBe(false);
  });

  it('maps a new SSRC onto the old stream, advancing by the real last duration', () => {
    const r = new ContinuityRewriter();
    r.setEnabled(true);
    const p = [pkt(1, 65535, 0xfffffff0), pkt(1, 0, 0x90), pkt(2, 7, 50), pkt(2, 8, 210)];
    r.process(p[0]!, 160, 0, 8000);
    r.process(p[1]!, 12, 20, 8000); // short packet (12 samples), seq wraps
    r.process(p[2]!, 160, 40, 8000);
    r.process(p[3]!, 160, 60, 8000);
    expect(p.map(fields)).toEqual([
      [1, 65535, 0xfffffff0],
      [1, 0, 0x90],
      [1, 1, 0x9c],
      [1, 2, 0x13c],
    ]);
    expect(rtpMarker(p[2]!)).toBe(true);
    expect(rtpMarker(p[3]!)).toBe(false);
  });

  it('lets the timestamps show a long silence at a switch', () => {
    const r = new ContinuityRewriter();
    r.setEnabled(true);
    r.process(pkt(1, 1, 1000), 160, 0, 8000);
    const b = pkt(2, 99, 5);
    r.process(b, 160, 520, 8000); // 500 ms of silence after the 20 ms packet
    expect(fields(b)).toEqual([1, 2, 1000 + 4160]);
  });

  it('learns the duration from timestamp steps for codecs it cannot size', () => {
    const r = new ContinuityRewriter();
    r.setEnabled(true);
    r.process(pkt(1, 1, 0), 0, 0, 48000);
    r.process(pkt(1, 2, 960), 0, 20, 48000);
    const c = pkt(3, 40, 7);
    r.process(c, 0, 40, 48000);
    expect(fields(c)).toEqual([1, 3, 1920]);
  });

  it('generated packets continue the stream and the next relayed packet resyncs', () => {
    const r = new ContinuityRewriter();
    r.process(pkt(5, 10, 1000), 160, 0, 8000);
    const out = new Uint32Array(4);
    r.nextGenerated(160, 20, 8000, out);
    expect(Array.from(out)).toEqual([5, 11, 1160, 1]);
    r.nextGenerated(80, 40, 8000, out);
    expect(Array.from(out)).toEqual([5, 12, 1320, 0]);
    const back = pkt(5, 13, 1480); // the source kept counting meanwhile
    r.process(back, 160, 50, 8000);
    expect(fields(back)).toEqual([5, 13, 1400]);
    expect(rtpMarker(back)).toBe(true);
  });
});
