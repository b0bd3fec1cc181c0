import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, it, expect } from 'vitest';
import {
  createResponse,
  parseMessage,
  type SipMessage,
  type SipRequest,
} from '../message/index.js';
import { TransportLayer } from './transport-layer.js';
import type { InboundContext, TransportOptions } from './types.js';

function request(branch: string, callId = 'tcp-call@test', body = ''): string {
  return [
    'MESSAGE sip:holdgate@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/TCP 192.0.2.7:16001;branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:alice@example.com>;tag=a1',
    'To: <sip:holdgate@127.0.0.1>',
    `Call-ID: ${callId}`,
    'CSeq: 1 MESSAGE',
    'Content-Type: text/plain',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function parsed(text: string): SipMessage {
  const r = parseMessage(Buffer.from(text));
  if (!r.ok) throw r.error;
  return r.message;
}

interface Received {
  message: SipMessage;
  ctx: InboundContext;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startLayer(extra: Partial<TransportOptions> = {}, address = '127.0.0.1') {
  const layer = new TransportLayer({ listen: [{ protocol: 'tcp', address, port: 0 }], ...extra });
  cleanups.push(() => layer.close());
  const inbox: Received[] = [];
  const closed: { id: string; error: Error | undefined }[] = [];
  layer.setListener({
    onMessage: (message, ctx) => {
      inbox.push({ message, ctx });
    },
    onConnectionClosed: (id, error) => {
      closed.push({ id, error });
    },
  });
  await layer.start();
  const port = layer.localEndpoints()[0]!.port;
  return { layer, inbox, closed, port };
}

interface Peer {
  socket: Socket;
  data: () => string;
  closed: () => boolean;
}

async function dial(port: number, host = '127.0.0.1'): Promise<Peer> {
  const socket = connect({ port, host });
  let text = '';
  let isClosed = false;
  socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
  socket.on('close', () => (isClosed = true));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  cleanups.push(() => {
    socket.destroy();
  });
  return { socket, data: () => text, closed: () => isClosed };
}

/** A plain TCP peer that records connections and bytes. */
async function rawServer(
  host = '127.0.0.1',
): Promise<{ server: Server; port: number; conns: Socket[]; data: () => string }> {
  const conns: Socket[] = [];
  let text = '';
  const server = createServer((s) => {
    conns.push(s);
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const c of conns) c.destroy();
        server.close(() => resolve());
      }),
  );
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  return { server, port: addr.port, conns, data: () => text };
}

async function until(check: () => boolean, ms = 1500): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('TransportLayer over TCP', () => {
  it('frames two messages arriving in one segment, with bodies', async () => {
    const { inbox, port } = await startLayer();
    const peer = await dial(port);
    peer.socket.write(
      request('z9hG4bKone', 'c1', 'héllo') + request('z9hG4bKtwo', 'c2', 'second body'),
    );
    await until(() => inbox.length === 2);
    expect(inbox.map((r) => r.message.get('call-id'))).toEqual(['c1', 'c2']);
    expect(inbox[0]!.message.body.toString()).toBe('héllo');
    expect(inbox[1]!.message.body.toString()).toBe('second body');
    expect(inbox[0]!.ctx.connectionId).toBeDefined();
    expect(inbox[0]!.ctx.connectionId).toBe(inbox[1]!.ctx.connectionId);
    expect(inbox[0]!.ctx.source).toEqual({
      protocol: 'tcp',
      address: '127.0.0.1',
      port: peer.socket.localPort,
    });
    // received is stamped on TCP too (sent-by 192.0.2.7 differs from the source)
    expect(inbox[0]!.message.get('via')).toBe(
      'SIP/2.0/TCP 192.0.2.7:16001;branch=z9hG4bKone;received=127.0.0.1',
    );
  });

  it('reassembles a message fed one byte at a time', async () => {
    const { inbox, port } = await startLayer();
    const peer = await dial(port);
    const bytes = Buffer.from(request('z9hG4bKbytes', 'split', 'body-split'));
    for (const b of bytes) {
      peer.socket.write(Buffer.from([b]));
      await tick();
    }
    await until(() => inbox.length === 1);
    expect(inbox[0]!.message.body.toString()).toBe('body-split');
    expect(inbox[0]!.message.serialize().toString()).toBe(
      bytes.toString().replace('branch=z9hG4bKbytes', 'branch=z9hG4bKbytes;received=127.0.0.1'),
    );
  });

  it('frames across segment boundaries that cut a body and the next message', async () => {
    const { inbox, port } = await startLayer();
    const peer = await dial(port);
    const headers = Array.from({ length: 200 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(60)}`);
    const big = request('z9hG4bKbig', 'big', 'b'.repeat(2000)).replace(
      'Max-Forwards: 70',
      ['Max-Forwards: 70', ...headers].join('\r\n'),
    );
    const small = request('z9hG4bKsmall', 'small', 'tail');
    const all = Buffer.from(big + small);
    const cuts = [
      50,
      big.length - 1500,
      big.length - 700,
      big.length - 1,
      big.length + 20,
      all.length,
    ];
    let from = 0;
    for (const cut of cuts) {
      peer.socket.write(all.subarray(from, cut));
      from = cut;
      await tick(5);
    }
    await until(() => inbox.length === 2);
    expect(inbox[0]!.message.body.length).toBe(2000);
    expect(inbox[0]!.message.getAll('x-filler-199')).toHaveLength(1);
    expect(inbox[1]!.message.body.toString()).toBe('tail');
  });

  it('reuses one connection for concurrent and later sends to the same endpoint', async () => {
    const { layer } = await startLayer();
    const peer = await rawServer();
    const to = { protocol: 'tcp', address: '127.0.0.1', port: peer.port } as const;
    await Promise.all([
      layer.send(parsed(request('z9hG4bKr1', 'r1')), to),
      layer.send(parsed(request('z9hG4bKr2', 'r2')), to),
    ]);
    await layer.send(parsed(request('z9hG4bKr3', 'r3')), to);
    await until(() => (peer.data().match(/^MESSAGE /gm) ?? []).length === 3);
    expect(peer.conns).toHaveLength(1);
    expect(layer.stats.tcpConnections).toBe(1);
    expect(layer.stats.sent).toBe(3);
    // the listening address is used as the source address of outgoing connections
    expect(peer.conns[0]!.remoteAddress).toBe('127.0.0.1');
  });

  it('sends the response on the connection the request came on', async () => {
    const { layer, inbox, port } = await startLayer();
    const peer = await dial(port);
    peer.socket.write(request('z9hG4bKback'));
    await until(() => inbox.length === 1);
    const { message, ctx } = inbox[0]!;
    await layer.sendResponse(createResponse(message as SipRequest, 200), ctx.connectionId);
    await until(() => peer.data().includes('\r\n\r\n'));
    expect(peer.data()).toMatch(/^SIP\/2\.0 200 /);
    expect(peer.data()).toContain('branch=z9hG4bKback');
    expect(layer.stats.tcpConnections).toBe(1);
    // and the incoming connection is reused for a request to the peer's address:port
    await layer.send(parsed(request('z9hG4bKreuse', 'reuse')), {
      protocol: 'tcp',
      address: '127.0.0.1',
      port: peer.socket.localPort!,
    });
    await until(() => peer.data().includes('Call-ID: reuse'));
    expect(layer.stats.tcpConnections).toBe(1);
  });

  it('answers a framing error (no Content-Length) and closes the connection', async () => {
    const { layer, inbox, port } = await startLayer();
    const peer = await dial(port);
    peer.socket.write(request('z9hG4bKnocl').replace(/Content-Length: 0\r\n/, ''));
    await until(() => peer.closed());
    expect(inbox).toHaveLength(0);
    expect(layer.stats.parseErrors).toBe(1);
    expect(layer.stats.badRequestsAnswered + layer.stats.dropped).toBe(1);
    if (layer.stats.badRequestsAnswered === 1) expect(peer.data()).toMatch(/^SIP\/2\.0 4\d\d /);
  });

  it('answers a parse error on a well-framed message and keeps the connection', async () => {
    const { layer, inbox, port } = await startLayer();
    const peer = await dial(port);
    peer.socket.write(request('z9hG4bKmf').replace('Max-Forwards: 70', 'Max-Forwards: many'));
    await until(() => peer.data().includes('\r\n\r\n'));
    expect(peer.data()).toMatch(/^SIP\/2\.0 400 /);
    peer.socket.write(request('z9hG4bKok'));
    await until(() => inbox.length === 1);
    expect(layer.stats.badRequestsAnswered).toBe(1);
    expect(peer.closed()).toBe(false);
  });

  it('closes an idle connection and reports it without an error', async () => {
    const { layer, closed, port } = await startLayer({ tcpIdleTimeoutMs: 150 });
    const peer = await dial(port);
    await until(() => layer.stats.tcpConnections === 1);
    const t0 = Date.now();
    await until(() => peer.closed());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await until(() => closed.length === 1);
    expect(closed[0]!.error).toBeUndefined();
    expect(layer.stats.tcpConnections).toBe(0);
  });

  it('closes a connection whose message stays half received', async () => {
    const { closed, port } = await startLayer({
      tcpIdleTimeoutMs: 10_000,
      tcpIncompleteMessageTimeoutMs: 150,
    });
    const peer = await dial(port);
    const half = request('z9hG4bKhalf', 'half', 'some body');
    peer.socket.write(half.slice(0, half.length - 4)); // headers complete, body short
    const t0 = Date.now();
    await until(() => peer.closed());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await until(() => closed.length === 1);
    expect(closed[0]!.error).toMatchObject({ code: 'HG_ERR_SIP_TRANSPORT' });
  });

  it('does not time out a connection that only pauses between complete messages', async () => {
    const { inbox, port } = await startLayer({
      tcpIdleTimeoutMs: 10_000,
      tcpIncompleteMessageTimeoutMs: 100,
    });
    const peer = await dial(port);
    peer.socket.write(request('z9hG4bKp1', 'p1'));
    await tick(250);
    peer.socket.write(request('z9hG4bKp2', 'p2'));
    await until(() => inbox.length === 2);
    expect(peer.closed()).toBe(false);
  });

  it('rejects a send to a closed port with HG_ERR_SIP_TRANSPORT', async () => {
    const { layer } = await startLayer();
    const tmp = await rawServer();
    await new Promise<void>((resolve) => tmp.server.close(() => resolve()));
    await expect(
      layer.send(parsed(request('z9hG4bKrefused')), {
        protocol: 'tcp',
        address: '127.0.0.1',
        port: tmp.port,
      }),
    ).rejects.toMatchObject({
      code: 'HG_ERR_SIP_TRANSPORT',
      details: { socketError: 'ECONNREFUSED' },
    });
  });

  it('answers a double-CRLF ping with one CRLF pong and ignores a single CRLF', async () => {
    const { inbox, port } = await startLayer();
    const peer = await dial(port);
    peer.socket.write('\r\n\r\n');
    await until(() => peer.data().length > 0);
    expect(peer.data()).toBe('\r\n');
    peer.socket.write('\r\n');
    peer.socket.write(request('z9hG4bKafterka'));
    await until(() => inbox.length === 1);
    await tick(30);
    expect(peer.data()).toBe('\r\n');
    // a ping split across segments is still a ping
    peer.socket.write('\r\n');
    await tick(20);
    peer.socket.write('\r\n');
    await until(() => peer.data() === '\r\n\r\n');
  });

  it('reports a connection reset by the peer to onConnectionClosed with an error', async () => {
    const { layer, closed, inbox, port } = await startLayer();
    const peer = await dial(port);
    peer.socket.write(request('z9hG4bKrst'));
    await until(() => inbox.length === 1);
    peer.socket.resetAndDestroy();
    await until(() => closed.length === 1);
    expect(closed[0]!.id).toBe(inbox[0]!.ctx.connectionId);
    expect(closed[0]!.error).toMatchObject({ code: 'HG_ERR_SIP_TRANSPORT' });
    expect(layer.stats.tcpConnections).toBe(0);
    // the response then falls back to a new connection to received/sent-by port (refused here)
    await expect(
      layer.sendResponse(
        createResponse(inbox[0]!.message as SipRequest, 200),
        inbox[0]!.ctx.connectionId,
      ),
    ).rejects.toMatchObject({ code: 'HG_ERR_SIP_TRANSPORT' });
  });

  it('close() is idempotent and later sends reject', async () => {
    const { layer } = await startLayer();
    const peer = await rawServer();
    await Promise.all([layer.close(), layer.close()]);
    await expect(
      layer.send(parsed(request('z9hG4bKafter')), {
        protocol: 'tcp',
        address: '127.0.0.1',
        port: peer.port,
      }),
    ).rejects.toMatchObject({ code: 'HG_ERR_SIP_TRANSPORT' });
  });

  it('enforces maxTcpConnections on incoming connections', async () => {
    const { layer, port } = await startLayer({ maxTcpConnections: 1 });
    await dial(port);
    await until(() => layer.stats.tcpConnections === 1);
    const second = await dial(port);
    await until(() => second.closed());
    expect(layer.stats.tcpConnections).toBe(1);
    const peer = await rawServer();
    await expect(
      layer.send(parsed(request('z9hG4bKcap')), {
        protocol: 'tcp',
        address: '127.0.0.1',
        port: peer.port,
      }),
    ).rejects.toMatchObject({ code: 'HG_ERR_SIP_TRANSPORT' });
  });
});
