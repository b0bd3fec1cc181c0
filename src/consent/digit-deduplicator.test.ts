import { describe, expect, it } from 'vitest';
import type { DtmfDigit } from '../media/dtmf/index.js';
import {
  CROSS_SOURCE_WINDOW_MS,
  DigitDeduplicator,
  type DigitSource,
} from './digit-deduplicator.js';

type Press = readonly [DtmfDigit, DigitSource, number];

/** The presses the deduplicator lets through, in order. */
function accepted(presses: readonly Press[]): string {
  const dedup = new DigitDeduplicator();
  return presses
    .filter(([d, s, at]) => dedup.accept(d, s, at))
    .map(([d, s, at]) => `${d}/${s}@${at}`)
    .join(' ');
}

describe('DigitDeduplicator (one press heard via INFO and the media path)', () => {
  it('uses a 300 ms cross-source window', () => {
    expect(CROSS_SOURCE_WINDOW_MS).toBe(300);
  });

  it('drops the same key from another source within the window, either order', () => {
    expect(
      accepted([
        ['9', 'rfc4733', 1000],
        ['9', 'info', 1080],
      ]),
    ).toBe('9/rfc4733@1000');
    expect(
      accepted([
        ['9', 'info', 1000],
        ['9', 'rfc4733', 1300],
      ]),
    ).toBe('9/info@1000');
    // Out of order (INFO stamped earlier than the media report that arrived first).
    expect(
      accepted([
        ['9', 'rfc4733', 1000],
        ['9', 'info', 900],
      ]),
    ).toBe('9/rfc4733@1000');
  });

  it('keeps the same key from another source after the window', () => {
    expect(
      accepted([
        ['9', 'rfc4733', 1000],
        ['9', 'info', 1301],
      ]),
    ).toBe('9/rfc4733@1000 9/info@1301');
  });

  it('keeps repeats from the same source (separate presses)', () => {
    expect(
      accepted([
        ['9', 'rfc4733', 1000],
        ['9', 'rfc4733', 1100],
        ['9', 'rfc4733', 1200],
      ]),
    ).toBe('9/rfc4733@1000 9/rfc4733@1100 9/rfc4733@1200');
    expect(
      accepted([
        ['9', 'info', 1000],
        ['9', 'info', 1050],
      ]),
    ).toBe('9/info@1000 9/info@1050');
  });

  it('keeps different keys from different sources', () => {
    expect(
      accepted([
        ['9', 'rfc4733', 1000],
        ['1', 'info', 1010],
      ]),
    ).toBe('9/rfc4733@1000 1/info@1010');
  });

  it('counts a fast burst heard via both paths once per press (interleaved arrival)', () => {
    // 9 then 5, 120 ms apart; each press reaches holdgate by RFC 4733 and, a little later, INFO.
    expect(
      accepted([
        ['9', 'rfc4733', 1000],
        ['5', 'rfc4733', 1120],
        ['9', 'info', 1150],
        ['5', 'info', 1270],
      ]),
    ).toBe('9/rfc4733@1000 5/rfc4733@1120');
  });

  it('counts a quick double press of one key twice when both paths report it', () => {
    // Press 1: RFC 4733 @1000, INFO @1050. Press 2: INFO @1200 arrives before RFC 4733 @1250.
    expect(
      accepted([
        ['9', 'rfc4733', 1000],
        ['9', 'info', 1050],
        ['9', 'info', 1200],
        ['9', 'rfc4733', 1250],
      ]),
    ).toBe('9/rfc4733@1000 9/info@1200');
  });

  it('one press cannot swallow two presses from the other source', () => {
    expect(
      accepted([
        ['9', 'info', 1000],
        ['9', 'rfc4733', 1010],
        ['9', 'rfc4733', 1200],
      ]),
    ).toBe('9/info@1000 9/rfc4733@1200');
  });

  it('a long burst of keys, each heard by both paths, counts each key once', () => {
    const keys: DtmfDigit[] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];
    const presses: Press[] = [];
    keys.forEach((k, i) => {
      presses.push([k, 'rfc4733', 10_000 + i * 100]);
      presses.push([k, 'info', 10_000 + i * 100 + 150]);
    });
    presses.push(...presses.map(([k, s, at]): Press => [k, s, at + 5000]));
    const counted = accepted(presses).split(' ');
    expect(counted).toHaveLength(keys.length * 2);
    expect(counted.every((c) => c.includes('/rfc4733@'))).toBe(true);
  });
});
