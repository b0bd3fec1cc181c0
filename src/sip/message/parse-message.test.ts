import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildErrorResponse } from './build-error-response.js';
import { parseMessage } from './parse-message.js';
import type { SipMessage } from './types.js';

const root = new URL('../../../test-fixtures/sip/', import.meta.url);

interface Fixture {
  readonly name: string;
  readonly data: Buffer;
  readonly expect: Record<string, unknown> | undefined;
}

function fixtures(dir: string): Fixture[] {
  const folder = new URL(`${dir}/`, root);
  return readdirSync(folder)
    .filter((n) => n.endsWith('.sip'))
    .map((n) => {
      const expectFile = new URL(n.replace(/\.sip$/, '.expect.json'), folder);
      return {
        name: n,
        data: readFileSync(new URL(n, folder)),
        expect: existsSync(expectFile)
          ? (JSON.parse(readFileSync(expectFile, 'utf8')) as Record<string, unknown>)
          : undefined,
      };
    });
}

function parsed(data: Buffer): SipMessage {
  const result = parseMessage(data);
  if (!result.ok) throw result.error;
  return result.message;
}

const accepted = [...fixtures('valid'), ...fixtures('odd')];
const malformed = fixtures('malformed');

describe('golden fixtures', () => {
  it('has the fixture set the issue asks for', () => {
    expect(accepted.length).toBeGreaterThanOrEqual(15);
    expect(malformed.length).toBeGreaterThanOrEqual(15);
    // CRLF on the wire, not an editor's LF (the lf-line-endings fixture excepted).
    expect(accepted.filter((f) => f.data.includes('\r\n')).length).toBe(accepted.length - 1);
  });

  it.each(accepted)('$name parses and re-serializes byte for byte', ({ data, expect: exp }) => {
    const message = parsed(data);
    const lead = Number(exp?.['leadingDiscarded'] ?? 0);
    const trail = Number(exp?.['trailingDiscarded'] ?? 0);
    expect(message.serialize().equals(data.subarray(lead, data.length - trail))).toBe(true);
    if (typeof exp?.['body'] === 'string') expect(message.body.toString()).toBe(exp['body']);
    // A changed message is rebuilt from the raw field lines: still identical apart from the edit.
    const copy = message.clone();
    copy.append('X-Probe', '1');
    const rebuilt = copy.serialize().toString('latin1');
    expect(rebuilt).toContain('X-Probe: 1\r\n');
    expect(copy.get('call-id')).toBe(message.get('call-id'));
  });

  it.each(malformed)('$name is refused as expected', ({ data, expect: exp }) => {
    const result = parseMessage(data);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const response = buildErrorResponse(result.error);
    if (exp?.['drop'] === true) {
      expect(response).toBeUndefined();
      return;
    }
    expect(result.error.responseStatus).toBe(exp?.['status']);
    expect(result.error.kind).toBe(exp?.['kind']);
    expect(response?.status).toBe(exp?.['status']);
    // The answer is routable: a response status line and the request's Vias, in order.
    const wire = response!.serialize().toString('latin1');
    expect(wire.startsWith(`SIP/2.0 ${String(exp?.['status'])} ${result.error.reason}\r\n`)).toBe(
      true,
    );
    expect(response!.getAll('via')).toEqual(result.error.identity?.vias);
    expect(wire.endsWith('Content-Length: 0\r\n\r\n')).toBe(true);
  });
});

describe('parseMessage', () => {
  const invite = readFileSync(new URL('valid/invite-with-sdp.sip', root));

  it('exposes start line, headers and a byte-exact body', () => {
    const message = parsed(invite);
    expect(message.kind).toBe('request');
    if (message.kind !== 'request') return;
    expect(message.method).toBe('INVITE');
    expect(message.uri).toBe('sip:+4940555000@198.51.100.5');
    expect(message.version).toBe('SIP/2.0');
    expect(message.get('CALL-ID')).toBe('3848276298220188511@192.0.2.10');
    expect(message.getAll('allow')).toEqual([
      'INVITE',
      'ACK',
      'CANCEL',
      'BYE',
      'OPTIONS',
      'UPDATE',
      'INFO',
    ]);
    expect(message.body.length).toBe(Number(message.get('l')));
    expect(message.body.toString()).toMatch(/^v=0\r\n/);
  });

  it('reads compact forms, folding and odd whitespace', () => {
    const compact = parsed(readFileSync(new URL('odd/compact-forms.sip', root)));
    expect(compact.get('Via')).toBe('SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKcmp1');
    expect(compact.get('subject')).toBe('Order status');
    expect(compact.headers.find((h) => h.key === 'call-id')?.name).toBe('i');
    const folded = parsed(readFileSync(new URL('odd/folded-headers.sip', root)));
    expect(folded.get('subject')).toBe('a subject that spans three lines');
    expect(folded.get('cseq')).toBe('1 INVITE');
    expect(folded.headers.find((h) => h.key === 'subject')?.raw).toBe(
      'Subject: a subject\r\n\tthat spans\r\n  three lines',
    );
    const ws = parsed(readFileSync(new URL('odd/odd-whitespace.sip', root)));
    expect(ws.get('to')).toBe('<sip:holdgate@198.51.100.1>');
    expect(ws.get('content-length')).toBe('0');
  });

  it('splits list headers at top-level commas only', () => {
    const m = parsed(readFileSync(new URL('odd/multi-value-lines.sip', root)));
    expect(m.getAll('via')).toHaveLength(3);
    expect(m.getAll('route')).toEqual([
      '<sip:198.51.100.9;lr>',
      '<sip:203.0.113.2;lr;transport=tcp>',
      '<sip:198.51.100.5;lr>',
    ]);
    expect(m.getAll('contact')[0]).toBe('"Doe, John" <sip:jd@192.0.2.10>;q=0.7');
    const auth = parsed(readFileSync(new URL('odd/digest-authorization.sip', root)));
    expect(auth.getAll('authorization')).toHaveLength(1);
    expect(auth.get('date')).toBe('Sat, 13 Nov 2010 23:29:00 GMT');
  });

  it('keeps Latin-1 header text byte-exact', () => {
    const data = readFileSync(new URL('odd/latin1-display-name.sip', root));
    const m = parsed(data);
    expect(m.get('from')).toContain('Jörg Müller');
    m.set('Subject', 'x');
    expect(m.serialize().includes(Buffer.from('"J\xf6rg M\xfcller"', 'latin1'))).toBe(true);
  });

  it('answers a refused request from what it could identify (RFC 3261 §8.2.6)', () => {
    const data = readFileSync(new URL('malformed/cseq-method-mismatch.sip', root));
    const result = parseMessage(data);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('HG_ERR_SIP_PARSE');
    expect(result.error.identity?.method).toBe('INVITE');
    const response = buildErrorResponse(result.error)!;
    expect(response.status).toBe(400);
    expect(response.reason).toBe('Bad Request - CSeq Method Does Not Match Request');
    expect(response.get('via')).toBe('SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK74bf9c0a7d;rport');
    expect(response.get('cseq')).toBe('1 OPTIONS');
    expect(response.get('call-id')).toBe('3848276298220188511@192.0.2.10');
  });

  it('enforces configurable limits with HG_ERR_SIP_LIMIT', () => {
    const tooBig = parseMessage(invite, { maxMessageBytes: 200 });
    expect(tooBig.ok).toBe(false);
    if (!tooBig.ok)
      expect([tooBig.error.code, tooBig.error.responseStatus]).toEqual(['HG_ERR_SIP_LIMIT', 513]);
    const tooMany = parseMessage(invite, { maxHeaders: 5 });
    expect(!tooMany.ok && tooMany.error.kind).toBe('limit');
    const tooLong = parseMessage(invite, { maxLineLength: 40 });
    expect(!tooLong.ok && tooLong.error.kind).toBe('limit');
  });

  it('requires Content-Length on streams only (RFC 3261 §18.3)', () => {
    const data = readFileSync(new URL('odd/no-content-length-datagram.sip', root));
    expect(parseMessage(data).ok).toBe(true);
    const stream = parseMessage(data, undefined, { stream: true });
    expect(!stream.ok && stream.error.kind).toBe('content-length');
  });

  it('never throws on mutated input', () => {
    // Deterministic xorshift so a failure is reproducible.
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = Buffer.from(' \t\r\n:;,"<>[]@%\\=/\x00\xff0aZ');
    const sources = [...accepted, ...malformed].map((f) => f.data);
    for (let i = 0; i < 3000; i++) {
      const src = sources[rand(sources.length)]!;
      const buf = Buffer.from(src);
      for (let k = rand(6) + 1; k > 0; k--)
        buf[rand(buf.length)] = alphabet[rand(alphabet.length)]!;
      const cut = rand(4) === 0 ? buf.subarray(0, rand(buf.length)) : buf;
      const result = parseMessage(cut);
      if (result.ok) result.message.serialize();
      else buildErrorResponse(result.error)?.serialize();
    }
  });
});

describe('pathological input stays linear', () => {
  const head =
    'INVITE sip:a@198.51.100.5 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n' +
    'From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x@y\r\nCSeq: 1 INVITE\r\n';
  const fill = (unit: string): string =>
    unit.repeat(Math.floor((65_000 - head.length) / unit.length));
  const cases: Record<string, Buffer> = {
    'whitespace run': Buffer.from(`${head}Subject: ${fill(' \t')}x\r\n\r\n`),
    'blank-ish lines': Buffer.from(head + fill(' \t \r\n')),
    'thousands of headers': Buffer.from(`${head}${fill('a:b\r\n')}\r\n`),
    'unbalanced quote': Buffer.from(`${head}Contact: "${fill('a,')}\r\n\r\n`),
    'unbalanced angle': Buffer.from(`${head}Route: <${fill('sip:a,')}\r\n\r\n`),
    'long folded header': Buffer.from(`${head}Subject: x\r\n${fill(' y\r\n')}\r\n`),
    'many parameters': Buffer.from(head.replace('tag=1', `tag=1${fill(';a')}`) + '\r\n'),
    'long tel number': Buffer.from(
      head.replace('sip:a@198.51.100.5', `tel:+${fill('1')}x`) + '\r\n',
    ),
    'only CRLFs': Buffer.from(fill('\r\n')),
  };
  const unlimited = { maxLineLength: 1 << 20, maxHeaders: 1 << 20, maxMessageBytes: 1 << 20 };

  it.each(Object.entries(cases))('%s: 64 KiB in well under 50 ms', (_name, data) => {
    for (const limits of [undefined, unlimited]) {
      parseMessage(data, limits); // warm-up
      const started = performance.now();
      for (let i = 0; i < 5; i++) parseMessage(data, limits);
      const perParse = (performance.now() - started) / 5;
      // Generous guard against quadratic behaviour (typical: 0.1–3 ms on a loaded 2-core box).
      expect(perParse).toBeLessThan(50);
    }
  });
});
