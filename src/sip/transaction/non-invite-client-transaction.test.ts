import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

function start(peer = UDP_PEER, method = 'OPTIONS') {
  const h = harness();
  const handlers = mockHandlers();
  const txn = h.layer.sendRequest(outboundRequest(method), peer, handlers);
  const sendTimes: number[] = [];
  const t0 = Date.now();
  h.transport.onSend = () => sendTimes.push(Date.now() - t0);
  return { ...h, handlers, txn, sendTimes, request: h.transport.requests(method)[0]! };
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('Trying: Timer E doubles from T1 up to T2; Timer F times out at 64*T1 (UDP)', async () => {
    const { txn, handlers, sendTimes, layer } = start();
    expect(txn.state).toBe('trying');
    await vi.advanceTimersByTimeAsync(31_999);
    expect(sendTimes).toEqual([
      500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500,
    ]);
    expect(handlers.onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(handlers.onTimeout).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
    expect(layer.size).toBe(0);
  });

  it('Proceeding: Timer E fires every T2, and Timer F still fires after a provisional', async () => {
    const { txn, handlers, sendTimes, layer, request } = start();
    await vi.advanceTimersByTimeAsync(600);
    layer.receive(responseTo(request, 100), ctx);
    expect(txn.state).toBe('proceeding');
    expect(handlers.onProvisional).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(31_399);
    expect(sendTimes).toEqual([500, 1500, 5500, 9500, 13_500, 17_500, 21_500, 25_500, 29_500]);
    expect(handlers.onTimeout).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(handlers.onTimeout).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
  });

  it('TCP: no Timer E, Timer F fires after a provisional too', async () => {
    const { handlers, sendTimes, layer, request } = start(TCP_PEER);
    layer.receive(responseTo(request, 100), ctx);
    await vi.advanceTimersByTimeAsync(32_000);
    expect(sendTimes).toEqual([]);
    expect(handlers.onTimeout).toHaveBeenCalledOnce();
  });

  it('final → Completed: passed to the TU once, retransmissions absorbed, Timer K = T4 (UDP)', async () => {
    const { txn, handlers, sendTimes, layer, request } = start();
    layer.receive(responseTo(request, 180), ctx);
    const ok = responseTo(request, 200);
    layer.receive(ok, ctx);
    expect(txn.state).toBe('completed');
    layer.receive(ok.clone(), ctx);
    layer.receive(responseTo(request, 180), ctx);
    expect(handlers.onFinal).toHaveBeenCalledOnce();
    expect(handlers.onProvisional).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(4999);
    expect(txn.state).toBe('completed');
    expect(sendTimes).toEqual([]); // no retransmission in Completed
    await vi.advanceTimersByTimeAsync(1);
    expect(txn.state).toBe('terminated');
    expect(handlers.onTerminated).toHaveBeenCalledOnce();
    expect(handlers.onTimeout).not.toHaveBeenCalled();
  });

  it('final directly in Trying → Completed; a 4xx is a final too', () => {
    const { txn, handlers, layer, request } = start(UDP_PEER, 'REGISTER');
    layer.receive(responseTo(request, 401), ctx);
    expect(txn.state).toBe('completed');
    expect(handlers.onFinal).toHaveBeenCalledOnce();
  });

  it('TCP: Timer K is zero, Completed ends at once', () => {
    const { txn, handlers, layer, request } = start(TCP_PEER, 'BYE');
    layer.receive(responseTo(request, 200), ctx);
    expect(txn.state).toBe('terminated');
    expect(handlers.onFinal).toHaveBeenCalledOnce();
    expect(handlers.onTerminated).toHaveBeenCalledOnce();
    expect(layer.size).toBe(0);
  });

  it('a send failure (also of a retransmission) is reported and terminates', async () => {
    const { txn, handlers, transport } = start();
    transport.failWith = new Error('ENETUNREACH');
    await vi.advanceTimersByTimeAsync(500);
    expect(handlers.onTransportError).toHaveBeenCalledOnce();
    expect(txn.state).toBe('terminated');
    await vi.advanceTimersByTimeAsync(64_000);
    expect(handlers.onTransportError).toHaveBeenCalledOnce();
    expect(handlers.onTimeout).not.toHaveBeenCalled();
  });
});
