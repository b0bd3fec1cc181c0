/**
 * SIP message parser benchmark (`npm run bench -- sip-parse`): µs per parse for typical messages
 * and for 64 KiB pathological datagrams, with default and with lifted limits (the latter shows the
 * parser itself stays linear when the limits do not cut it short). Returns JSON.
 */
import { readFileSync } from 'node:fs';
import { parseMessage, type ParseLimits } from '../src/sip/message/index.js';

const fixture = (path: string): Buffer =>
  readFileSync(new URL(`../test-fixtures/sip/${path}`, import.meta.url));

function pathological(): Record<string, Buffer> {
  const head =
    'INVITE sip:a@198.51.100.5 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n' +
    'From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x@y\r\nCSeq: 1 INVITE\r\n';
  const fill = (unit: string): string =>
    unit.repeat(Math.floor((65_000 - head.length) / unit.length));
  return {
    whitespaceRun: Buffer.from(`${head}Subject: ${fill(' \t')}x\r\n\r\n`),
    blankishLines: Buffer.from(head + fill(' \t \r\n')),
    thousandsOfHeaders: Buffer.from(`${head}${fill('a:b\r\n')}\r\n`),
    unbalancedQuote: Buffer.from(`${head}Contact: "${fill('a,')}\r\n\r\n`),
    unbalancedAngle: Buffer.from(`${head}Route: <${fill('sip:a,')}\r\n\r\n`),
    longFoldedHeader: Buffer.from(`${head}Subject: x\r\n${fill(' y\r\n')}\r\n`),
    manyParameters: Buffer.from(head.replace('tag=1', `tag=1${fill(';a')}`) + '\r\n'),
    onlyCrlf: Buffer.from(fill('\r\n')),
  };
}

function microsPerParse(data: Buffer, limits: Partial<ParseLimits> | undefined): number {
  const budgetMs = 200;
  // Warm up by time, so the JIT has optimized the parser before measuring.
  const warm = performance.now();
  while (performance.now() - warm < 100) parseMessage(data, limits);
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    for (let i = 0; i < 10; i++) parseMessage(data, limits);
    n += 10;
  }
  return Math.round(((performance.now() - started) * 1000 * 100) / n) / 100;
}

export default async function run(): Promise<Record<string, unknown>> {
  await Promise.resolve();
  const lifted = { maxLineLength: 1 << 20, maxHeaders: 1 << 20, maxMessageBytes: 1 << 20 };
  const typical = {
    inviteWithSdp: fixture('valid/invite-with-sdp.sip'),
    ok200WithSdp: fixture('valid/response-200-invite.sip'),
    bye: fixture('valid/bye.sip'),
  };
  const result: Record<string, unknown> = { unit: 'µs per parse', node: process.version };
  const typicalOut: Record<string, number> = {};
  for (const [name, data] of Object.entries(typical))
    typicalOut[name] = microsPerParse(data, undefined);
  result['typical'] = typicalOut;
  const patho: Record<string, { bytes: number; defaultLimits: number; liftedLimits: number }> = {};
  for (const [name, data] of Object.entries(pathological())) {
    patho[name] = {
      bytes: data.length,
      defaultLimits: microsPerParse(data, undefined),
      liftedLimits: microsPerParse(data, lifted),
    };
  }
  result['pathological64KiB'] = patho;
  return result;
}

if (
  process.argv[1] !== undefined &&
  import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))
) {
  console.log(JSON.stringify(await run(), null, 2));
}
