import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRequest, createResponse } from '../message/index.js';
import type { SipMessage, SipRequest, SipResponse } from '../message/types.js';
import { TransactionLayer } from './transaction-layer.js';
import type { ServerTransaction } from './types.js';
import { FakeTransport } from './test-support/fake-transport.js';
import { link, type LinkPolicy, type Node } from './test-support/fake-network.js';
import { mockHandlers, mockUser } from './test-support/harness.js';
import { outboundRequest } from './test-support/sip-fixtures.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function node(address: string): Node {
  const transport = new FakeTransport(address, 5060);
  return {
    transport,
    layer: new TransactionLayer(transport),
    endpoint: { protocol: 'udp', address, port: 5060 },
  };
}

/** A UAC layer and a UAS layer joined by a lossy UDP-like link in each direction. */
function pair(uacToUas: LinkPolicy = {}, uasToUac: LinkPolicy = {}) {
  const uac = node('10.0.0.1');
  const uas = node('10.0.0.2');
  link(uac, uas, uacToUas);
  link(uas, uac, uasToUac);
  const uasUser = mockUser();
  uas.layer.setUser(uasUser);
  const uacUser = mockUser();
  uac.layer.setUser(uacUser);
  return { uac, uas, uasUser, uacUser };
}

const isStatus = (status: number) => (m: SipMessage) =>
  m.kind === 'response' && m.status === status;
const isMethod = (method: string) => (m: SipMessage) => m.kind === 'request' && m.method === method;

function statuses(calls: unknown[][]): number[] {
  return calls.map((c) => (c[0] as SipResponse).status);
}

describe('transactions over a lossy, duplicating, reordering link', () => {
  it('every message duplicated: each side processes each request once, finals once', async () => {
    const dupAll = { duplicate: () => true };
    const { uac, uas, uasUser } = pair(dupAll, dupAll);
    uasUser.onRequest.mockImplementation((req: SipRequest, txn: ServerTransaction) => {
      txn.respond(createResponse(req, 180, { toTag: 'uas1' }));
      setTimeout(() => txn.respond(createResponse(req, 486, { toTag: 'uas1' })), 1000);
    });
    const handlers = mockHandlers();
    uac.layer.sendRequest(outboundRequest('INVITE'), uas.endpoint, handlers);
    await vi.advanceTimersByTimeAsync(2000);
    expect(uasUser.onRequest).toHaveBeenCalledOnce();
    expect(statuses(handlers.onFinal.mock.calls)).toEqual([486]);
    expect(handlers.onProvisional.mock.calls.length).toBeGreaterThanOrEqual(1);
    // both copies of the 486 were ACKed; the UAS absorbed the second ACK
    expect(uac.transport.requests('ACK')).toHaveLength(2);
    expect(uasUser.onAck).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(40_000);
    expect(uac.layer.size).toBe(0);
    expect(uas.layer.size).toBe(0);
  });

  it('first INVITE and first 486 lost: Timers A and G recover, the TUs see one request and one final', async () => {
    const { uac, uas, uasUser } = pair(
      { drop: (m, n) => n === 0 && isMethod('INVITE')(m) },
      {
        drop: (() => {
          let dropped = false;
          return (m: SipMessage) => {
            if (dropped || !isStatus(486)(m)) return false;
            dropped = true;
            return true;
          };
        })(),
      },
    );
    uasUser.onRequest.mockImplementation((req: SipRequest, txn: ServerTransaction) => {
      txn.respond(createResponse(req, 486, { toTag: 'uas1' }));
    });
    const handlers = mockHandlers();
    uac.layer.sendRequest(outboundRequest('INVITE'), uas.endpoint, handlers);
    await vi.advanceTimersByTimeAsync(3000);
    expect(uasUser.onRequest).toHaveBeenCalledOnce();
    expect(statuses(handlers.onFinal.mock.calls)).toEqual([486]);
    const uasTxn = uasUser.onRequest.mock.calls[0]![1] as ServerTransaction;
    expect(uasTxn.state).toBe('confirmed');
    expect(uas.transport.responses(486).length).toBeGreaterThanOrEqual(2);
  });

  it('a 180 overtaken by the 486: the late 180 is ignored in Completed', async () => {
    const { uac, uas, uasUser } = pair({}, { delay: (m) => (isStatus(180)(m) ? 50 : 5) });
    uasUser.onRequest.mockImplementation((req: SipRequest, txn: ServerTransaction) => {
      txn.respond(createResponse(req, 180, { toTag: 'uas1' }));
      txn.respond(createResponse(req, 486, { toTag: 'uas1' }));
    });
    const handlers = mockHandlers();
    const txn = uac.layer.sendRequest(outboundRequest('INVITE'), uas.endpoint, handlers);
    await vi.advanceTimersByTimeAsync(100);
    expect(statuses(handlers.onFinal.mock.calls)).toEqual([486]);
    expect(handlers.onProvisional).not.toHaveBeenCalled();
    expect(txn.state).toBe('completed');
  });

  it('non-INVITE with the first three responses lost: Timer E retransmits, the server re-sends its final', async () => {
    const { uac, uas, uasUser } = pair({}, { drop: (_m, n) => n < 3 });
    uasUser.onRequest.mockImplementation((req: SipRequest, txn: ServerTransaction) => {
      txn.respond(createResponse(req, 200));
    });
    const handlers = mockHandlers();
    uac.layer.sendRequest(outboundRequest('OPTIONS'), uas.endpoint, handlers);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(uasUser.onRequest).toHaveBeenCalledOnce();
    expect(statuses(handlers.onFinal.mock.calls)).toEqual([200]);
    expect(handlers.onTimeout).not.toHaveBeenCalled();
  });

  it('2xx retransmitted by the UAS TU: each copy reaches the UAC TU (Accepted), the ACK for 2xx reaches the UAS TU', async () => {
    const { uac, uas, uasUser } = pair();
    uasUser.onRequest.mockImplementation((req: SipRequest, txn: ServerTransaction) => {
      txn.respond(createResponse(req, 200, { toTag: 'uas1' }));
      setTimeout(() => txn.retransmitFinal(), 500);
      setTimeout(() => txn.retransmitFinal(), 1500);
    });
    const handlers = mockHandlers();
    handlers.onFinal.mockImplementation((res: SipResponse) => {
      // The dialog's ACK for a 2xx: a new transaction-less request with its own branch
      const ack = createRequest({
        method: 'ACK',
        uri: 'sip:queue@pbx.test',
        headers: [
          ['Via', `SIP/2.0/UDP 10.0.0.1:5060;branch=${uac.layer.createBranch()}`],
          ['Max-Forwards', '70'],
          ['From', res.get('from') ?? ''],
          ['To', res.get('to') ?? ''],
          ['Call-ID', res.get('call-id') ?? ''],
          ['CSeq', '7 ACK'],
        ],
      });
      void uac.transport.send(ack, uas.endpoint);
    });
    uac.layer.sendRequest(outboundRequest('INVITE'), uas.endpoint, handlers);
    await vi.advanceTimersByTimeAsync(2000);
    expect(statuses(handlers.onFinal.mock.calls)).toEqual([200, 200, 200]);
    expect(uasUser.onAck).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(uac.layer.size).toBe(0);
    expect(uas.layer.size).toBe(0);
  });

  it('CANCEL end to end: 200 to the CANCEL, onCancel at the UAS, 487 reaches the UAC TU', async () => {
    const { uac, uas, uasUser } = pair();
    uasUser.onRequest.mockImplementation((req: SipRequest, txn: ServerTransaction) => {
      txn.respond(createResponse(req, 180, { toTag: 'uas1' }));
    });
    uasUser.onCancel.mockImplementation((_c: SipRequest, invite: ServerTransaction) => {
      invite.respond(createResponse(invite.request, 487, { toTag: 'uas1' }));
    });
    const handlers = mockHandlers();
    const txn = uac.layer.sendRequest(outboundRequest('INVITE'), uas.endpoint, handlers);
    txn.cancel();
    await vi.advanceTimersByTimeAsync(100);
    expect(uac.transport.requests('CANCEL')).toHaveLength(1);
    expect(uas.transport.responses(200).map((r) => r.get('cseq'))).toEqual(['7 CANCEL']);
    expect(uasUser.onCancel).toHaveBeenCalledOnce();
    expect(statuses(handlers.onFinal.mock.calls)).toEqual([487]);
    expect(uac.transport.requests('ACK')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(40_000);
    expect(uac.layer.size).toBe(0);
    expect(uas.layer.size).toBe(0);
  });
});
