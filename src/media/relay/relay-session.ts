import type { RemoteInfo } from 'node:dgram';
import { g711LawOfEncoding } from '../g711/index.js';
import {
  JitterEstimator,
  SequenceTracker,
  isRtcp,
  rtpHasPadding,
  rtpHeaderLength,
  rtpPaddingLength,
  rtpPayloadType,
  rtpSequence,
  rtpSsrc,
  rtpTimestamp,
  setRtcpSenderSsrc,
} from '../rtp/index.js';
import type {
  DirectionStats,
  LatchedSource,
  LatchingMode,
  LegName,
  RemoteEndpoint,
  SessionStats,
  TapDirection,
} from './control-protocol.js';
import { ContinuityRewriter } from './continuity-rewriter.js';
import type { DtmfWatch } from './dtmf-watch.js';
import type { PortPair } from './port-pool.js';
import { TapFeeder } from './tap-feeder.js';
import type { TimeoutWheel, WheelEntry } from './timeout-wheel.js';

/** What a payload type carries, for taps and duration bookkeeping. */
const KIND_OTHER_AUDIO = 0;
const KIND_ULAW = 1;
const KIND_ALAW = 2;
const KIND_NOT_AUDIO = 3;

/** One side of the call: the sockets holdgate uses toward that party and what we know of it. */
export class Leg {
  /** SDP address; '' until setRemote. */
  remoteAddress = '';
  remoteRtpPort = 0;
  remoteRtcpPort = 0;
  rtcpMux = false;
  /** Source of the first RTP packet (symmetric latching); '' until latched. */
  latchedAddress = '';
  latchedPort = 0;
  latchedRtcpAddress = '';
  latchedRtcpPort = 0;
  /** Per RTP payload type: KIND_* and clock rate, from the SDP (static G.711 by default). */
  readonly ptKind = new Uint8Array(128);
  readonly ptClock = new Uint32Array(128).fill(8000);
  /** RFC 4733 telephone-event payload type of the SDP (-1: none) and its clock rate. */
  telephoneEventPt = -1;
  telephoneEventClock = 8000;

  constructor(
    readonly name: LegName,
    readonly pair: PortPair,
  ) {
    this.ptKind[0] = KIND_ULAW;
    this.ptKind[8] = KIND_ALAW;
    this.ptKind[13] = KIND_NOT_AUDIO; // comfort noise, RFC 3389
  }

  setRemote(remote: RemoteEndpoint): void {
    this.remoteAddress = remote.address;
    this.remoteRtpPort = remote.rtpPort;
    this.remoteRtcpPort = remote.rtcpPort ?? remote.rtpPort + 1;
    this.rtcpMux = remote.rtcpMux === true;
    // New SDP: learn the source again (RFC 4961 §4: the address may legitimately change).
    this.latchedAddress = '';
    this.latchedPort = 0;
    this.latchedRtcpAddress = '';
    this.latchedRtcpPort = 0;
    if (remote.payloadTypes) {
      for (const p of remote.payloadTypes) {
        if (p.pt < 0 || p.pt > 127) continue;
        const law = g711LawOfEncoding(p.encoding);
        const enc = p.encoding.toLowerCase();
        this.ptKind[p.pt] =
          law === 'ulaw'
            ? KIND_ULAW
            : law === 'alaw'
              ? KIND_ALAW
              : enc === 'telephone-event' || enc === 'cn'
                ? KIND_NOT_AUDIO
                : KIND_OTHER_AUDIO;
        this.ptClock[p.pt] = p.clockRate;
      }
    }
    if (remote.telephoneEventPt !== undefined && remote.telephoneEventPt < 128) {
      this.ptKind[remote.telephoneEventPt] = KIND_NOT_AUDIO;
    }
    // The explicit telephone-event PT, else the first `a=rtpmap:<pt> telephone-event/<rate>`.
    const te =
      remote.telephoneEventPt !== undefined && remote.telephoneEventPt >= 0
        ? remote.telephoneEventPt
        : remote.payloadTypes?.find((p) => p.encoding.toLowerCase() === 'telephone-event')?.pt;
    this.telephoneEventPt = te !== undefined && te < 128 ? te : -1;
    this.telephoneEventClock =
      remote.payloadTypes?.find((p) => p.pt === this.telephoneEventPt)?.clockRate ?? 8000;
  }

  latched(): LatchedSource | null {
    return this.latchedAddress === ''
      ? null
      : { address: this.latchedAddress, port: this.latchedPort };
  }
}

/** One media direction (from one leg's peer to the other leg's peer) and its statistics. */
export class Direction {
  packets = 0;
  bytes = 0;
  rtcpPackets = 0;
  rtcpBytes = 0;
  dropped = 0;
  ssrc = -1;
  ssrcChanges = 0;
  readonly seq = new SequenceTracker();
  jitter = new JitterEstimator(8000);
  readonly rewriter = new ContinuityRewriter();
  tap: TapFeeder | null = null;
  /** DTMF detection on what `from`'s peer sends (issue 6), or null. */
  dtmf: DtmfWatch | null = null;
  /** True while holdgate plays a prompt toward `to`: the source's audio is replaced. */
  suppressed = false;

  constructor(
    readonly name: TapDirection,
    readonly from: Leg,
    readonly to: Leg,
    private readonly session: RelaySession,
  ) {}

  /** Sends a packet holdgate generated toward `to`'s peer; false when no destination is known. */
  sendGenerated(buf: Uint8Array, len: number): boolean {
    const to = this.to;
    const strict = this.session.latching === 'strict';
    const address = strict || to.latchedAddress === '' ? to.remoteAddress : to.latchedAddress;
    const port = strict || to.latchedAddress === '' ? to.remoteRtpPort : to.latchedPort;
    if (address === '') return false;
    to.pair.rtp.send(buf, 0, len, port, address);
    this.packets++;
    this.bytes += len;
    return true;
  }

  snapshot(): DirectionStats {
    return {
      packets: this.packets,
      bytes: this.bytes,
      rtcpPackets: this.rtcpPackets,
      rtcpBytes: this.rtcpBytes,
      dropped: this.dropped,
      lost: this.seq.lost,
      jitterMs: this.jitter.jitterMs,
      ssrc: this.ssrc,
      ssrcChanges: this.ssrcChanges,
    };
  }
}

const TIME_ORIGIN = performance.timeOrigin;

/**
 * One anchored call's media in a worker: caller-facing and PBX-facing socket pairs and the two
 * directions between them. Packets from the caller arrive on the caller-facing port and leave
 * from the PBX-facing port toward the PBX, and vice versa; RTCP likewise on the odd ports or
 * demultiplexed from the RTP port when muxed (RFC 5761 §4).
 *
 * Source acceptance (RFC 4961 spirit): `symmetric` latches each leg to the source of its first
 * packet (NAT) and sends back to it; `strict` only accepts the SDP address and port.
 *
 * The packet handlers are four closures made once per session; per packet they read header
 * fields from the received buffer, rewrite it in place and send it with IP literals.
 * FIXME(rfc4961 §4): a latched source is only re-learned on a new SDP, not on a NAT rebinding.
 */
export class RelaySession implements WheelEntry {
  lastActivityTick = 0;
  timeoutTicks: number;
  latching: LatchingMode = 'symmetric';
  readonly caller: Leg;
  readonly pbx: Leg;
  readonly callerToPbx: Direction;
  readonly pbxToCaller: Direction;
  private destroyed = false;

  constructor(
    readonly id: string,
    readonly callId: string,
    callerPair: PortPair,
    pbxPair: PortPair,
    private readonly wheel: TimeoutWheel<RelaySession>,
    timeoutTicks: number,
  ) {
    this.timeoutTicks = timeoutTicks;
    this.caller = new Leg('caller', callerPair);
    this.pbx = new Leg('pbx', pbxPair);
    this.callerToPbx = new Direction('caller-to-pbx', this.caller, this.pbx, this);
    this.pbxToCaller = new Direction('pbx-to-caller', this.pbx, this.caller, this);
    callerPair.rtp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      this.onRtp(this.callerToPbx, msg, rinfo);
    });
    callerPair.rtcp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      this.onRtcp(this.callerToPbx, msg, rinfo, false);
    });
    pbxPair.rtp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      this.onRtp(this.pbxToCaller, msg, rinfo);
    });
    pbxPair.rtcp.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      this.onRtcp(this.pbxToCaller, msg, rinfo, false);
    });
    wheel.add(this);
  }

  leg(name: LegName): Leg {
    return name === 'caller' ? this.caller : this.pbx;
  }

  direction(name: TapDirection): Direction {
    return name === 'caller-to-pbx' ? this.callerToPbx : this.pbxToCaller;
  }

  /** The direction whose audio reaches `leg`'s peer. */
  directionToward(leg: LegName): Direction {
    return leg === 'caller' ? this.pbxToCaller : this.callerToPbx;
  }

  /** The direction carrying what `leg`'s peer sends. */
  directionFrom(leg: LegName): Direction {
    return leg === 'caller' ? this.callerToPbx : this.pbxToCaller;
  }

  setRemote(name: LegName, remote: RemoteEndpoint): void {
    const leg = this.leg(name);
    leg.setRemote(remote);
    const audio = remote.payloadTypes?.find((p) => leg.ptKind[p.pt] !== KIND_NOT_AUDIO);
    const from = this.directionFrom(name);
    from.jitter = new JitterEstimator(audio?.clockRate ?? 8000);
    from.dtmf?.configure(leg.telephoneEventPt, leg.telephoneEventClock);
  }

  /**
   * Starts DTMF detection on the RTP from `name`'s peer (`watch`), or stops it (`null`); the
   * previous watch is flushed (its pending presses are reported) and returned.
   */
  setDtmfWatch(name: LegName, watch: DtmfWatch | null): DtmfWatch | null {
    const dir = this.directionFrom(name);
    const previous = dir.dtmf;
    if (previous === watch) return null;
    previous?.flush();
    if (watch !== null) watch.configure(dir.from.telephoneEventPt, dir.from.telephoneEventClock);
    dir.dtmf = this.destroyed ? null : watch;
    return previous;
  }

  openTap(name: TapDirection, ring: SharedArrayBuffer): void {
    const dir = this.direction(name);
    dir.tap?.close();
    dir.tap = new TapFeeder(ring);
  }

  stats(): SessionStats {
    return {
      'caller-to-pbx': this.callerToPbx.snapshot(),
      'pbx-to-caller': this.pbxToCaller.snapshot(),
      latched: { caller: this.caller.latched(), pbx: this.pbx.latched() },
    };
  }

  /** Stops relaying and closes the taps; the caller releases the port pairs. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.wheel.remove(this);
    this.callerToPbx.tap?.close();
    this.pbxToCaller.tap?.close();
    this.callerToPbx.tap = null;
    this.pbxToCaller.tap = null;
    this.setDtmfWatch('caller', null);
    this.setDtmfWatch('pbx', null);
  }

  private acceptRtp(from: Leg, rinfo: RemoteInfo): boolean {
    if (this.latching === 'strict') {
      return rinfo.port === from.remoteRtpPort && rinfo.address === from.remoteAddress;
    }
    if (from.latchedAddress === '') {
      from.latchedAddress = rinfo.address;
      from.latchedPort = rinfo.port;
      return true;
    }
    return rinfo.port === from.latchedPort && rinfo.address === from.latchedAddress;
  }

  private onRtp(dir: Direction, msg: Buffer, rinfo: RemoteInfo): void {
    const from = dir.from;
    const len = msg.length;
    if (from.rtcpMux && len >= 8 && isRtcp(msg)) {
      this.onRtcp(dir, msg, rinfo, true);
      return;
    }
    const hdr = rtpHeaderLength(msg, len);
    if (hdr < 0 || this.destroyed || !this.acceptRtp(from, rinfo)) {
      dir.dropped++;
      return;
    }
    this.lastActivityTick = this.wheel.now;
    const pt = rtpPayloadType(msg);
    const ssrc = rtpSsrc(msg);
    const ts = rtpTimestamp(msg);
    const arrivalMs = TIME_ORIGIN + performance.now();
    if (ssrc !== dir.ssrc) {
      if (dir.ssrc !== -1) dir.ssrcChanges++;
      dir.ssrc = ssrc;
      dir.seq.reset();
      dir.jitter.reset();
    }
    dir.seq.update(rtpSequence(msg));
    const kind = from.ptKind[pt]!;
    const dtmf = dir.dtmf;
    let duration = 0;
    if (kind === KIND_NOT_AUDIO) {
      duration = -1;
      if (dtmf !== null && pt === dtmf.eventPt) {
        dtmf.pushEvent(msg, len, hdr, ts, ssrc, arrivalMs, this.lastActivityTick);
      }
    } else {
      dir.jitter.update(ts, arrivalMs);
      const pad = rtpHasPadding(msg) ? rtpPaddingLength(msg, len) : 0;
      const payloadLen = pad < 0 ? 0 : len - hdr - pad;
      if (kind === KIND_ULAW || kind === KIND_ALAW) {
        duration = payloadLen;
        const law = kind === KIND_ULAW ? 'ulaw' : 'alaw';
        if (dir.tap !== null && payloadLen > 0) {
          dir.tap.push(msg, hdr, payloadLen, law, ts, ssrc, arrivalMs);
        }
        if (dtmf !== null && payloadLen > 0) {
          dtmf.pushAudio(msg, hdr, payloadLen, law, ts, ssrc, arrivalMs, this.lastActivityTick);
        }
      } else if (dir.tap !== null) {
        dir.tap.markUnrecordable();
      }
    }
    if (dir.suppressed) {
      dir.dropped++;
      return;
    }
    dir.rewriter.process(msg, duration, arrivalMs, from.ptClock[pt]!);
    const to = dir.to;
    const strict = this.latching === 'strict';
    const latched = !strict && to.latchedAddress !== '';
    const address = latched ? to.latchedAddress : to.remoteAddress;
    if (address === '') {
      dir.dropped++;
      return;
    }
    to.pair.rtp.send(msg, 0, len, latched ? to.latchedPort : to.remoteRtpPort, address);
    dir.packets++;
    dir.bytes += len;
  }

  private onRtcp(dir: Direction, msg: Buffer, rinfo: RemoteInfo, muxed: boolean): void {
    const from = dir.from;
    const len = msg.length;
    if (len < 8 || this.destroyed || !this.acceptRtcp(from, rinfo, muxed)) {
      dir.dropped++;
      return;
    }
    if (dir.rewriter.active) setRtcpSenderSsrc(msg, dir.rewriter.ssrc);
    // FIXME(rfc3550 §6.4.1): SR RTP timestamps and report blocks are not mapped through the
    // continuity rewrite; only the sender SSRC of the first packet is.
    const to = dir.to;
    const strict = this.latching === 'strict';
    let address: string;
    let port: number;
    if (to.rtcpMux) {
      const latched = !strict && to.latchedAddress !== '';
      address = latched ? to.latchedAddress : to.remoteAddress;
      port = latched ? to.latchedPort : to.remoteRtpPort;
    } else {
      const latched = !strict && to.latchedRtcpAddress !== '';
      address = latched ? to.latchedRtcpAddress : to.remoteAddress;
      port = latched ? to.latchedRtcpPort : to.remoteRtcpPort;
    }
    if (address === '') {
      dir.dropped++;
      return;
    }
    (to.rtcpMux ? to.pair.rtp : to.pair.rtcp).send(msg, 0, len, port, address);
    dir.rtcpPackets++;
    dir.rtcpBytes += len;
  }

  private acceptRtcp(from: Leg, rinfo: RemoteInfo, muxed: boolean): boolean {
    if (muxed) {
      if (this.latching === 'strict') {
        return rinfo.port === from.remoteRtpPort && rinfo.address === from.remoteAddress;
      }
      // Muxed RTCP comes from the RTP source; it does not latch on its own.
      return rinfo.port === from.latchedPort && rinfo.address === from.latchedAddress;
    }
    if (this.latching === 'strict') {
      return rinfo.port === from.remoteRtcpPort && rinfo.address === from.remoteAddress;
    }
    if (from.latchedRtcpAddress === '') {
      from.latchedRtcpAddress = rinfo.address;
      from.latchedRtcpPort = rinfo.port;
      return true;
    }
    return rinfo.port === from.latchedRtcpPort && rinfo.address === from.latchedRtcpAddress;
  }
}
