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

function receive(protocol: 'udp' | 'tcp' = 'udp', method = 'OPTIONS') {
  const h = harness();
  const ctx = inboundContext(protocol);
  const request = inboundRequest(method === 'BYE' ? { method, toTag: 'dlg1' } : { method });
  h.layer.receive(request, ctx);
  const txn = h.user.onRequest.mock.calls[0]![1] as ServerTransaction;
  return { ...h, ctx, request, txn };
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('Trying: retransmissions are discarded, nothing is sent automatically', async () => {
    const { txn, transport, layer, ctx, request, user } = receive();
    expect(txn.state).toBe('trying');
    expect(txn.isInvite).toBe(false);
    layer.receive(request.clone(), ctx);
    await vi.advanceTimersByTimeAsync(1000);
    expect(transport.sent).toHaveLength(0);
    expect(user.onRequest).toHaveBeenCalledOnce();
  });

  it('Proceeding: a retransmission re-sends the last provisional', () => {
    const { txn, transport, layer, ctx, request } = receive();
    txn.respond(createResponse(request, 100));
    expect(txn.state).toBe('proceeding');
    layer.receive(request.clone(), ctx);
    expect(transport.responses(100)).toHaveLength(2);
  });

  it('Completed: a retransmission re-sends the final; Timer J = 64*T1 (UDP)', async () => {
    const { txn, transport, layer, ctx, request } = receive();
    txn.respond(createResponse(request, 100));
    txn.respond(createResponse(request, 200));
    expect(txn.state).toBe('completed');
    txn.respond(createResponse(request, 500)); // ignored after the final
    layer.receive(request.clone(), ctx);
    expect(transport.responses().map((r) => r.status)).toEqual([100, 200, 200]);
    await vi.advanceTimersByTimeAsync(31_999);
    expect(txn.state).toBe('completed');
    await vi.advanceTimersByTimeAsync(1);
    expect(txn.state).toBe('terminated');
    expect(layer.size).toBe(0);
    // after J the same request is new again
    layer.receive(request.clone(), ctx);
    expect(layer.size).toBe(1);
  });

  it('TCP: Timer J is zero', () => {
    const { txn, layer, request } = receive('tcp', 'BYE');
    txn.respond(createResponse(request, 200));
    expect(txn.state).toBe('terminated');
    expect(layer.size).toBe(0);
  });

  it('a send failure of the final is still reported on TCP (transaction already gone)', async () => {
    const { txn, transport, request } = receive('tcp');
    const onError = vi.fn();
    txn.on('transportError', onError);
    transport.failWith = new Error('ECONNRESET');
    txn.respond(createResponse(request, 200));
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
  });

  it('retransmitFinal is not applicable to non-INVITE', () => {
    const { txn, request } = receive();
    txn.respond(createResponse(request, 200));
    expect(txn.retransmitFinal()).toBe(false);
  });
});
