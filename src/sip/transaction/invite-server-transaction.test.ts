import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResponse } from '../message/index.js';
import type { ServerTransaction } from './types.js';
import { harness } from './test-support/harness.js';
import { inboundContext, inboundRequest } from './test-support/sip-fixtures.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function receiveInvite(protocol: 'udp' | 'tcp' = 'udp') {
  const h = harness();
  const ctx = inboundContext(protocol);
  const invite = inboundRequest();
  h.layer.receive(invite, ctx);
  expect(h.user.onRequest).toHaveBeenCalledOnce();
  const txn = h.user.onRequest.mock.calls[0]![1] as ServerTransaction;
  const ack = (toTag: string) => inboundRequest({ method: 'ACK', toTag, cseqMethod: 'ACK' });
  const sendTimes: number[] = [];
  const t0 = Date.now();
  h.transport.onSend = () => sendTimes.push(Date.now() - t0);
  return { ...h, ctx, invite, txn, ack, sendTimes };
}

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §7.1)', () => {
  it('Proceeding: a 100 Trying is sent when the TU has not answered within 200 ms', async () => {
    const { txn, transport } = receiveInvite();
    expect(txn.state).toBe('proceeding');
    expect(txn.isInvite).toBe(true);
    await vi.advanceTimersByTimeAsync(199);
    expect(transport.responses()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    const tryings = transport.responses(100);
    expect(tryings).toHaveLength(1);
    expect(tryings[0]!.get('to')).not.toContain('tag='); // §8.2.6.1: no To tag on 100
  });

  it('no automatic 100 when the TU answered first', async () => {
    const { txn, transport, invite } = receiveInvite();
    txn.respond(createResponse(invite, 180, { toTag: 'uas1' }));
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.responses().map((r) => r.status)).toEqual([180]);
  });

  it('Proceeding: a retransmitted INVITE is absorbed and the last provisional re-sent', async () => {
    const { txn, transport, invite, layer, ctx, user } = receiveInvite();
    layer.receive(invite.clone(), ctx); // before any response: nothing to re-send
    expect(transport.responses()).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(200);
    layer.receive(invite.clone(), ctx);
    expect(transport.responses().map((r) => r.status)).toEqual([100, 100]);
    txn.respond(createResponse(invite, 180, { toTag: 'uas1' }));
    layer.receive(invite.clone(), ctx);
    expect(transport.responses().map((r) => r.status)).toEqual([100, 100, 180, 180]);
    expect(user.onRequest).toHaveBeenCalledOnce();
    expect(layer.size).toBe(1);
  });

  it('2xx → Accepted: INVITE retransmissions absorbed, ACKs to the TU, Timer L ends it', async () => {
    const { txn, transport, invite, layer, ctx, user, ack } = receiveInvite();
    txn.respond(createResponse(invite, 200, { toTag: 'uas1' }));
    expect(txn.state).toBe('accepted');
    layer.receive(invite.clone(), ctx);
    expect(transport.responses()).toHaveLength(1); // nothing re-sent: the TU retransmits 2xx
    expect(user.onRequest).toHaveBeenCalledOnce();
    // An ACK that reuses the INVITE branch matches the transaction and goes to the TU
    const a = ack('uas1');
    layer.receive(a, ctx);
    expect(user.onAck).toHaveBeenCalledWith(a, ctx, txn);
    // The ACK for 2xx normally has a new branch: no transaction, still to the TU
    const b = inboundRequest({ method: 'ACK', toTag: 'uas1', branch: 'z9hG4bKack2' });
    layer.receive(b, ctx);
    expect(user.onAck).toHaveBeenLastCalledWith(b, ctx);
    expect(txn.state).toBe('accepted');
    // Further responses from the TU are ignored, 2xx included; retransmitFinal re-sends the 2xx
    txn.respond(createResponse(invite, 200, { toTag: 'uas1' }));
    txn.respond(createResponse(invite, 486, { toTag: 'uas1' }));
    expect(transport.responses()).toHaveLength(1);
    expect(txn.retransmitFinal()).toBe(true);
    expect(transport.responses(200)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(64 * 500 - 1);
    expect(txn.state).toBe('accepted');
    await vi.advanceTimersByTimeAsync(1);
    expect(txn.state).toBe('terminated');
    expect(txn.retransmitFinal()).toBe(false);
    expect(layer.size).toBe(0);
  });

  it('non-2xx → Completed: Timer G retransmits (T1 doubling to T2) until the ACK; Confirmed; Timer I = T4', async () => {
    const { txn, transport, invite, layer, ctx, user, ack, sendTimes } = receiveInvite();
    const terminated = vi.fn();
    txn.on('terminated', terminated);
    txn.respond(createResponse(invite, 486, { toTag: 'uas1' }));
    expect(txn.state).toBe('completed');
    await vi.advanceTimersByTimeAsync(12_000);
    expect(sendTimes).toEqual([0, 500, 1500, 3500, 7500, 11_500]);
    // a retransmitted INVITE gets the final again
    layer.receive(invite.clone(), ctx);
    expect(transport.responses(486)).toHaveLength(7);
    layer.receive(ack('uas1'), ctx);
    expect(txn.state).toBe('confirmed');
    expect(user.onAck).not.toHaveBeenCalled(); // ACK for non-2xx is absorbed
    layer.receive(ack('uas1'), ctx);
    expect(user.onAck).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(4999);
    expect(transport.responses(486)).toHaveLength(7); // G stopped
    expect(txn.state).toBe('confirmed');
    await vi.advanceTimersByTimeAsync(1);
    expect(txn.state).toBe('terminated');
    expect(terminated).toHaveBeenCalledOnce();
  });

  it('Completed without ACK: Timer H (64*T1) reports a timeout and terminates', async () => {
    const { txn, invite, transport } = receiveInvite();
    const timeout = vi.fn();
    txn.on('timeout', timeout);
    txn.respond(createResponse(invite, 603, { toTag: 'uas1' }));
    await vi.advanceTimersByTimeAsync(31_999);
    expect(timeout).not.toHaveBeenCalled();
    const sentBeforeH = transport.responses(603).length;
    expect(sentBeforeH).toBe(1 + 10); // 500,1500,3500,7500 then every 4000 up to 31500
    await vi.advanceTimersByTimeAsync(1);
    expect(timeout).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
  });

  it('TCP: no Timer G, ACK ends the transaction at once (Timer I = 0), responses on the connection', async () => {
    const { txn, invite, transport, layer, ctx, ack } = receiveInvite('tcp');
    txn.respond(createResponse(invite, 480, { toTag: 'uas1' }));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(transport.responses(480)).toHaveLength(1);
    expect(transport.sent[0]).toMatchObject({ kind: 'response', connectionId: 'conn-1' });
    layer.receive(ack('uas1'), ctx);
    expect(txn.state).toBe('terminated');
    expect(layer.size).toBe(0);
  });

  it('a send failure emits transportError and terminates (§17.2.4)', async () => {
    const { txn, invite, transport } = receiveInvite('tcp');
    const onError = vi.fn();
    txn.on('transportError', onError);
    transport.failWith = new Error('EPIPE');
    txn.respond(createResponse(invite, 180, { toTag: 'uas1' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
  });

  it('a throwing transaction listener does not break the state machine', async () => {
    const { txn, invite, ack, layer, ctx } = receiveInvite();
    txn.on('terminated', () => {
      throw new Error('listener bug');
    });
    const second = vi.fn();
    txn.on('terminated', second);
    txn.respond(createResponse(invite, 486, { toTag: 'uas1' }));
    layer.receive(ack('uas1'), ctx);
    await vi.advanceTimersByTimeAsync(5000);
    expect(txn.state).toBe('terminated');
    expect(second).toHaveBeenCalledOnce();
  });
});
