import { usageError } from '../core/errors.js';
import type { Random } from '../core/random.js';

/**
 * Which of the matching targets a fault hits (Chaos Mesh's modes): `one` (a random one),
 * `all`, a fixed count (`2`), or a percentage (`"50%"`, rounded down, at least one when
 * any match). Pure, with the randomness injected so a seeded run picks the same targets.
 */
export type Selector =
  | { mode: 'one' }
  | { mode: 'all' }
  | { mode: 'count'; count: number }
  | { mode: 'percent'; percent: number };

/** Parses `one`, `all`, `3` or `"25%"`. */
export function parseSelector(input: string | number): Selector {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 1) throw badSelector(String(input));
    return { mode: 'count', count: input };
  }
  const s = input.trim();
  if (s === 'one') return { mode: 'one' };
  if (s === 'all') return { mode: 'all' };
  if (/^\d+$/.test(s)) return parseSelector(Number(s));
  const m = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (m) {
    const percent = Number(m[1]);
    if (percent <= 0 || percent > 100) throw badSelector(s);
    return { mode: 'percent', percent };
  }
  throw badSelector(s);
}

function badSelector(s: string) {
  return usageError(
    'E_CHAOS_SELECTOR',
    `invalid selector "${s}": expected one, all, a count such as 2, or a percentage such as "50%"`,
  );
}

/** How many of `n` candidates the selector takes. */
export function selectedCount(selector: Selector, n: number): number {
  if (n === 0) return 0;
  switch (selector.mode) {
    case 'one':
      return 1;
    case 'all':
      return n;
    case 'count':
      return Math.min(n, selector.count);
    case 'percent':
      return Math.max(1, Math.floor((n * selector.percent) / 100));
  }
}

/** Picks the targets: a uniformly random subset of the selected size, in candidate order. */
export function selectTargets<T>(candidates: readonly T[], selector: Selector, random: Random): T[] {
  const k = selectedCount(selector, candidates.length);
  if (k >= candidates.length) return [...candidates];
  const index = candidates.map((_, i) => i);
  // Partial Fisher-Yates: the first k of a random permutation.
  for (let i = 0; i < k; i++) {
    const j = random.int(i, index.length - 1);
    [index[i], index[j]] = [index[j] as number, index[i] as number];
  }
  return index
    .slice(0, k)
    .sort((a, b) => a - b)
    .map((i) => candidates[i] as T);
}

/** A selector as written, for plans and reports. */
export function formatSelector(s: Selector): string {
  return s.mode === 'count' ? String(s.count) : s.mode === 'percent' ? `${s.percent}%` : s.mode;
}
