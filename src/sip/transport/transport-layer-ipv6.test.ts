import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, it, expect } from 'vitest';
import { createResponse, type SipMessage, type SipRequest } from '../message/index.js';
import { TransportLayer } from './transport-layer.js';
import type { InboundContext } from './types.js';

function options(transport: 'UDP' | 'TCP', sentBy: string, branch: string): string {
  return [
    'OPTIONS sip:holdgate@[::1] SIP/2.0',
    `Via: SIP/2.0/${transport} ${sentBy};rport;branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:alice@[2001:db8::5]>;tag=a6',
    'To: <sip:holdgate@[::1]>',
    'Call-ID: v6-call@test',
    'CSeq: 7 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(check: () => boolean, ms = 1500): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function startLayer(
  listen: ConstructorParameters<typeof TransportLayer>[0]['listen'],
  advertisedAddress?: string,
) {
  const layer = new TransportLayer(
    advertisedAddress === undefined ? { listen } : { listen, advertisedAddress },
  );
  cleanups.push(() => layer.close());
  const inbox: { message: SipMessage; ctx: InboundContext }[] = [];
  layer.setListener({ onMessage: (message, ctx) => inbox.push({ message, ctx }) });
  await layer.start();
  return { layer, inbox };
}

describe('TransportLayer over IPv6', () => {
  it('UDP on ::1: received/rport stamped without brackets, response routed back', async () => {
    const { layer, inbox } = await startLayer([{ protocol: 'udp', address: '::1', port: 0 }]);
    const port = layer.localEndpoints()[0]!.port;
    const sock = createSocket('udp6');
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    await new Promise<void>((resolve) => sock.bind(0, '::1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => sock.close(() => resolve())));
    const cport = sock.address().port;
    sock.send(Buffer.from(options('UDP', '[2001:db8::9]:5060', 'z9hG4bKv6u')), port, '::1');
    await until(() => inbox.length === 1);
    const { message, ctx } = inbox[0]!;
    expect(ctx.source).toEqual({ protocol: 'udp', address: '::1', port: cport });
    expect(message.get('via')).toBe(
      `SIP/2.0/UDP [2001:db8::9]:5060;rport=${cport};branch=z9hG4bKv6u;received=::1`,
    );
    await layer.sendResponse(createResponse(message as SipRequest, 200), undefined);
    await until(() => got.length === 1);
    expect(got[0]!.toString()).toMatch(/^SIP\/2\.0 200 /);
    expect(layer.sentBy('udp', 6)).toEqual({ host: '[::1]', port });
  });

  it('TCP on ::1: message in, response out on the same connection', async () => {
    const { layer, inbox } = await startLayer([{ protocol: 'tcp', address: '::1', port: 0 }]);
    const port = layer.localEndpoints()[0]!.port;
    const sock = connect({ host: '::1', port });
    let data = '';
    sock.on('data', (d: Buffer) => (data += d.toString()));
    sock.on('error', () => undefined);
    cleanups.push(() => {
      sock.destroy();
    });
    await new Promise<void>((resolve) => sock.once('connect', resolve));
    sock.write(options('TCP', '[::1]:5999', 'z9hG4bKv6t'));
    await until(() => inbox.length === 1);
    const { message, ctx } = inbox[0]!;
    expect(ctx.source.address).toBe('::1');
    expect(ctx.local).toEqual({ protocol: 'tcp', address: '::1', port });
    await layer.sendResponse(createResponse(message as SipRequest, 200), ctx.connectionId);
    await until(() => data.includes('\r\n\r\n'));
    expect(data).toMatch(/^SIP\/2\.0 200 /);
  });

  it('a dual-stack :: UDP listener reports IPv4 sources as plain IPv4 and answers them', async () => {
    const { layer, inbox } = await startLayer(
      [{ protocol: 'udp', address: '::', port: 0 }],
      '198.51.100.10',
    );
    const port = layer.localEndpoints()[0]!.port;
    const sock = createSocket('udp4');
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => sock.close(() => resolve())));
    sock.send(Buffer.from(options('UDP', '192.0.2.1:5060', 'z9hG4bKdual')), port, '127.0.0.1');
    await until(() => inbox.length === 1);
    expect(inbox[0]!.ctx.source.address).toBe('127.0.0.1');
    await layer.sendResponse(createResponse(inbox[0]!.message as SipRequest, 200), undefined);
    await until(() => got.length === 1);
    expect(layer.sentBy('udp', 4)).toEqual({ host: '198.51.100.10', port });
  });

  it('listens on IPv4 and IPv6 at once', async () => {
    const { layer } = await startLayer([
      { protocol: 'udp', address: '127.0.0.1', port: 0 },
      { protocol: 'udp', address: '::1', port: 0 },
      { protocol: 'tcp', address: '127.0.0.1', port: 0 },
      { protocol: 'tcp', address: '::1', port: 0 },
    ]);
    const eps = layer.localEndpoints();
    expect(eps.map((e) => `${e.protocol} ${e.address}`)).toEqual([
      'udp 127.0.0.1',
      'udp ::1',
      'tcp 127.0.0.1',
      'tcp ::1',
    ]);
    expect(eps.every((e) => e.port > 0)).toBe(true);
    expect(layer.sentBy('tcp', 6).host).toBe('[::1]');
    expect(layer.sentBy('tcp', 4).host).toBe('127.0.0.1');
  });
});
