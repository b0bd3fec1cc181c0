import { describe, expect, it } from 'vitest';
import { frameStream } from './frame-stream.js';

const msg = (
  body: string,
  cl = String(Buffer.byteLength(body)),
  clName = 'Content-Length',
): string =>
  [
    'MESSAGE sip:a@198.51.100.5 SIP/2.0',
    'Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK1',
    'Max-Forwards: 70',
    'From: <sip:b@192.0.2.1>;tag=1',
    'To: <sip:a@198.51.100.5>',
    'Call-ID: f1@192.0.2.1',
    'CSeq: 1 MESSAGE',
    `${clName}: ${cl}`,
    '',
    body,
  ].join('\r\n');

/** Feed bytes in the given chunk sizes, framing like a transport does. */
function feed(stream: Buffer, chunk: number): { messages: string[]; keepalives: number } {
  const messages: string[] = [];
  let keepalives = 0;
  let pending = Buffer.alloc(0);
  for (let i = 0; i < stream.length; i += chunk) {
    pending = Buffer.concat([pending, stream.subarray(i, i + chunk)]);
    for (;;) {
      const r = frameStream(pending);
      if (r.kind === 'incomplete') break;
      if (r.kind === 'error') throw r.error;
      if (r.kind === 'keepalive') keepalives += r.length;
      else messages.push(pending.subarray(0, r.length).toString());
      pending = pending.subarray(r.length);
    }
  }
  expect(pending.length).toBe(0);
  return { messages, keepalives };
}

describe('frameStream (RFC 3261 §18.3)', () => {
  const a = msg('héllo');
  const b = msg('', '0', 'l');
  const stream = Buffer.from(`\r\n\r\n${a}${b}\r\n${a}`);

  it.each([1, 7, 64, stream.length])(
    'frames concatenated messages fed %i bytes at a time',
    (chunk) => {
      const { messages, keepalives } = feed(stream, chunk);
      expect(messages).toEqual([a, b, a]);
      expect(keepalives).toBe(6);
    },
  );

  it('waits for the whole body', () => {
    expect(frameStream(Buffer.from(a).subarray(0, a.length - 2))).toEqual({ kind: 'incomplete' });
  });

  it('refuses a stream message without or with a bad Content-Length, answerable', () => {
    const missing = frameStream(Buffer.from(msg('x').replace(/Content-Length: 1\r\n/, '')));
    expect(missing.kind).toBe('error');
    if (missing.kind === 'error') {
      expect(missing.error.kind).toBe('content-length');
      expect(missing.error.identity?.callId).toBe('f1@192.0.2.1');
    }
    const negative = frameStream(Buffer.from(msg('x', '-1')));
    expect(negative.kind === 'error' && negative.error.responseStatus).toBe(400);
  });

  it('refuses what exceeds the size limit instead of buffering forever', () => {
    const noEnd = Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nX: ' + 'y'.repeat(2000));
    const r = frameStream(noEnd, { maxMessageBytes: 1000 });
    expect(r.kind === 'error' && r.error.code).toBe('HG_ERR_SIP_LIMIT');
    const big = frameStream(Buffer.from(msg('x', '5000')), { maxMessageBytes: 1000 });
    expect(big.kind === 'error' && big.error.responseStatus).toBe(513);
  });
});
