import { afterEach } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { startHoldgate, type Holdgate } from '../../src/main.js';
import { silentLogger } from '../../src/shared/logger.js';
import { RawSipPeer, rtpSocket, type PeerAddress, type RtpSocket } from './raw-sip-peer.js';

/** The two phones of a call: SIP peers and their RTP sockets. */
export interface Phones {
  caller: RawSipPeer;
  pbx: RawSipPeer;
  callerRtp: RtpSocket;
  pbxRtp: RtpSocket;
}

/** A scripted caller and PBX with their RTP sockets; `closers` gets what closes them. */
export async function makePhones(
  ips: { caller: string; pbx: string },
  closers: (() => void)[],
): Promise<Phones> {
  const caller = await RawSipPeer.udp(ips.caller);
  const pbx = await RawSipPeer.udp(ips.pbx);
  closers.push(
    () => caller.close(),
    () => pbx.close(),
  );
  return {
    caller,
    pbx,
    callerRtp: await rtpSocket(ips.caller, closers),
    pbxRtp: await rtpSocket(ips.pbx, closers),
  };
}

/**
 * One holdgate on loopback with a scripted caller and PBX, torn down after each test: the
 * scaffolding every end-to-end test of a call shares.
 */
export function callFixture(ips: { caller: string; pbx: string }) {
  let hg: Holdgate | undefined;
  const closers: (() => void)[] = [];
  afterEach(async () => {
    await hg?.close();
    hg = undefined;
    for (const c of closers.splice(0)) c();
  });
  return {
    closers,
    phones(): Promise<Phones> {
      return makePhones(ips, closers);
    },
    /** Start holdgate on `config` (validated, silent); `to` is its UDP SIP address. */
    async start(config: unknown): Promise<{ hg: Holdgate; to: PeerAddress }> {
      hg = await startHoldgate(validateConfig(config), { logger: silentLogger() });
      const udp = hg.localEndpoints().find((e) => e.protocol === 'udp')!;
      return { hg, to: { address: udp.address, port: udp.port } };
    },
  };
}
