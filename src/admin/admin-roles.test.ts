import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../store/index.js';
import { makeHarness, type Harness } from './admin-test-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => {
  await h.close();
});

describe('roles', () => {
  // Each route with the least role that may call it; targets that do not exist, so an allowed
  // call answers 404/400/200 and a refused one 403, without side effects between roles.
  const matrix: [string, string, Role, unknown?][] = [
    ['GET', '/calls', 'viewer'],
    ['GET', '/calls/none', 'viewer'],
    ['POST', '/calls/none/pause', 'supervisor', {}],
    ['POST', '/calls/none/resume', 'supervisor', {}],
    ['POST', '/calls/none/hangup', 'supervisor', {}],
    ['GET', '/queues', 'viewer'],
    ['GET', '/queues/none', 'viewer'],
    ['POST', '/queues', 'admin', { bad: 1 }],
    ['PUT', '/queues/none', 'admin', { bad: 1 }],
    ['DELETE', '/queues/none', 'admin'],
    ['GET', '/recordings', 'viewer'],
    ['GET', '/recordings/none', 'viewer'],
    ['GET', '/recordings/none/audio', 'supervisor'],
    ['POST', '/recordings/none/verify', 'viewer'],
    ['DELETE', '/recordings/none', 'privacy-officer'],
    ['POST', '/subjects/+4930999/export', 'privacy-officer'],
    ['POST', '/subjects/bad number!/erase', 'privacy-officer'],
    ['GET', '/receipts/none', 'privacy-officer'],
    ['POST', '/receipts/none/verify', 'privacy-officer'],
    ['GET', '/audit', 'privacy-officer'],
    ['GET', '/keys', 'admin'],
    ['POST', '/keys', 'admin', { role: 'nope' }],
    ['DELETE', '/keys/none', 'admin'],
    ['GET', '/metrics', 'viewer'],
    ['GET', '/config', 'admin'],
    ['GET', '/docs/json', 'viewer'],
  ];
  it.each(matrix)(
    '%s %s: 401 without key, allowed from %s up, 403 below',
    async (method, url, least, body) => {
      const send = (headers: Record<string, string>) =>
        h.app.inject({
          method: method as 'GET',
          url: encodeURI(url),
          headers,
          ...(body === undefined ? {} : { payload: body as object }),
        });
      expect((await send({})).statusCode).toBe(401);
      for (const role of ROLES) {
        const res = await send(h.auth(role));
        const allowed = ROLES.indexOf(role) >= ROLES.indexOf(least);
        if (allowed) expect([200, 201, 400, 404], `${role}: ${res.body}`).toContain(res.statusCode);
        else {
          expect(res.statusCode, role).toBe(403);
          expect(res.json()).toMatchObject({ code: 'HG_ERR_API_FORBIDDEN', status: 403 });
        }
      }
    },
  );
});
