import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, it, expect } from 'vitest';
import {
  createRequest,
  createResponse,
  type SipMessage,
  type SipRequest,
} from '../message/index.js';
import { TransportLayer } from './transport-layer.js';
import type { Endpoint, InboundContext } from './types.js';

const SECOND_VIA =
  'Via: SIP/2.0/UDP 10.9.9.9:5070;branch=z9hG4bKsecond;x=KEEP , SIP/2.0/UDP 10.8.8.8';

function options(via: string, extra: readonly string[] = [], version = 'SIP/2.0'): string {
  return [
    `OPTIONS sip:holdgate@127.0.0.1 ${version}`,
    `Via: ${via}`,
    SECOND_VIA,
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:holdgate@127.0.0.1>',
    'Call-ID: udp-call-1@test',
    'CSeq: 1 OPTIONS',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

interface Received {
  message: SipMessage;
  ctx: InboundContext;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function startLayer(
  address = '127.0.0.1',
): Promise<{ layer: TransportLayer; inbox: Received[]; port: number }> {
  const layer = new TransportLayer({ listen: [{ protocol: 'udp', address, port: 0 }] });
  cleanups.push(() => layer.close());
  const inbox: Received[] = [];
  layer.setListener({
    onMessage: (message, ctx) => {
      inbox.push({ message, ctx });
    },
  });
  await layer.start();
  const ep = layer.localEndpoints()[0];
  if (ep === undefined) throw new Error('no endpoint');
  return { layer, inbox, port: ep.port };
}

async function client(
  type: 'udp4' | 'udp6' = 'udp4',
  address = '127.0.0.1',
): Promise<{ socket: Socket; port: number; inbox: Buffer[] }> {
  const socket = createSocket(type);
  const inbox: Buffer[] = [];
  socket.on('message', (m) => inbox.push(m));
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return { socket, port: socket.address().port, inbox };
}

async function until(check: () => boolean, ms = 1000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function send(socket: Socket, text: string | Buffer, port: number, address = '127.0.0.1'): void {
  socket.send(typeof text === 'string' ? Buffer.from(text) : text, port, address);
}

describe('TransportLayer over UDP', () => {
  it('stamps received and rport on the top Via only and reports the source', async () => {
    const { inbox, port } = await startLayer();
    const c = await client();
    send(c.socket, options('SIP/2.0/UDP 192.0.2.5:5060;rport;branch=z9hG4bKtop1'), port);
    await until(() => inbox.length === 1);
    const { message, ctx } = inbox[0]!;
    expect(ctx.source).toEqual({ protocol: 'udp', address: '127.0.0.1', port: c.port });
    expect(ctx.connectionId).toBeUndefined();
    const vias = message.getAll('via');
    expect(vias[0]).toBe(
      `SIP/2.0/UDP 192.0.2.5:5060;rport=${c.port};branch=z9hG4bKtop1;received=127.0.0.1`,
    );
    expect(vias.slice(1)).toEqual([
      'SIP/2.0/UDP 10.9.9.9:5070;branch=z9hG4bKsecond;x=KEEP',
      'SIP/2.0/UDP 10.8.8.8',
    ]);
    expect(message.serialize().toString()).toContain(`\r\n${SECOND_VIA}\r\n`);
  });

  it('leaves the Via untouched when sent-by matches the source and there is no rport', async () => {
    const { inbox, port } = await startLayer();
    const c = await client();
    const text = options(`SIP/2.0/UDP 127.0.0.1:${c.port};branch=z9hG4bKsame`);
    send(c.socket, text, port);
    await until(() => inbox.length === 1);
    expect(inbox[0]!.message.serialize().toString()).toBe(text);
  });

  it('adds received when the sent-by host differs even without rport', async () => {
    const { inbox, port } = await startLayer();
    const c = await client();
    send(c.socket, options('SIP/2.0/UDP pbx.example.com;branch=z9hG4bKname'), port);
    await until(() => inbox.length === 1);
    expect(inbox[0]!.message.getAll('via')[0]).toBe(
      'SIP/2.0/UDP pbx.example.com;branch=z9hG4bKname;received=127.0.0.1',
    );
  });

  it('routes a response to received/rport, not to the sent-by address', async () => {
    const { layer, inbox, port } = await startLayer();
    const c = await client();
    send(c.socket, options('SIP/2.0/UDP 192.0.2.5:5060;rport;branch=z9hG4bKresp'), port);
    await until(() => inbox.length === 1);
    const req = inbox[0]!.message as SipRequest;
    await layer.sendResponse(createResponse(req, 200), undefined);
    await until(() => c.inbox.length === 1);
    const text = c.inbox[0]!.toString();
    expect(text.startsWith('SIP/2.0 200 ')).toBe(true);
    expect(text).toContain(`rport=${c.port}`);
    expect(layer.stats.sent).toBe(1);
  });

  it('answers an identifiable malformed request with 400 and SIP/3.0 with 505', async () => {
    const { layer, inbox, port } = await startLayer();
    const c = await client();
    send(
      c.socket,
      options('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKbad1', [], 'SIP/2.0').replace(
        'Max-Forwards: 70',
        'Max-Forwards: seventy',
      ),
      port,
    );
    await until(() => c.inbox.length === 1);
    expect(c.inbox[0]!.toString()).toMatch(/^SIP\/2\.0 400 /);
    expect(c.inbox[0]!.toString()).toContain('branch=z9hG4bKbad1');
    send(c.socket, options('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKbad2', [], 'SIP/3.0'), port);
    await until(() => c.inbox.length === 2);
    expect(c.inbox[1]!.toString()).toMatch(/^SIP\/2\.0 505 /);
    expect(inbox).toHaveLength(0);
    expect(layer.stats.badRequestsAnswered).toBe(2);
    expect(layer.stats.parseErrors).toBe(2);
  });

  it('drops and counts garbage, and traffic after it still flows', async () => {
    const { layer, inbox, port } = await startLayer();
    const c = await client();
    send(c.socket, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x7f]), port);
    send(c.socket, 'HELLO WORLD\r\n\r\n', port);
    send(c.socket, '\r\n\r\n', port); // keep-alive: ignored, not counted
    send(c.socket, options('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKafter'), port);
    await until(() => inbox.length === 1);
    expect(layer.stats.dropped).toBe(2);
    expect(layer.stats.parseErrors).toBe(2);
    expect(layer.stats.received).toBe(3);
    expect(layer.stats.badRequestsAnswered).toBe(0);
    expect(c.inbox).toHaveLength(0);
  });

  it('a throwing listener does not break the socket', async () => {
    const { layer, port } = await startLayer();
    let calls = 0;
    layer.setListener({
      onMessage: () => {
        calls++;
        throw new Error('listener bug');
      },
    });
    const c = await client();
    send(c.socket, options('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKt1'), port);
    send(c.socket, options('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKt2'), port);
    await until(() => calls === 2);
  });

  it('sends a request to an explicit endpoint', async () => {
    const { layer, inbox, port } = await startLayer();
    const c = await client();
    send(c.socket, options('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKfwd'), port);
    await until(() => inbox.length === 1);
    const to: Endpoint = { protocol: 'udp', address: '127.0.0.1', port: c.port };
    await layer.send(inbox[0]!.message, to);
    await until(() => c.inbox.length === 1);
    expect(c.inbox[0]!.toString()).toMatch(/^OPTIONS sip:holdgate@127\.0\.0\.1 SIP\/2\.0\r\n/);
  });

  it('rejects sends with HG_ERR_SIP_TRANSPORT for protocols it does not have', async () => {
    const { layer, inbox, port } = await startLayer();
    const c = await client();
    send(c.socket, options('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKnotcp'), port);
    await until(() => inbox.length === 1);
    await expect(
      layer.send(inbox[0]!.message, { protocol: 'tcp', address: '127.0.0.1', port: 1 }),
    ).rejects.toMatchObject({
      code: 'HG_ERR_SIP_TRANSPORT',
    });
  });

  it('rejects a datagram too large for UDP with HG_ERR_SIP_TRANSPORT', async () => {
    const { layer } = await startLayer();
    const big = createRequest({
      method: 'MESSAGE',
      uri: 'sip:x@127.0.0.1',
      headers: [
        ['Via', 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKbig'],
        ['From', '<sip:a@example.com>;tag=1'],
        ['To', '<sip:x@127.0.0.1>'],
        ['Call-ID', 'big@test'],
        ['CSeq', '1 MESSAGE'],
      ],
      body: Buffer.alloc(70_000, 0x61),
    });
    await expect(
      layer.send(big, { protocol: 'udp', address: '127.0.0.1', port: 9 }),
    ).rejects.toMatchObject({
      code: 'HG_ERR_SIP_TRANSPORT',
    });
    expect(layer.stats.sent).toBe(0);
  });

  it('sentBy reports the bound address and port; start fails cleanly on a taken port', async () => {
    const { layer, port } = await startLayer();
    expect(layer.sentBy('udp', 4)).toEqual({ host: '127.0.0.1', port });
    expect(layer.isReliable('udp')).toBe(false);
    expect(layer.isReliable('tcp')).toBe(true);
    const clash = new TransportLayer({ listen: [{ protocol: 'udp', address: '127.0.0.1', port }] });
    await expect(clash.start()).rejects.toMatchObject({ code: 'HG_ERR_SIP_TRANSPORT' });
    await clash.close();
  });
});
