/**
 * A parser for the Prometheus text exposition format (version 0.0.4; the OpenMetrics
 * `# EOF` line is accepted). Hand-written because prom-client only writes the format and
 * the npm parsers for it are small unmaintained projects; the format is line-based and
 * short to parse exactly: `name{label="value",…} value [timestamp_ms]`, `# HELP`,
 * `# TYPE`, escapes `\\`, `\"`, `\n` in label values, `+Inf`, `-Inf`, `NaN`.
 */
export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs?: number;
}

export interface Exposition {
  samples: ExpositionSample[];
  types: Map<string, string>;
  help: Map<string, string>;
}

/** Parses an exposition; a malformed line throws with its line number. */
export function parseExposition(text: string): Exposition {
  const samples: ExpositionSample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (m?.[1] === 'TYPE') types.set(m[2] as string, (m[3] ?? '').trim());
      else if (m?.[1] === 'HELP')
        help.set(m[2] as string, (m[3] ?? '').replace(/\\n/g, '\n').replace(/\\\\/g, '\\'));
      continue;
    }
    samples.push(parseSampleLine(line, n + 1));
  }
  return { samples, types, help };
}

function parseSampleLine(line: string, lineNo: number): ExpositionSample {
  const fail = (why: string): never => {
    throw new Error(`exposition line ${lineNo}: ${why}: ${line.slice(0, 120)}`);
  };
  let i = 0;
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail('expected a metric name');
  const name = (nameMatch as RegExpExecArray)[0];
  i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const ln = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(line.slice(i));
      if (!ln) fail('expected a label name');
      i += (ln as RegExpExecArray)[0].length;
      while (line[i] === ' ') i++;
      if (line[i] !== '=') fail('expected "=" after a label name');
      i++;
      while (line[i] === ' ') i++;
      if (line[i] !== '"') fail('expected a quoted label value');
      i++;
      let v = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) fail('unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i + 1];
          v += e === 'n' ? '\n' : e === '"' ? '"' : e === '\\' ? '\\' : `\\${e ?? ''}`;
          i += 2;
          continue;
        }
        v += c;
        i++;
      }
      i++;
      labels[(ln as RegExpExecArray)[0]] = v;
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') fail('expected "," or "}" in labels');
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  if (rest.length < 1 || rest[0] === '') fail('expected a value');
  const value = parseValue(rest[0] as string);
  if (value === undefined) fail(`invalid value "${rest[0]}"`);
  const out: ExpositionSample = { name, labels, value: value as number };
  if (rest[1] !== undefined) {
    const ts = Number(rest[1]);
    if (!Number.isFinite(ts)) fail(`invalid timestamp "${rest[1]}"`);
    out.timestampMs = ts;
  }
  return out;
}

function parseValue(s: string): number | undefined {
  if (s === '+Inf' || s === 'Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  if (s === 'NaN') return Number.NaN;
  const v = Number(s);
  return Number.isNaN(v) ? undefined : v;
}
