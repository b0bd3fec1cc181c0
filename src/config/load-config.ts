import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { HoldgateError } from '../errors/registry.js';
import { parseCidr } from '../shared/cidr.js';
import { ConfigSchema, type Config } from './schema.js';

/** One configuration problem, with the key path (`/queues/0/pbx/host`). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Validate an already-parsed configuration object: defaults applied, every problem reported at
 * once with its key path, the result deeply frozen. Throws HoldgateError HG_ERR_CONFIG_INVALID.
 */
export function validateConfig(input: unknown): Readonly<Config> {
  const withDefaults = Value.Default(ConfigSchema, Value.Clone(input ?? {}));
  const problems: ConfigProblem[] = [...Value.Errors(ConfigSchema, withDefaults)].map((e) => ({
    path: e.path || '/',
    message: e.message,
  }));
  if (problems.length === 0) problems.push(...semanticProblems(withDefaults as Config));
  if (problems.length > 0) {
    throw new HoldgateError(
      'HG_ERR_CONFIG_INVALID',
      problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      { problems },
    );
  }
  return deepFreeze(withDefaults as Config);
}

/** Read a YAML (or JSON) file and validate it. */
export function loadConfigFile(path: string): Readonly<Config> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HoldgateError('HG_ERR_CONFIG_NOT_FOUND', path, { path }, err);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    throw new HoldgateError('HG_ERR_CONFIG_INVALID', `${path}: not valid YAML`, { path }, err);
  }
  return validateConfig(parsed);
}

function semanticProblems(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.sip.listen.forEach((l, i) => {
    if (isIP(l.address) === 0)
      problems.push({ path: `/sip/listen/${i}/address`, message: 'must be an IP literal' });
  });
  if (config.media.enabled) {
    if (isIP(config.media.address) === 0)
      problems.push({ path: '/media/address', message: 'must be an IP literal' });
    const adv = config.media.advertisedAddress;
    if (adv !== undefined && isIP(adv) === 0) {
      problems.push({ path: '/media/advertisedAddress', message: 'must be an IP literal' });
    }
    if (config.media.portMax - config.media.portMin < 3) {
      problems.push({
        path: '/media/portMax',
        message: 'the RTP range needs at least two even/odd pairs',
      });
    }
  }
  const cidrLists = [
    ['trunks', config.acl.trunks],
    ['pbx', config.acl.pbx],
  ] as const;
  for (const [name, list] of cidrLists) {
    list.forEach((c, i) => {
      if (!parseCidr(c))
        problems.push({ path: `/acl/${name}/${i}`, message: `'${c}' is not a CIDR or IP` });
    });
  }
  const names = new Set<string>();
  config.queues.forEach((q, i) => {
    if (names.has(q.name))
      problems.push({ path: `/queues/${i}/name`, message: `duplicate queue '${q.name}'` });
    names.add(q.name);
    if (isIP(q.pbx.host) === 0)
      problems.push({ path: `/queues/${i}/pbx/host`, message: 'must be an IP literal' });
    const patterns: [string, string | undefined][] = [
      ['requestUser', q.match.requestUser],
      ['toUser', q.match.toUser],
      ['header/pattern', q.match.header?.pattern],
    ];
    for (const [key, pattern] of patterns) {
      if (pattern === undefined) continue;
      try {
        new RegExp(pattern);
      } catch {
        problems.push({ path: `/queues/${i}/match/${key}`, message: 'invalid regular expression' });
      }
    }
    if (!q.match.requestUser && !q.match.toUser && !q.match.header) {
      problems.push({ path: `/queues/${i}/match`, message: 'needs at least one rule' });
    }
  });
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
