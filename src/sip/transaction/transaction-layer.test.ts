import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { HoldgateError } from '../../errors/registry.js';
import { createResponse, topVia } from '../message/index.js';
import { MAGIC_COOKIE } from './branch.js';
import { TransactionLayer } from './transaction-layer.js';
import type { TransportLayer } from '../transport/index.js';
import type { ServerTransaction, TransactionTransport } from './types.js';
import { FakeTransport } from './test-support/fake-transport.js';
import { harness, mockHandlers } from './test-support/harness.js';
import {
  inboundContext,
  inboundRequest,
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

describe('TransactionLayer.sendRequest', () => {
  it('the real TransportLayer satisfies TransactionTransport (checked by tsc)', () => {
    expectTypeOf<TransportLayer>().toExtend<TransactionTransport>();
  });

  it('adds a top Via with sent-by, a z9hG4bK branch of ≥128 bits and rport', () => {
    const { layer, transport } = harness();
    const txn = layer.sendRequest(outboundRequest('OPTIONS'), UDP_PEER, mockHandlers());
    const sent = transport.requests('OPTIONS')[0]!;
    const via = topVia(sent);
    expect(sent.get('via')).toMatch(
      /^SIP\/2\.0\/UDP 127\.0\.0\.1:5060;branch=z9hG4bK[\w-]{22,};rport$/,
    );
    expect(via.branch).toBe(txn.branch);
    expect(via.params.get('rport')).toBeNull();
    expect(txn.branch.length - MAGIC_COOKIE.length).toBeGreaterThanOrEqual(22);
  });

  it('uses the transport name and brackets an IPv6 sent-by', () => {
    const { layer, transport } = harness();
    layer.sendRequest(
      outboundRequest('OPTIONS'),
      { protocol: 'tcp', address: '::1', port: 5070 },
      mockHandlers(),
    );
    expect(transport.requests()[0]!.get('via')).toMatch(/^SIP\/2\.0\/TCP \[::1\]:5060;branch=/);
  });

  it('refuses ACK (it belongs to the dialog)', () => {
    const { layer } = harness();
    expect(() => layer.sendRequest(outboundRequest('ACK'), UDP_PEER, mockHandlers())).toThrow(
      RangeError,
    );
  });

  it('throws HG_ERR_SIP_TRANSACTION_LIMIT at the cap; a freed slot can be used again', () => {
    const { layer, transport } = harness({ maxTransactions: 3 });
    for (let i = 0; i < 3; i++)
      layer.sendRequest(outboundRequest('OPTIONS'), TCP_PEER, mockHandlers());
    expect(layer.size).toBe(3);
    let caught: unknown;
    try {
      layer.sendRequest(outboundRequest('OPTIONS'), TCP_PEER, mockHandlers());
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(HoldgateError);
    expect((caught as HoldgateError).code).toBe('HG_ERR_SIP_TRANSACTION_LIMIT');
    layer.receive(responseTo(transport.requests()[0]!, 200), ctx); // TCP: Timer K = 0
    expect(layer.size).toBe(2);
    expect(() =>
      layer.sendRequest(outboundRequest('OPTIONS'), TCP_PEER, mockHandlers()),
    ).not.toThrow();
  });

  it('close() stops every timer and forgets every transaction, idempotently', async () => {
    const { layer, transport } = harness();
    const handlers = mockHandlers();
    layer.sendRequest(outboundRequest('INVITE'), UDP_PEER, handlers);
    layer.receive(inboundRequest(), ctx);
    layer.close();
    layer.close();
    expect(layer.size).toBe(0);
    const before = transport.sent.length;
    await vi.advanceTimersByTimeAsync(100_000);
    expect(transport.sent.length).toBe(before);
    expect(handlers.onTimeout).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('TransactionLayer.close and late transport failures', () => {
  it('a send that fails after close() reaches no handler', async () => {
    const { layer, transport } = harness();
    transport.failWith = new Error('late');
    const handlers = mockHandlers();
    layer.sendRequest(outboundRequest('OPTIONS'), UDP_PEER, handlers);
    layer.receive(inboundRequest({ method: 'OPTIONS' }), ctx);
    layer.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(handlers.onTransportError).not.toHaveBeenCalled();
    expect(handlers.onTerminated).not.toHaveBeenCalled();
  });

  it('a server transaction disposed by close() emits nothing', async () => {
    const { layer, transport, user } = harness();
    const request = inboundRequest({ method: 'OPTIONS' });
    layer.receive(request, ctx);
    const txn = user.onRequest.mock.calls[0]![1] as ServerTransaction;
    const events = vi.fn();
    txn.on('transportError', events);
    txn.on('terminated', events);
    transport.failWith = new Error('late');
    txn.respond(createResponse(request, 200));
    layer.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(events).not.toHaveBeenCalled();
    expect(txn.state).toBe('terminated');
  });
});

describe('response matching (RFC 3261 §17.1.3)', () => {
  it('matches on branch + CSeq method; other branches are stray and go to onStrayResponse', () => {
    const { layer, transport, user } = harness();
    const a = mockHandlers();
    const b = mockHandlers();
    layer.sendRequest(outboundRequest('OPTIONS'), UDP_PEER, a);
    layer.sendRequest(outboundRequest('OPTIONS'), UDP_PEER, b);
    const [reqA, reqB] = transport.requests('OPTIONS');
    layer.receive(responseTo(reqB!, 200), ctx);
    expect(b.onFinal).toHaveBeenCalledOnce();
    expect(a.onFinal).not.toHaveBeenCalled();
    // Same branch, other CSeq method: not this transaction
    const wrongMethod = responseTo(reqA!, 200);
    wrongMethod.set('CSeq', '7 INFO');
    layer.receive(wrongMethod, ctx);
    expect(a.onFinal).not.toHaveBeenCalled();
    expect(user.onStrayResponse).toHaveBeenCalledWith(wrongMethod, ctx);
  });
});

describe('request matching (RFC 3261 §17.2.3)', () => {
  it('same branch, other sent-by: a different transaction', () => {
    const { layer, user } = harness();
    layer.receive(inboundRequest({ method: 'OPTIONS' }), ctx);
    layer.receive(
      inboundRequest({
        method: 'OPTIONS',
        via: 'SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKclient1',
      }),
      ctx,
    );
    expect(user.onRequest).toHaveBeenCalledTimes(2);
  });

  it('same branch and sent-by, other method: a different transaction', () => {
    const { layer, user } = harness();
    layer.receive(inboundRequest({ method: 'OPTIONS' }), ctx);
    layer.receive(inboundRequest({ method: 'INFO' }), ctx);
    expect(user.onRequest).toHaveBeenCalledTimes(2);
  });

  it('sent-by without a port equals the default port 5060', () => {
    const { layer, user } = harness();
    layer.receive(
      inboundRequest({ method: 'OPTIONS', via: 'SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKx' }),
      ctx,
    );
    layer.receive(
      inboundRequest({ method: 'OPTIONS', via: 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKx' }),
      ctx,
    );
    expect(user.onRequest).toHaveBeenCalledOnce();
  });

  it('RFC 2543 branches (no magic cookie): matched by Request-URI, tags, Call-ID, CSeq, top Via', () => {
    const { layer, user, transport } = harness();
    const via = 'SIP/2.0/UDP 192.0.2.10:5060;branch=old1';
    const invite = inboundRequest({ via });
    layer.receive(invite, ctx);
    layer.receive(inboundRequest({ via }), ctx); // retransmission
    expect(user.onRequest).toHaveBeenCalledOnce();
    layer.receive(inboundRequest({ via, cseq: 2 }), ctx); // another CSeq: new
    expect(user.onRequest).toHaveBeenCalledTimes(2);
    const txn = user.onRequest.mock.calls[0]![1] as ServerTransaction;
    txn.respond(createResponse(invite, 486, { toTag: 'uas9' }));
    // ACK with the wrong To tag does not match (it goes to the TU as a dialog ACK)
    layer.receive(inboundRequest({ method: 'ACK', cseqMethod: 'ACK', via, toTag: 'other' }), ctx);
    expect(txn.state).toBe('completed');
    expect(user.onAck).toHaveBeenCalledOnce();
    layer.receive(inboundRequest({ method: 'ACK', cseqMethod: 'ACK', via, toTag: 'uas9' }), ctx);
    expect(txn.state).toBe('confirmed');
    expect(transport.responses(486)).toHaveLength(1);
  });

  it('unusable Via or CSeq: dropped and counted, nothing thrown', () => {
    const { layer, user } = harness();
    const bad = inboundRequest({ method: 'OPTIONS' });
    bad.set('Via', 'garbage');
    expect(() => layer.receive(bad, ctx)).not.toThrow();
    expect(user.onRequest).not.toHaveBeenCalled();
    expect(layer.stats.unmatchable).toBe(1);
  });
});

describe('ACK handling', () => {
  it('an ACK matching no transaction (ACK for 2xx) is handed to the TU', () => {
    const { layer, user } = harness();
    const ack = inboundRequest({ method: 'ACK', toTag: 'x', branch: 'z9hG4bKnew' });
    layer.receive(ack, ctx);
    expect(user.onAck).toHaveBeenCalledWith(ack, ctx);
    expect(layer.size).toBe(0);
  });
});

describe('CANCEL on the server side (RFC 3261 §9.2)', () => {
  function pendingInvite() {
    const h = harness();
    const invite = inboundRequest();
    h.layer.receive(invite, ctx);
    const txn = h.user.onRequest.mock.calls[0]![1] as ServerTransaction;
    txn.respond(createResponse(invite, 180, { toTag: 'uas1' }));
    return { ...h, invite, txn };
  }

  it('matching a pending INVITE: the layer answers 200 (same To tag), then calls onCancel', () => {
    const { layer, user, transport, txn } = pendingInvite();
    const cancel = inboundRequest({ method: 'CANCEL' });
    layer.receive(cancel, ctx);
    const ok = transport.responses(200);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.get('cseq')).toBe('1 CANCEL');
    expect(ok[0]!.get('to')).toContain('tag=uas1');
    expect(user.onCancel).toHaveBeenCalledWith(cancel, txn, ctx);
    expect(user.onRequest).toHaveBeenCalledOnce(); // the CANCEL is not a new request for the TU
    // a retransmitted CANCEL gets the 200 again, no second onCancel
    layer.receive(cancel.clone(), ctx);
    expect(transport.responses(200)).toHaveLength(2);
    expect(user.onCancel).toHaveBeenCalledOnce();
  });

  it('after the final response: 200 to the CANCEL, no effect on the INVITE', () => {
    const { layer, user, transport, txn, invite } = pendingInvite();
    txn.respond(createResponse(invite, 200, { toTag: 'uas1' }));
    layer.receive(inboundRequest({ method: 'CANCEL' }), ctx);
    expect(transport.responses(200).map((r) => r.get('cseq'))).toEqual(['1 INVITE', '1 CANCEL']);
    expect(user.onCancel).not.toHaveBeenCalled();
    expect(txn.state).toBe('accepted');
  });

  it('matching nothing: 481 from the layer, the TU is not involved', () => {
    const { layer, user, transport } = harness();
    layer.receive(inboundRequest({ method: 'CANCEL', branch: 'z9hG4bKunknown' }), ctx);
    expect(transport.responses().map((r) => r.status)).toEqual([481]);
    expect(user.onCancel).not.toHaveBeenCalled();
    expect(user.onRequest).not.toHaveBeenCalled();
  });
});

describe('server-side cap and robustness', () => {
  it('at the cap a new request gets a stateless 503 with Retry-After', () => {
    const { layer, user, transport } = harness({ maxTransactions: 1 });
    layer.receive(inboundRequest({ method: 'OPTIONS', branch: 'z9hG4bK1' }), ctx);
    layer.receive(inboundRequest({ method: 'OPTIONS', branch: 'z9hG4bK2' }), ctx);
    expect(user.onRequest).toHaveBeenCalledOnce();
    const rejected = transport.responses(503);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.get('retry-after')).toBe('5');
    expect(layer.stats.rejectedAtCap).toBe(1);
    expect(layer.size).toBe(1);
  });

  it('a TU that throws in onRequest: logged, the request gets 500, the layer keeps working', () => {
    const { layer, user, transport } = harness();
    user.onRequest.mockImplementationOnce(() => {
      throw new Error('TU bug');
    });
    layer.receive(inboundRequest({ method: 'OPTIONS', branch: 'z9hG4bK1' }), ctx);
    expect(transport.responses(500)).toHaveLength(1);
    layer.receive(inboundRequest({ method: 'OPTIONS', branch: 'z9hG4bK2' }), ctx);
    expect(user.onRequest).toHaveBeenCalledTimes(2);
  });

  it('throwing client handlers and TU callbacks never unwind the layer', () => {
    const { layer, transport, user } = harness();
    const handlers = mockHandlers();
    handlers.onProvisional.mockImplementation(() => {
      throw new Error('x');
    });
    handlers.onFinal.mockImplementation(() => {
      throw new Error('y');
    });
    user.onStrayResponse.mockImplementation(() => {
      throw new Error('z');
    });
    user.onAck.mockImplementation(() => {
      throw new Error('w');
    });
    const txn = layer.sendRequest(outboundRequest('INVITE'), UDP_PEER, handlers);
    const invite = transport.requests('INVITE')[0]!;
    expect(() => {
      layer.receive(responseTo(invite, 180), ctx);
      layer.receive(responseTo(invite, 486), ctx);
      layer.receive(responseTo(inboundRequest({ method: 'OPTIONS' }), 200), ctx);
      layer.receive(inboundRequest({ method: 'ACK', toTag: 'q' }), ctx);
    }).not.toThrow();
    expect(txn.state).toBe('completed');
    expect(transport.requests('ACK')).toHaveLength(1);
  });

  it('without a TU, requests are answered 503', () => {
    const transport = new FakeTransport();
    const layer = new TransactionLayer(transport);
    layer.receive(inboundRequest({ method: 'OPTIONS' }), ctx);
    expect(transport.responses(503)).toHaveLength(1);
  });

  it('rejects non-positive timer values', () => {
    expect(() => new TransactionLayer(new FakeTransport(), { t1: 0 })).toThrow(RangeError);
  });

  it('custom T1/T2/T4 scale every timer', async () => {
    const { layer, transport } = harness({ t1: 100, t2: 400, t4: 1000 });
    const handlers = mockHandlers();
    layer.sendRequest(outboundRequest('OPTIONS'), UDP_PEER, handlers);
    await vi.advanceTimersByTimeAsync(6399);
    expect(transport.requests('OPTIONS').length).toBe(1 + 17); // 100, 300, then every 400 from 700 to 6300
    await vi.advanceTimersByTimeAsync(1);
    expect(handlers.onTimeout).toHaveBeenCalledOnce();
  });
});
