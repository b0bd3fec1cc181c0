/**
 * Test support: an admin app over a memory (or given) store, a temp recordings dir, a fake
 * CallControl with one live call and one API key per role. Not used at run time.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { CallControl, CallDetail } from '../calls/call-control.js';
import { validateConfig } from '../config/load-config.js';
import { silentLogger } from '../shared/logger.js';
import { createMemoryStore, ROLES, type Role, type Store } from '../store/index.js';
import { createApiKey } from './api-keys.js';
import { buildAdminApp } from './build-admin-app.js';

export const LIVE_CALL: CallDetail = {
  id: 'call-1',
  queue: 'sales',
  from: 'sip:+4930123@127.0.0.1',
  to: 'sip:sales@127.0.0.1',
  startedAt: '2025-03-01T10:00:00.000Z',
  state: 'confirmed',
  recording: 'paused',
  pauseCauses: ['music-on-hold'],
  legs: {
    caller: { sipCallId: 'abc@127.0.0.1', dialog: 'confirmed' },
    pbx: { dialog: 'confirmed' },
  },
  onHold: false,
  gateEvents: [{ t: 3.5, state: 'paused', cause: 'music-on-hold' }],
};

export class FakeCallControl implements CallControl {
  readonly calls = new Map<string, CallDetail>([[LIVE_CALL.id, LIVE_CALL]]);
  readonly actions: string[] = [];
  list() {
    return [...this.calls.values()].map(({ legs: _l, onHold: _o, gateEvents: _g, ...s }) => s);
  }
  get(id: string) {
    return this.calls.get(id);
  }
  pauseRecording(id: string, reason: string) {
    this.actions.push(`pause ${id} ${reason}`);
    return this.calls.has(id);
  }
  resumeRecording(id: string) {
    this.actions.push(`resume ${id}`);
    return this.calls.has(id);
  }
  hangUp(id: string, reason: string) {
    this.actions.push(`hangup ${id} ${reason}`);
    return this.calls.has(id);
  }
}

export interface Harness {
  app: FastifyInstance;
  store: Store;
  dir: string;
  calls: FakeCallControl;
  keys: Record<Role, string>;
  keyIds: Record<Role, string>;
  auth(role: Role): { authorization: string };
  close(): Promise<void>;
}

export async function makeHarness(
  options: { store?: Store; dir?: string; authFailuresPerMinute?: number } = {},
): Promise<Harness> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'hg-admin-')));
  const store = options.store ?? createMemoryStore();
  const calls = new FakeCallControl();
  const keys = {} as Record<Role, string>;
  const keyIds = {} as Record<Role, string>;
  for (const role of ROLES) {
    const { key, record } = await createApiKey(store, role, `test ${role}`);
    keys[role] = key;
    keyIds[role] = record.id;
  }
  const app = await buildAdminApp({
    store,
    callControl: calls,
    recordingsDir: dir,
    config: validateConfig({
      admin: { authFailuresPerMinute: options.authFailuresPerMinute ?? 1000 },
    }),
    logger: silentLogger(),
    receiptKey: generateKeyPairSync('ed25519').privateKey,
  });
  return {
    app,
    store,
    dir,
    calls,
    keys,
    keyIds,
    auth: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    close: async () => {
      await app.close();
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
