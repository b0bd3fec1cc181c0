import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryStore, type AuditEntry } from '../store/index.js';
import { makeHarness, type Harness } from './admin-test-harness.js';

const PROBLEM = 'application/problem+json';
let h: Harness;
beforeEach(async () => {
  h = await makeHarness();
});
afterEach(async () => {
  await h.close();
});

const queueBody = (name: string, host = '127.0.0.1') => ({
  name,
  match: { requestUser: `^${name}$` },
  pbx: { host },
});

describe('auth', () => {
  it('serves /health and /ready without a key', async () => {
    expect((await h.app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await h.app.inject({ url: '/ready' })).json()).toEqual({
      ready: true,
      store: 'memory',
    });
  });

  it('answers 401 problem+json without a key or with an unknown one', async () => {
    for (const headers of [{}, { authorization: 'Bearer hgk_nope' }, { 'x-api-key': 'x' }]) {
      const res = await h.app.inject({ url: '/calls', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain(PROBLEM);
      expect(res.json()).toMatchObject({ status: 401, code: 'HG_ERR_API_UNAUTHORIZED' });
    }
    const ok = await h.app.inject({ url: '/calls', headers: { 'x-api-key': h.keys.viewer } });
    expect(ok.statusCode).toBe(200);
  });

  it('rate-limits failed authentications per source, then refuses even good keys', async () => {
    const limited = await makeHarness({ authFailuresPerMinute: 3 });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        codes.push(
          (await limited.app.inject({ url: '/calls', headers: { 'x-api-key': 'bad' } })).statusCode,
        );
      }
      expect(codes).toEqual([401, 401, 401, 429]);
      const res = await limited.app.inject({ url: '/calls', headers: limited.auth('admin') });
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ code: 'HG_ERR_API_RATE_LIMITED' });
      const other = await limited.app.inject({
        url: '/calls',
        headers: limited.auth('admin'),
        remoteAddress: '127.0.0.9',
      });
      expect(other.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('calls', () => {
  it('lists and gets calls (legs, hold state, gate timeline); 404 problem for unknown', async () => {
    const list = await h.app.inject({ url: '/calls', headers: h.auth('viewer') });
    expect(list.json()).toEqual([expect.objectContaining({ id: 'call-1', recording: 'paused' })]);
    expect(list.json<Record<string, unknown>[]>()[0]).not.toHaveProperty('legs');
    const one = await h.app.inject({ url: '/calls/call-1', headers: h.auth('viewer') });
    expect(one.json()).toMatchObject({
      legs: { caller: { sipCallId: 'abc@127.0.0.1' } },
      onHold: false,
      gateEvents: [{ t: 3.5, state: 'paused', cause: 'music-on-hold' }],
    });
    const missing = await h.app.inject({ url: '/calls/x', headers: h.auth('viewer') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({
      code: 'HG_ERR_API_NOT_FOUND',
      type: 'urn:holdgate:error:HG_ERR_API_NOT_FOUND',
    });
  });

  it('pauses, resumes and hangs up through CallControl, each audited with the key id', async () => {
    for (const action of ['pause', 'resume', 'hangup']) {
      const res = await h.app.inject({
        method: 'POST',
        url: `/calls/call-1/${action}`,
        headers: h.auth('supervisor'),
        payload: { reason: 'test' },
      });
      expect(res.json()).toEqual({ id: 'call-1', ok: true });
    }
    expect(h.calls.actions).toEqual(['pause call-1 test', 'resume call-1', 'hangup call-1 test']);
    const audit = await h.store.audit.list();
    expect(audit.map((e) => [e.actor, e.action, e.target])).toEqual([
      [`key:${h.keyIds.supervisor}`, 'call.pause', 'call-1'],
      [`key:${h.keyIds.supervisor}`, 'call.resume', 'call-1'],
      [`key:${h.keyIds.supervisor}`, 'call.hangup', 'call-1'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(h.keys.supervisor);
  });

  it('rejects an invalid body with the path', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/calls/call-1/pause',
      headers: h.auth('supervisor'),
      payload: { reason: 'x'.repeat(300) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(
      '/body/reason',
    );
    expect(h.calls.actions).toEqual([]);
  });
});

describe('queues', () => {
  it('creates, lists, gets, replaces and deletes queues, auditing each change', async () => {
    const admin = h.auth('admin');
    const created = await h.app.inject({
      method: 'POST',
      url: '/queues',
      headers: admin,
      payload: queueBody('sales'),
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'sales',
      pbx: { host: '127.0.0.1', port: 5060, transport: 'udp' },
    });
    const dup = await h.app.inject({
      method: 'POST',
      url: '/queues',
      headers: admin,
      payload: queueBody('sales'),
    });
    expect(dup.statusCode).toBe(409);
    await h.app.inject({
      method: 'PUT',
      url: '/queues/support',
      headers: admin,
      payload: queueBody('support'),
    });
    const put = await h.app.inject({
      method: 'PUT',
      url: '/queues/sales',
      headers: admin,
      payload: queueBody('sales', '127.0.0.2'),
    });
    expect(put.statusCode).toBe(200);
    const list = await h.app.inject({ url: '/queues', headers: h.auth('viewer') });
    expect(
      list.json<{ name: string; pbx: { host: string } }[]>().map((q) => [q.name, q.pbx.host]),
    ).toEqual([
      ['sales', '127.0.0.2'],
      ['support', '127.0.0.1'],
    ]);
    expect(
      (await h.app.inject({ url: '/queues/support', headers: h.auth('viewer') })).statusCode,
    ).toBe(200);
    expect(
      (await h.app.inject({ method: 'DELETE', url: '/queues/support', headers: admin })).json(),
    ).toEqual({
      name: 'support',
      deleted: true,
    });
    expect((await h.app.inject({ url: '/queues/support', headers: admin })).statusCode).toBe(404);
    expect((await h.store.audit.list()).map((e) => `${e.action} ${e.target}`)).toEqual([
      'queue.create queue:sales',
      'queue.create queue:support',
      'queue.update queue:sales',
      'queue.delete queue:support',
    ]);
  });

  it.each([
    [{ ...queueBody('q'), pbx: { host: '127.0.0.1', port: 'x' } }, '/body/pbx/port'],
    [{ ...queueBody('q'), surprise: true }, '/body'],
    [{ ...queueBody('q'), pbx: { host: 'pbx.example' } }, '/body/pbx/host'],
    [{ ...queueBody('q'), match: { requestUser: '(' } }, '/body/match/requestUser'],
    [{ ...queueBody('q'), match: {} }, '/body/match'],
    [{ name: 'q', match: { requestUser: 'x' } }, '/body'],
  ])('rejects an invalid queue like the config schema does (%#)', async (payload, path) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/queues',
      headers: h.auth('admin'),
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain(PROBLEM);
    const body = res.json<{ code: string; errors: { path: string }[] }>();
    expect(body.code).toBe('HG_ERR_API_VALIDATION');
    expect(body.errors.map((e) => e.path)).toContain(path);
    expect(await h.store.queues.list()).toEqual([]);
  });

  it('refuses a PUT whose body names another queue', async () => {
    const res = await h.app.inject({
      method: 'PUT',
      url: '/queues/a',
      headers: h.auth('admin'),
      payload: queueBody('b'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('/body/name');
  });
});

describe('keys, audit, metrics, docs', () => {
  it('creates a key once (audited), lists without secrets, deletes it', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/keys',
      headers: h.auth('admin'),
      payload: { role: 'supervisor', label: 'night shift' },
    });
    expect(res.statusCode).toBe(201);
    const { id, key } = res.json<{ id: string; key: string }>();
    expect(
      (await h.app.inject({ url: '/calls/call-1', headers: { authorization: `Bearer ${key}` } }))
        .statusCode,
    ).toBe(200);
    const list = await h.app.inject({ url: '/keys', headers: h.auth('admin') });
    expect(list.body).not.toContain(key);
    expect(list.body).not.toContain('hash');
    expect(
      (await h.app.inject({ method: 'DELETE', url: `/keys/${id}`, headers: h.auth('admin') }))
        .statusCode,
    ).toBe(200);
    expect(
      (await h.app.inject({ url: '/calls', headers: { authorization: `Bearer ${key}` } }))
        .statusCode,
    ).toBe(401);
    expect((await h.store.audit.list()).map((e) => `${e.action} ${e.target}`)).toEqual([
      `key.create key:${id}`,
      `key.delete key:${id}`,
    ]);
  });

  it('GET /audit lists entries and the verification of the chain', async () => {
    await h.app.inject({
      method: 'POST',
      url: '/calls/call-1/pause',
      headers: h.auth('supervisor'),
      payload: {},
    });
    await h.app.inject({
      method: 'POST',
      url: '/calls/call-1/resume',
      headers: h.auth('supervisor'),
      payload: {},
    });
    const res = await h.app.inject({
      url: '/audit?afterSeq=1',
      headers: h.auth('privacy-officer'),
    });
    expect(res.json()).toMatchObject({
      entries: [{ seq: 2, action: 'call.resume' }],
      verification: { ok: true, count: 2 },
    });
    const bad = await h.app.inject({ url: '/audit?limit=0', headers: h.auth('privacy-officer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('/querystring/limit');
  });

  it('exposes Prometheus metrics from call control and the catalog', async () => {
    const res = await h.app.inject({ url: '/metrics', headers: h.auth('viewer') });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/^holdgate_active_calls 1$/m);
    expect(res.body).toMatch(/^holdgate_calls_by_gate_state\{state="paused"\} 1$/m);
    expect(res.body).toMatch(/^holdgate_calls_paused_by_cause\{cause="music-on-hold"\} 1$/m);
    expect(res.body).toMatch(/^holdgate_recorder_failures 0$/m);
  });

  it('serves the OpenAPI document with every route and the problem schema', async () => {
    const res = await h.app.inject({ url: '/docs/json', headers: h.auth('viewer') });
    const doc = res.json<{
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/calls/{id}/pause',
        '/queues/{name}',
        '/recordings/{id}/audio',
        '/subjects/{number}/erase',
        '/audit',
      ]),
    );
    expect(Object.keys(doc.components.schemas)).toContain('Problem');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await h.app.inject({ url: '/nope', headers: h.auth('viewer') });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'HG_ERR_API_NOT_FOUND' });
  });
});

describe('audit tamper evidence through the API', () => {
  it('GET /audit names the edited entry as the first broken one', async () => {
    const entries: AuditEntry[] = [];
    const t = await makeHarness({ store: createMemoryStore({ auditEntries: entries }) });
    try {
      for (const action of ['pause', 'resume', 'pause']) {
        await t.app.inject({
          method: 'POST',
          url: `/calls/call-1/${action}`,
          headers: t.auth('supervisor'),
          payload: {},
        });
      }
      const before = await t.app.inject({ url: '/audit', headers: t.auth('admin') });
      expect(before.json()).toMatchObject({ verification: { ok: true, count: 3 } });
      entries[1] = { ...entries[1]!, actor: 'key:someone-else' };
      const after = await t.app.inject({ url: '/audit', headers: t.auth('admin') });
      expect(after.json()).toMatchObject({ verification: { ok: false, count: 3, brokenAt: 2 } });
    } finally {
      await t.close();
    }
  });
});
