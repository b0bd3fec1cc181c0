import { vi, type Mock } from 'vitest';
import { TransactionLayer } from '../transaction-layer.js';
import type {
  ClientTransactionHandlers,
  TransactionLayerOptions,
  TransactionUser,
} from '../types.js';
import { FakeTransport } from './fake-transport.js';

export type MockHandlers = { [K in keyof Required<ClientTransactionHandlers>]: Mock };
export type MockUser = { [K in keyof TransactionUser]: Mock };

export function mockHandlers(): MockHandlers {
  return {
    onProvisional: vi.fn(),
    onFinal: vi.fn(),
    onTimeout: vi.fn(),
    onTransportError: vi.fn(),
    onTerminated: vi.fn(),
  };
}

export function mockUser(): MockUser {
  return { onRequest: vi.fn(), onCancel: vi.fn(), onAck: vi.fn(), onStrayResponse: vi.fn() };
}

/** A layer on a fake transport with a recording TU. Default timers: T1 500, T2 4000, T4 5000. */
export function harness(options: TransactionLayerOptions = {}): {
  transport: FakeTransport;
  layer: TransactionLayer;
  user: MockUser;
} {
  const transport = new FakeTransport();
  const layer = new TransactionLayer(transport, options);
  const user = mockUser();
  layer.setUser(user);
  return { transport, layer, user };
}
