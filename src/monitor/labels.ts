/**
 * Label sets as Prometheus has them: a metric is a name plus labels, identified by its
 * sorted label pairs. `__name__` carries the metric name inside the label set.
 */
export type Labels = Readonly<Record<string, string>>;

/** A stable identity for a label set (sorted `k=v` pairs). */
export function labelsKey(labels: Labels, exclude?: ReadonlySet<string>): string {
  const keys = Object.keys(labels)
    .filter((k) => !exclude?.has(k))
    .sort();
  let s = '';
  for (const k of keys) s += `${k}\u0000${labels[k]}\u0001`;
  return s;
}

/** Only the listed labels. */
export function pickLabels(labels: Labels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (labels[n] !== undefined && labels[n] !== '') out[n] = labels[n] as string;
  return out;
}

/** All labels except the listed ones. */
export function dropLabels(labels: Labels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const n of names) delete out[n];
  return out;
}

/** Prometheus's label matcher types. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** Compiles matchers once: regular expressions are fully anchored, as in Prometheus. */
export function compileMatchers(matchers: readonly Matcher[]): (labels: Labels) => boolean {
  const tests = matchers.map((m) => {
    if (m.op === '=' || m.op === '!=') {
      const eq = m.op === '=';
      return (l: Labels) => ((l[m.name] ?? '') === m.value) === eq;
    }
    const re = new RegExp(`^(?:${m.value})$`, 'u');
    const eq = m.op === '=~';
    return (l: Labels) => re.test(l[m.name] ?? '') === eq;
  });
  return (labels) => tests.every((t) => t(labels));
}

/** `{a="1", b="2"}` for messages and exports. */
export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort();
  const body = keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(', ');
  return `${labels.__name__ ?? ''}{${body}}`;
}
