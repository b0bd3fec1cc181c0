import { describe, expect, it } from 'vitest';
import { parseInfoDigit } from './dtmf-info.js';

const RELAY = 'application/dtmf-relay';
const parse = (type: string, body: string) => parseInfoDigit(type, Buffer.from(body, 'utf8'));

describe('parseInfoDigit — application/dtmf-relay (RFC 6086 INFO, Cisco body)', () => {
  it('reads Signal and Duration (CRLF)', () => {
    expect(parse(RELAY, 'Signal=9\r\nDuration=160\r\n')).toEqual({ digit: '9', durationMs: 160 });
  });

  it('reads LF-only bodies and spaces around "="', () => {
    expect(parse(RELAY, 'Signal= 5\nDuration = 250\n')).toEqual({ digit: '5', durationMs: 250 });
  });

  it.each([
    ['10', '*'],
    ['11', '#'],
    ['12', 'A'],
    ['15', 'D'],
    ['*', '*'],
    ['#', '#'],
    ['0', '0'],
    ['a', 'A'],
    ['d', 'D'],
    ['B', 'B'],
  ] as const)('Signal=%s → %s', (signal, digit) => {
    expect(parse(RELAY, `Signal=${signal}\r\nDuration=100`)?.digit).toBe(digit);
  });

  it('ignores extra parameters and is case-insensitive in names and content type', () => {
    expect(
      parse('Application/DTMF-Relay; charset=utf-8', 'signal=7\r\nVolume=10\r\nDURATION=80'),
    ).toEqual({ digit: '7', durationMs: 80 });
  });

  it('durationMs is undefined when absent or not a number', () => {
    expect(parse(RELAY, 'Signal=1')).toEqual({ digit: '1', durationMs: undefined });
    expect(parse(RELAY, 'Signal=1\r\nDuration=long')).toEqual({
      digit: '1',
      durationMs: undefined,
    });
  });

  it.each([
    ['no Signal', 'Duration=160'],
    ['empty', ''],
    ['event 16 (flash)', 'Signal=16'],
    ['two keys', 'Signal=12#'],
    ['letter outside A-D', 'Signal=E'],
  ])('%s → undefined', (_name, body) => {
    expect(parse(RELAY, body)).toBeUndefined();
  });
});

describe('parseInfoDigit — application/dtmf', () => {
  it.each([
    ['5', '5'],
    ['#', '#'],
    ['*', '*'],
    ['c', 'C'],
    ['10', '*'],
    ['11', '#'],
    ['13', 'B'],
    [' 9\r\n', '9'],
  ] as const)('body %j → %s', (body, digit) => {
    expect(parse('application/dtmf', body)).toEqual({ digit, durationMs: undefined });
  });

  it.each([[''], ['16'], ['55'], ['x'], ['Signal=5']])('body %j → undefined', (body) => {
    expect(parse('application/dtmf', body)).toBeUndefined();
  });
});

describe('parseInfoDigit — other content types', () => {
  it.each([['application/sdp'], ['text/plain'], ['application/media_control+xml'], ['']])(
    '%j → undefined even with a digit-like body',
    (type) => {
      expect(parse(type, 'Signal=9\r\nDuration=160')).toBeUndefined();
      expect(parse(type, '9')).toBeUndefined();
    },
  );
});
