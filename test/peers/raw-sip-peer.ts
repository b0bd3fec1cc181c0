import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';
import {
  frameStream,
  parseMessage,
  type SipMessage,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/message/index.js';

export interface PeerAddress {
  address: string;
  port: number;
}

/**
 * A scripted SIP peer for off-nominal tests: sends hand-written messages (LF line ends are turned
 * into CRLF and Content-Length is computed) and waits for received ones by predicate. It is a
 * test double of a phone or PBX on the wire, not a UA: it does exactly what the test says.
 */
export class RawSipPeer {
  readonly #received: SipMessage[] = [];
  readonly #waiters: { match: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void }[] = [];
  readonly #socket: Socket | undefined;
  #tcp: TcpSocket | undefined;
  #tcpBuffer = Buffer.alloc(0);
  readonly address: string;
  port = 0;
  /** Everything received, consumed or not, in order. */
  readonly log: SipMessage[] = [];

  private constructor(address: string, socket: Socket | undefined) {
    this.address = address;
    this.#socket = socket;
  }

  static async udp(address: string): Promise<RawSipPeer> {
    const socket = createSocket('udp4');
    const peer = new RawSipPeer(address, socket);
    socket.on('message', (data) => peer.#deliver(data));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    peer.port = socket.address().port;
    return peer;
  }

  /** A TCP client peer connected to `to` (its local address is `address`). */
  static async tcp(address: string, to: PeerAddress): Promise<RawSipPeer> {
    const peer = new RawSipPeer(address, undefined);
    const tcp = connect({ host: to.address, port: to.port, localAddress: address });
    await new Promise<void>((resolve, reject) => {
      tcp.once('connect', () => resolve());
      tcp.once('error', reject);
    });
    tcp.on('error', () => undefined);
    tcp.on('data', (chunk) => {
      peer.#tcpBuffer = Buffer.concat([peer.#tcpBuffer, chunk]);
      for (;;) {
        const frame = frameStream(peer.#tcpBuffer);
        if (frame.kind === 'incomplete' || frame.kind === 'error') return;
        const bytes = peer.#tcpBuffer.subarray(0, frame.length);
        peer.#tcpBuffer = Buffer.from(peer.#tcpBuffer.subarray(frame.length));
        if (frame.kind === 'message') peer.#deliver(Buffer.from(bytes));
      }
    });
    peer.#tcp = tcp;
    peer.port = tcp.localPort ?? 0;
    return peer;
  }

  /** `host:port` as it appears in a Via or Contact. */
  get hostport(): string {
    return `${this.address}:${this.port}`;
  }

  /** Send a message written with LF line ends; `Content-Length` is appended from the body. */
  send(text: string, to?: PeerAddress): void {
    const [head = '', ...bodyParts] = text.replace(/^\n+/, '').split('\n\n');
    const body = bodyParts.join('\n\n').replace(/\n/g, '\r\n');
    const bodyBytes = Buffer.from(body, 'utf8');
    const wire = Buffer.concat([
      Buffer.from(
        `${head.trimEnd().replace(/\n/g, '\r\n')}\r\nContent-Length: ${bodyBytes.length}\r\n\r\n`,
      ),
      bodyBytes,
    ]);
    this.sendBytes(wire, to);
  }

  sendBytes(wire: Buffer, to?: PeerAddress): void {
    if (this.#tcp) this.#tcp.write(wire);
    else if (to) this.#socket?.send(wire, to.port, to.address);
    else throw new Error('UDP peer needs a destination');
  }

  /** The next unconsumed message that matches, waiting up to `timeoutMs`. */
  next(match: (m: SipMessage) => boolean = () => true, timeoutMs = 3000): Promise<SipMessage> {
    const i = this.#received.findIndex(match);
    if (i >= 0) return Promise.resolve(this.#received.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m: SipMessage) => resolve(m) };
      this.#waiters.push(waiter);
      setTimeout(() => {
        const w = this.#waiters.indexOf(waiter);
        if (w >= 0) {
          this.#waiters.splice(w, 1);
          reject(
            new Error(
              `${this.address}: no matching message within ${timeoutMs} ms; got ${this.log.map(describe).join(' | ')}`,
            ),
          );
        }
      }, timeoutMs);
    });
  }

  async request(method: string, timeoutMs = 3000): Promise<SipRequest> {
    return (await this.next(
      (m) => m.kind === 'request' && m.method === method,
      timeoutMs,
    )) as SipRequest;
  }

  async response(status: number, method: string, timeoutMs = 3000): Promise<SipResponse> {
    return (await this.next(
      (m) => m.kind === 'response' && m.status === status && (m.get('cseq') ?? '').endsWith(method),
      timeoutMs,
    )) as SipResponse;
  }

  /** How many received messages match, consumed or not. */
  count(match: (m: SipMessage) => boolean): number {
    return this.log.filter(match).length;
  }

  /** Close the TCP connection (to simulate a dropped connection) or the UDP socket. */
  close(): void {
    this.#tcp?.destroy();
    this.#socket?.close();
  }

  #deliver(data: Buffer): void {
    const parsed = parseMessage(data);
    if (!parsed.ok) return;
    const message = parsed.message;
    this.log.push(message);
    const w = this.#waiters.findIndex((x) => x.match(message));
    if (w >= 0) {
      const [waiter] = this.#waiters.splice(w, 1);
      waiter!.resolve(message);
    } else {
      this.#received.push(message);
    }
  }
}

export function describe(m: SipMessage): string {
  return m.kind === 'request' ? m.method : `${m.status} ${m.get('cseq') ?? ''}`;
}

/** A 2xx/1xx/final response to `request`, written by the peer (copies Via, From, To, Call-ID, CSeq). */
export function responseTo(
  request: SipRequest,
  status: number,
  reason: string,
  opts: { toTag?: string; extra?: string; body?: string } = {},
): string {
  const vias = request
    .getAll('via')
    .map((v) => `Via: ${v}`)
    .join('\n');
  const to = request.get('to') ?? '';
  const toValue = opts.toTag && !/;tag=/i.test(to) ? `${to};tag=${opts.toTag}` : to;
  const lines = [
    `SIP/2.0 ${status} ${reason}`,
    vias,
    `From: ${request.get('from') ?? ''}`,
    `To: ${toValue}`,
    `Call-ID: ${request.get('call-id') ?? ''}`,
    `CSeq: ${request.get('cseq') ?? ''}`,
  ];
  if (opts.extra) lines.push(opts.extra.trim());
  if (opts.body) lines.push('Content-Type: application/sdp');
  return `${lines.join('\n')}\n\n${opts.body ?? ''}`;
}

export function sdp(ip: string, port: number, direction = 'sendrecv'): string {
  return `v=0
o=peer 1 1 IN IP4 ${ip}
s=-
c=IN IP4 ${ip}
t=0 0
m=audio ${port} RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=${direction}
`;
}

/** A dialog as one side writes its requests: From is itself, To is the far end. */
export interface DialogView {
  from: string;
  to: string;
  callId: string;
}

/** The dialog as the UAC that received this 2xx (or sent this request) sees it. */
export function dialogAsUac(m: SipMessage): DialogView {
  return { from: m.get('from') ?? '', to: m.get('to') ?? '', callId: m.get('call-id') ?? '' };
}

/** The dialog as the UAS that received this request (or ACK) sees it: From and To swapped. */
export function dialogAsUas(m: SipMessage): DialogView {
  return { from: m.get('to') ?? '', to: m.get('from') ?? '', callId: m.get('call-id') ?? '' };
}

/** A caller's INVITE to `host` with an SDP offer (or none with `body: null`). */
export function inviteText(
  peer: RawSipPeer,
  o: {
    host: string;
    user?: string;
    fromUser?: string;
    tag?: string;
    callId?: string;
    transport?: string;
    body?: string | null;
    extra?: string;
  },
): { text: string; callId: string; tag: string } {
  const callId = o.callId ?? randomBytes(8).toString('hex');
  const tag = o.tag ?? randomBytes(4).toString('hex');
  const user = o.user ?? '1000';
  const body = o.body === null ? '' : (o.body ?? sdp(peer.address, 6000));
  const text = `INVITE sip:${user}@${o.host} SIP/2.0
Via: SIP/2.0/${o.transport ?? 'UDP'} ${peer.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')};rport
Max-Forwards: 70
From: "Caller" <sip:${o.fromUser ?? '0612345678'}@${peer.address}>;tag=${tag}
To: <sip:${user}@${o.host}>
Call-ID: ${callId}
CSeq: 1 INVITE
Contact: <sip:caller@${peer.hostport}>
${o.extra ? `${o.extra.trim()}\n` : ''}${body ? 'Content-Type: application/sdp\n' : ''}
${body}`;
  return { text, callId, tag };
}

/** A request within `dialog` from `peer` to holdgate at `target` (RFC 3261 §12.2.1.1, by hand). */
export function inDialogText(
  peer: RawSipPeer,
  method: string,
  dialog: DialogView,
  cseq: number,
  target: PeerAddress,
  o: { body?: string; transport?: string } = {},
): string {
  const body = o.body ?? '';
  return `${method} sip:holdgate@${target.address}:${target.port} SIP/2.0
Via: SIP/2.0/${o.transport ?? 'UDP'} ${peer.hostport};branch=z9hG4bK${randomBytes(8).toString('hex')};rport
Max-Forwards: 70
From: ${dialog.from}
To: ${dialog.to}
Call-ID: ${dialog.callId}
CSeq: ${cseq} ${method}
Contact: <sip:peer@${peer.hostport}>
${body ? 'Content-Type: application/sdp\n' : ''}
${body}`;
}

/** A UDP socket standing for a phone's RTP port; it records what it receives. */
export interface RtpSocket extends Socket {
  received: Buffer[];
  sources: number[];
}

export async function rtpSocket(address: string, closers: (() => void)[]): Promise<RtpSocket> {
  const socket = createSocket('udp4') as RtpSocket;
  socket.received = [];
  socket.sources = [];
  socket.on('message', (msg, rinfo) => {
    socket.received.push(msg);
    socket.sources.push(rinfo.port);
  });
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  closers.push(() => socket.close());
  return socket;
}

/**
 * Caller INVITE (with an offer) → holdgate → the PBX answers 200 → the caller gets 200 and, unless
 * `ack: false`, ACKs it. holdgate ACKs the PBX at once (the INVITE had the offer).
 */
export async function establishCall(
  caller: RawSipPeer,
  pbx: RawSipPeer,
  to: PeerAddress,
  o: {
    host: string;
    user?: string;
    callerSdp?: string;
    pbxSdp?: string;
    ack?: boolean;
    timeoutMs?: number;
  },
): Promise<{
  ok: SipResponse;
  pbxInvite: SipRequest;
  callerDialog: DialogView;
  pbxDialog: DialogView;
}> {
  caller.send(
    inviteText(caller, {
      host: o.host,
      ...(o.user ? { user: o.user } : {}),
      body: o.callerSdp ?? sdp(caller.address, 6000),
    }).text,
    to,
  );
  const pbxInvite = await pbx.request('INVITE', o.timeoutMs);
  pbx.send(
    responseTo(pbxInvite, 200, 'OK', {
      toTag: 'pbx1',
      extra: `Contact: <sip:agent@${pbx.hostport}>`,
      body: o.pbxSdp ?? sdp(pbx.address, 7000),
    }),
    to,
  );
  const ok = await caller.response(200, 'INVITE');
  const callerDialog = dialogAsUac(ok);
  if (o.ack !== false) caller.send(inDialogText(caller, 'ACK', callerDialog, 1, to), to);
  const pbxAck = await pbx.request('ACK');
  return { ok, pbxInvite, callerDialog, pbxDialog: dialogAsUas(pbxAck) };
}
