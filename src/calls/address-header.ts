import { splitNameAddr } from '../sip/message/index.js';

/**
 * Rewrite a From/To value for the other leg (RFC 3261 §8.1.1.2–3): keep the display name, URI and
 * parameters, drop the peer's `tag` and set ours (or none). Falls back to `<uri>` text as is.
 */
export function withTag(value: string, tag: string | undefined): string {
  const parts = splitNameAddr(value);
  const display = parts.displayName !== undefined ? `${quoteDisplayName(parts.displayName)} ` : '';
  let params = '';
  for (const [name, v] of parts.params) {
    if (name === 'tag') continue;
    params += v === null ? `;${name}` : `;${name}=${v}`;
  }
  if (tag !== undefined) params += `;tag=${tag}`;
  return `${display}<${parts.uriText}>${params}`;
}

function quoteDisplayName(name: string): string {
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
