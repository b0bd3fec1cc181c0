/**
 * Bench-only client for rtpengine's NG control protocol: a cookie, a space and a bencoded
 * dictionary over UDP (https://rtpengine.readthedocs.io/en/latest/ng_control_protocol.html).
 */
import { createSocket, type Socket } from 'node:dgram';

export type BValue = string | number | BValue[] | { [key: string]: BValue };

export function bencode(v: BValue): string {
  if (typeof v === 'number') return `i${Math.trunc(v)}e`;
  if (typeof v === 'string') return `${Buffer.byteLength(v)}:${v}`;
  if (Array.isArray(v)) return `l${v.map(bencode).join('')}e`;
  const keys = Object.keys(v).sort();
  return `d${keys.map((k) => bencode(k) + bencode(v[k]!)).join('')}e`;
}

export function bdecode(buf: Buffer): BValue {
  let at = 0;
  const next = (): BValue => {
    const c = String.fromCharCode(buf[at]!);
    if (c === 'i') {
      const end = buf.indexOf(0x65, at);
      const n = Number(buf.subarray(at + 1, end).toString());
      at = end + 1;
      return n;
    }
    if (c === 'l' || c === 'd') {
      at++;
      const list: BValue[] = [];
      while (buf[at] !== 0x65) list.push(next());
      at++;
      if (c === 'l') return list;
      const dict: Record<string, BValue> = {};
      for (let i = 0; i + 1 < list.length; i += 2) dict[asText(list[i])] = list[i + 1]!;
      return dict;
    }
    const colon = buf.indexOf(0x3a, at);
    const len = Number(buf.subarray(at, colon).toString());
    const s = buf.subarray(colon + 1, colon + 1 + len).toString();
    at = colon + 1 + len;
    return s;
  };
  return next();
}

export class NgClient {
  private readonly socket: Socket = createSocket('udp4');
  private readonly pending = new Map<string, (v: Record<string, BValue>) => void>();
  private seq = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket.on('message', (msg) => {
      const space = msg.indexOf(0x20);
      const cookie = msg.subarray(0, space).toString();
      const resolve = this.pending.get(cookie);
      if (!resolve) return;
      this.pending.delete(cookie);
      resolve(bdecode(msg.subarray(space + 1)) as Record<string, BValue>);
    });
    this.socket.unref();
  }

  /** Sends a command; retries twice (UDP), rejects after ~3 s. */
  async command(body: Record<string, BValue>): Promise<Record<string, BValue>> {
    const cookie = `hg${process.pid}_${this.seq++}`;
    const msg = Buffer.from(`${cookie} ${bencode(body)}`);
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await new Promise<Record<string, BValue> | undefined>((resolve) => {
        const timer = setTimeout(() => {
          this.pending.delete(cookie);
          resolve(undefined);
        }, 1000);
        this.pending.set(cookie, (v) => {
          clearTimeout(timer);
          resolve(v);
        });
        this.socket.send(msg, this.port, this.host);
      });
      if (reply) {
        if (reply['result'] !== 'ok') {
          throw new Error(`rtpengine ${asText(body['command'])}: ${JSON.stringify(reply)}`);
        }
        return reply;
      }
    }
    throw new Error(`rtpengine ${asText(body['command'])}: no answer`);
  }

  close(): void {
    this.socket.close();
  }
}

/** A one-stream G.711 SDP (RFC 4566) for `address:port`. */
export function audioSdp(address: string, port: number): string {
  return (
    ['v=0', `o=- 1 1 IN IP4 ${address}`, 's=-', `c=IN IP4 ${address}`, 't=0 0'].join('\r\n') +
    `\r\nm=audio ${port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n`
  );
}

/** The media address and port of the first audio m-line of an SDP. */
export function sdpMedia(sdp: string): { address: string; port: number } {
  const port = /^m=audio (\d+)/m.exec(sdp)?.[1];
  const address = /^c=IN IP4 (\S+)/m.exec(sdp)?.[1];
  if (!port || !address) throw new Error(`no audio in SDP: ${sdp}`);
  return { address, port: Number(port) };
}

/** A bencoded string or number as text ('' for lists and dictionaries). */
export function asText(v: BValue | undefined): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}
