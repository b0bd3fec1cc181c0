import { numberMatches } from './phone-number.js';
import type { CatalogEntry, CatalogQuery } from './types.js';

/** Whether a catalog entry matches a search; shared by the memory and Redis catalogs. */
export function matchesQuery(entry: CatalogEntry, q: CatalogQuery): boolean {
  if (q.queue !== undefined && entry.queue !== q.queue) return false;
  const started = Date.parse(entry.startedAt);
  if (q.from !== undefined && !(started >= Date.parse(q.from))) return false;
  if (q.to !== undefined && !(started < Date.parse(q.to))) return false;
  if (q.number !== undefined && !numberMatches(entry.from, q.number)) {
    if (!numberMatches(entry.to, q.number)) return false;
  }
  return true;
}

/** Oldest first, then by id. */
export function byStart(a: CatalogEntry, b: CatalogEntry): number {
  return a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.id < b.id ? -1 : 1;
}
