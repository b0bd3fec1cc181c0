import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HoldgateError } from '../../errors/registry.js';
import { topVia } from '../message/index.js';
import { harness, mockHandlers } from './test-support/harness.js';
import {
  inboundContext,
  outboundRequest,
  responseTo,
  TCP_PEER,
  UDP_PEER,
} from './test-support/sip-fixtures.js';

const ctx = inboundContext();

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function startInvite(peer = UDP_PEER) {
  const h = harness();
  const handlers = mockHandlers();
  const txn = h.layer.sendRequest(outboundRequest('INVITE'), peer, handlers);
  return { ...h, handlers, txn };
}

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §7.2)', () => {
  it('Calling: Timer A retransmits at T1, 2T1, 4T1 ... and Timer B times out at 64*T1 (UDP)', async () => {
    const { transport, txn, handlers, layer } = startInvite();
    expect(txn.state).toBe('calling');
    expect(transport.requests('INVITE')).toHaveLength(1);
    const sendTimes: number[] = [];
    transport.onSend = () => sendTimes.push(Date.now());
    const t0 = Date.now();
    await vi.advanceTimersByTimeAsync(32_000 - 1);
    expect(sendTimes.map((t) => t - t0)).toEqual([500, 1500, 3500, 7500, 15_500, 31_500]);
    expect(handlers.onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(handlers.onTimeout).toHaveBeenCalledOnce();
    expect(handlers.onTerminated).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
    expect(layer.size).toBe(0);
  });

  it('Calling over TCP: no Timer A retransmission, Timer B still fires', async () => {
    const { transport, handlers } = startInvite(TCP_PEER);
    await vi.advanceTimersByTimeAsync(31_999);
    expect(transport.requests('INVITE')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(handlers.onTimeout).toHaveBeenCalledOnce();
  });

  it('1xx → Proceeding: passed to the TU, retransmissions stop, Timer B no longer applies', async () => {
    const { transport, txn, handlers, layer } = startInvite();
    const invite = transport.requests('INVITE')[0]!;
    layer.receive(responseTo(invite, 100), ctx);
    layer.receive(responseTo(invite, 180), ctx);
    expect(txn.state).toBe('proceeding');
    expect(handlers.onProvisional).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(64_000);
    expect(transport.requests('INVITE')).toHaveLength(1);
    expect(handlers.onTimeout).not.toHaveBeenCalled();
    expect(txn.state).toBe('proceeding');
  });

  it('2xx → Accepted: every 2xx (retransmissions too) reaches the TU until Timer M', async () => {
    const { transport, txn, handlers, layer, user } = startInvite();
    const invite = transport.requests('INVITE')[0]!;
    layer.receive(responseTo(invite, 180), ctx);
    const ok = responseTo(invite, 200);
    layer.receive(ok, ctx);
    expect(txn.state).toBe('accepted');
    layer.receive(ok.clone(), ctx);
    layer.receive(ok.clone(), ctx);
    expect(handlers.onFinal).toHaveBeenCalledTimes(3);
    // A forked 2xx with another To tag is a 2xx too (RFC 6026 §7.2)
    layer.receive(responseTo(invite, 200, { toTag: 'fork2' }), ctx);
    expect(handlers.onFinal).toHaveBeenCalledTimes(4);
    // Non-2xx in Accepted is ignored
    layer.receive(responseTo(invite, 486), ctx);
    expect(handlers.onFinal).toHaveBeenCalledTimes(4);
    // The transaction sends no ACK for a 2xx (the dialog does)
    expect(transport.requests('ACK')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(64 * 500 - 1);
    expect(txn.state).toBe('accepted');
    await vi.advanceTimersByTimeAsync(1);
    expect(txn.state).toBe('terminated');
    expect(handlers.onTerminated).toHaveBeenCalledOnce();
    // After Timer M a 2xx retransmission is a stray response for the dialog layer
    layer.receive(ok.clone(), ctx);
    expect(user.onStrayResponse).toHaveBeenCalledOnce();
    expect(handlers.onFinal).toHaveBeenCalledTimes(4);
  });

  it('2xx directly in Calling → Accepted; Timer M is 64*T1 on TCP as well', async () => {
    const { transport, txn, layer } = startInvite(TCP_PEER);
    layer.receive(responseTo(transport.requests('INVITE')[0]!, 200), ctx);
    expect(txn.state).toBe('accepted');
    await vi.advanceTimersByTimeAsync(31_999);
    expect(txn.state).toBe('accepted');
    await vi.advanceTimersByTimeAsync(1);
    expect(txn.state).toBe('terminated');
  });

  it('300-699 → Completed: ACK built per §17.1.1.3 and sent to the same destination, Timer D 32 s (UDP)', async () => {
    const { transport, txn, handlers, layer } = startInvite();
    const invite = transport.requests('INVITE')[0]!;
    layer.receive(responseTo(invite, 180), ctx);
    const busy = responseTo(invite, 486, { toTag: 'busy1' });
    layer.receive(busy, ctx);
    expect(txn.state).toBe('completed');
    expect(handlers.onFinal).toHaveBeenCalledWith(busy);
    const acks = transport.sent.filter((s) => s.kind === 'request' && s.message.method === 'ACK');
    expect(acks).toHaveLength(1);
    const ackRecord = acks[0]!;
    if (ackRecord.kind !== 'request') throw new Error('unreachable');
    const ack = ackRecord.message;
    expect(ackRecord.to).toEqual(UDP_PEER);
    expect(ack.uri).toBe(invite.uri);
    expect(ack.getAll('via')).toEqual([invite.getAll('via')[0]]);
    expect(ack.get('call-id')).toBe(invite.get('call-id'));
    expect(ack.get('from')).toBe(invite.get('from'));
    expect(ack.get('to')).toBe(busy.get('to'));
    expect(ack.get('cseq')).toBe('7 ACK');
    expect(ack.getAll('route')).toEqual(invite.getAll('route'));
    // A retransmitted final is answered with the ACK again and not passed up
    layer.receive(busy.clone(), ctx);
    expect(transport.requests('ACK')).toHaveLength(2);
    expect(handlers.onFinal).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(31_999);
    expect(txn.state).toBe('completed');
    await vi.advanceTimersByTimeAsync(1);
    expect(txn.state).toBe('terminated');
    expect(layer.size).toBe(0);
  });

  it('300-699 over TCP: Timer D is zero, the ACK goes on the same connection', () => {
    const h = harness();
    const handlers = mockHandlers();
    const txn = h.layer.sendRequest(outboundRequest('INVITE'), TCP_PEER, handlers, 'conn-7');
    const invite = h.transport.requests('INVITE')[0]!;
    h.layer.receive(responseTo(invite, 503), ctx);
    expect(txn.state).toBe('terminated');
    const ack = h.transport.sent.find((s) => s.kind === 'request' && s.message.method === 'ACK');
    expect(ack).toMatchObject({ to: TCP_PEER, connectionId: 'conn-7' });
    expect(handlers.onFinal).toHaveBeenCalledOnce();
    expect(handlers.onTerminated).toHaveBeenCalledOnce();
  });

  it('a send failure is reported to the TU and terminates the transaction (§17.1.4)', async () => {
    const h = harness();
    h.transport.failWith = new Error('ECONNREFUSED');
    const handlers = mockHandlers();
    const txn = h.layer.sendRequest(outboundRequest('INVITE'), TCP_PEER, handlers);
    await vi.advanceTimersByTimeAsync(0);
    expect(handlers.onTransportError).toHaveBeenCalledOnce();
    const err = handlers.onTransportError.mock.calls[0]![0] as HoldgateError;
    expect(err).toBeInstanceOf(HoldgateError);
    expect(err.code).toBe('HG_ERR_SIP_TRANSPORT');
    expect(txn.state).toBe('terminated');
    expect(h.layer.size).toBe(0);
    await vi.advanceTimersByTimeAsync(64_000);
    expect(handlers.onTimeout).not.toHaveBeenCalled();
  });

  it('a synchronous throw from the transport is reported like a rejection', async () => {
    const h = harness();
    h.transport.throwSyncOnce = new Error('boom');
    const handlers = mockHandlers();
    const txn = h.layer.sendRequest(outboundRequest('INVITE'), UDP_PEER, handlers);
    await vi.advanceTimersByTimeAsync(0);
    expect(handlers.onTransportError).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
  });

  it('a failing ACK send in Completed is reported and terminates', async () => {
    const { transport, txn, handlers, layer } = startInvite();
    transport.failWith = new Error('EHOSTUNREACH');
    layer.receive(responseTo(transport.requests('INVITE')[0]!, 404), ctx);
    await vi.advanceTimersByTimeAsync(0);
    expect(handlers.onTransportError).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
  });
});

describe('CANCEL from the client side (RFC 3261 §9.1)', () => {
  it('after a provisional: CANCEL goes out at once, as its own transaction with the same branch', () => {
    const { transport, txn, layer } = startInvite();
    const invite = transport.requests('INVITE')[0]!;
    layer.receive(responseTo(invite, 180), ctx);
    txn.cancel('SIP;cause=487;text="caller hung up"');
    const cancels = transport.requests('CANCEL');
    expect(cancels).toHaveLength(1);
    const cancel = cancels[0]!;
    expect(cancel.uri).toBe(invite.uri);
    expect(cancel.getAll('via')).toEqual([invite.getAll('via')[0]]);
    expect(topVia(cancel).branch).toBe(txn.branch);
    for (const h of ['call-id', 'from', 'to']) expect(cancel.get(h)).toBe(invite.get(h));
    expect(cancel.get('cseq')).toBe('7 CANCEL');
    expect(cancel.getAll('route')).toEqual(invite.getAll('route'));
    expect(cancel.get('reason')).toBe('SIP;cause=487;text="caller hung up"');
    expect(layer.size).toBe(2);
    // cancel() is idempotent
    txn.cancel();
    expect(transport.requests('CANCEL')).toHaveLength(1);
  });

  it('the CANCEL transaction matches its own 200 (CSeq method CANCEL), the INVITE its 487', () => {
    const { transport, txn, handlers, layer, user } = startInvite();
    const invite = transport.requests('INVITE')[0]!;
    layer.receive(responseTo(invite, 183), ctx);
    txn.cancel();
    const cancel = transport.requests('CANCEL')[0]!;
    layer.receive(responseTo(cancel, 200), ctx);
    expect(handlers.onFinal).not.toHaveBeenCalled();
    layer.receive(responseTo(invite, 487), ctx);
    expect(handlers.onFinal).toHaveBeenCalledOnce();
    expect((handlers.onFinal.mock.calls[0]![0] as { status: number }).status).toBe(487);
    expect(user.onStrayResponse).not.toHaveBeenCalled();
  });

  it('before any provisional: the CANCEL waits for one, then is sent', () => {
    const { transport, txn, layer } = startInvite();
    txn.cancel();
    expect(transport.requests('CANCEL')).toHaveLength(0);
    layer.receive(responseTo(transport.requests('INVITE')[0]!, 100), ctx);
    expect(transport.requests('CANCEL')).toHaveLength(1);
  });

  it('before any provisional, final arrives first: no CANCEL is ever sent', async () => {
    const { transport, txn, layer } = startInvite();
    txn.cancel();
    layer.receive(responseTo(transport.requests('INVITE')[0]!, 486), ctx);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(transport.requests('CANCEL')).toHaveLength(0);
    expect(txn.state).toBe('terminated');
  });

  it('before any provisional, none ever comes: Timer B reports the timeout, no CANCEL sent', async () => {
    const { transport, txn, handlers } = startInvite();
    txn.cancel();
    await vi.advanceTimersByTimeAsync(32_000);
    expect(handlers.onTimeout).toHaveBeenCalledOnce();
    expect(transport.requests('CANCEL')).toHaveLength(0);
    expect(txn.state).toBe('terminated');
  });

  it('no final within 64*T1 after the CANCEL: the INVITE is considered cancelled (timeout)', async () => {
    const { transport, txn, handlers, layer } = startInvite(TCP_PEER);
    layer.receive(responseTo(transport.requests('INVITE')[0]!, 180), ctx);
    await vi.advanceTimersByTimeAsync(10_000);
    txn.cancel();
    await vi.advanceTimersByTimeAsync(32_000 - 1);
    expect(handlers.onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(handlers.onTimeout).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
  });

  it('cancel() after the final response is a no-op', () => {
    const { transport, txn, layer } = startInvite();
    layer.receive(responseTo(transport.requests('INVITE')[0]!, 200), ctx);
    txn.cancel();
    expect(transport.requests('CANCEL')).toHaveLength(0);
  });

  it('cancel() on a non-INVITE transaction is a no-op', () => {
    const h = harness();
    const txn = h.layer.sendRequest(outboundRequest('OPTIONS'), UDP_PEER, mockHandlers());
    h.layer.receive(responseTo(h.transport.requests('OPTIONS')[0]!, 100), ctx);
    txn.cancel();
    expect(h.transport.requests('CANCEL')).toHaveLength(0);
  });
});
