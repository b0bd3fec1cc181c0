import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HoldgateError } from '../errors/registry.js';
import { loadConfigFile, validateConfig, type ConfigProblem } from './load-config.js';

function problemsOf(input: unknown): ConfigProblem[] {
  try {
    validateConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(HoldgateError);
    const e = err as HoldgateError;
    expect(e.code).toBe('HG_ERR_CONFIG_INVALID');
    return e.details?.problems as ConfigProblem[];
  }
  throw new Error('expected validation to fail');
}

describe('configuration', () => {
  it('fills every default and freezes the result', () => {
    const config = validateConfig({});
    expect(config.sip.t1Ms).toBe(500);
    expect(config.sip.listen).toHaveLength(2);
    expect(config.acl.trunks).toEqual([]);
    expect(config.log.level).toBe('info');
    expect(Object.isFrozen(config.sip.listen[0])).toBe(true);
  });

  it('reports every problem at once with its key path', () => {
    const problems = problemsOf({
      sip: { t1Ms: 'fast', listen: [{ protocol: 'sctp', address: '0.0.0.0', port: 5060 }] },
      queues: [{ name: 'a', match: { requestUser: '1' }, pbx: { host: '10.0.0.1', port: 99999 } }],
      bogus: true,
    });
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('/sip/t1Ms');
    expect(paths).toContain('/sip/listen/0/protocol');
    expect(paths).toContain('/queues/0/pbx/port');
    expect(paths.some((p) => p === '/bogus' || p === '/')).toBe(true);
  });

  it('checks what the schema cannot: IP literals, CIDRs, regular expressions, duplicates', () => {
    const problems = problemsOf({
      sip: { listen: [{ protocol: 'udp', address: 'example.com', port: 5060 }] },
      acl: { trunks: ['10.0.0.0/33', 'nonsense'] },
      queues: [
        { name: 'a', match: { requestUser: '(' }, pbx: { host: 'pbx.example' } },
        { name: 'a', match: {}, pbx: { host: '10.0.0.2' } },
      ],
    });
    expect(problems.map((p) => p.path).sort()).toEqual(
      [
        '/acl/trunks/0',
        '/acl/trunks/1',
        '/queues/0/match/requestUser',
        '/queues/0/pbx/host',
        '/queues/1/match',
        '/queues/1/name',
        '/sip/listen/0/address',
      ].sort(),
    );
  });

  it('loads the shipped default and example files', () => {
    const config = loadConfigFile(new URL('../../config/default.yaml', import.meta.url).pathname);
    expect(config.queues[0]?.name).toBe('demo');
  });

  it('says which file is missing or not YAML', () => {
    expect(() => loadConfigFile('/nonexistent/holdgate.yaml')).toThrow(/not found.*nonexistent/);
    const dir = mkdtempSync(join(tmpdir(), 'hg-config-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'sip: [unclosed');
    expect(() => loadConfigFile(bad)).toThrow(/not valid YAML/);
  });
});

describe('per-queue recording overrides', () => {
  it('accepts only the keys a queue may override, without filling defaults into them', () => {
    const config = validateConfig({
      recording: { pauseBehaviour: 'silence' },
      queues: [
        {
          name: 'a',
          match: { requestUser: '1' },
          pbx: { host: '10.0.0.1' },
          recording: { format: 'flac' },
        },
      ],
    });
    expect(config.queues[0]?.recording).toEqual({ format: 'flac' });
    expect(config.recording.pauseBehaviour).toBe('silence');
    const problems = problemsOf({
      queues: [
        {
          name: 'a',
          match: { requestUser: '1' },
          pbx: { host: '10.0.0.1' },
          recording: { dir: '/tmp', delaySeconds: 99 },
        },
      ],
    });
    expect(problems.map((p) => p.path).sort()).toEqual(
      ['/queues/0/recording/delaySeconds', '/queues/0/recording/dir'].sort(),
    );
  });
});

describe('detection.queueWait', () => {
  it("defaults to 'detect', a queue may set 'until-new-source', and anything else is refused", () => {
    const config = validateConfig({
      queues: [
        {
          name: 'a',
          match: { requestUser: '1' },
          pbx: { host: '10.0.0.1' },
          detection: { queueWait: 'until-new-source' },
        },
      ],
    });
    expect(config.detection.queueWait).toBe('detect');
    expect(config.queues[0]?.detection).toEqual({ queueWait: 'until-new-source' });
    expect(problemsOf({ detection: { queueWait: 'ssrc' } }).map((p) => p.path)).toContain(
      '/detection/queueWait',
    );
  });
});

describe('shipped example configurations', () => {
  it.each(['asterisk.yaml', 'freeswitch.yaml'])('%s is valid', (name) => {
    const config = loadConfigFile(
      new URL(`../../config/examples/${name}`, import.meta.url).pathname,
    );
    expect(config.queues.length).toBeGreaterThan(0);
    expect(config.admin.enabled).toBe(true);
  });
});
