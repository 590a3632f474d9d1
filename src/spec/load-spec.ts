import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { locatePath } from './locate.js';
import { type Spec, specSchema } from './schema.js';
import { SpecError, type SpecIssue } from './spec-error.js';

/** A validated spec and where it came from. */
export interface LoadedSpec {
  /** Absolute path of the file (or the name given for text). */
  file: string;
  /** Directory relative paths in the spec resolve against. */
  dir: string;
  /** SHA-256 of the text, recorded with every run. */
  hash: string;
  spec: Spec;
}

/** Reads and validates a spec file. Throws {@link SpecError} listing every problem. */
export function loadSpecFile(path: string): LoadedSpec {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ShakedownError('E_SPEC_READ', `cannot read spec ${path}: ${code ?? String(e)}`, {
      exitCode: ExitCode.usage,
      hint:
        code === 'ENOENT' ? 'pass the path of a shakedown.yaml, or a URL to load-test directly' : undefined,
    });
  }
  return parseSpecText(text, file, dirname(file));
}

/** Validates spec text; `file` is used in messages. */
export function parseSpecText(text: string, file = 'shakedown.yaml', dir = process.cwd()): LoadedSpec {
  const spec = parseYamlWithSchema(text, file, specSchema);
  return { file, dir, hash: createHash('sha256').update(text).digest('hex'), spec };
}

/**
 * Parses YAML text and validates it against `schema`. Every YAML or schema problem is
 * reported at once as a {@link SpecError} naming file:line:col, the path in the document
 * and what was expected. Shared by every YAML file Shakedown reads (specs, rule files).
 */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          col: pos.col,
          path: '',
          message: `YAML syntax: ${firstLine(e.message)}`,
        };
      }),
    );
  }
  const raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new SpecError(result.error.issues.map((issue) => toSpecIssue(issue, doc, lines, file)));
  }
  return result.data;
}

function toSpecIssue(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  file: string,
): SpecIssue {
  const path = issue.path as PropertyKey[];
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const { line, col } = locatePath(doc, lines, path, unknownKey);
  return { file, line, col, path: path.map(String).join('.'), message: describe(issue, doc, path) };
}

function describe(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  path: PropertyKey[],
): string {
  const got = doc.hasIn(path) ? ` got ${JSON.stringify(doc.getIn(path))}` : '';
  // Messages set in the schema ("expected a positive integer") beat zod's generic ones.
  const custom = issue.message.startsWith('Invalid input') ? undefined : issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = custom ?? `expected ${issue.expected}`;
      if (!doc.hasIn(path)) return `missing required field; ${expected}`;
      return `${expected};${got}`;
    }
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        const found = doc.hasIn(path) ? `;${got}` : ' (missing)';
        return `expected ${String(issue.discriminator)} to be one of ${options.map((o) => `"${String(o)}"`).join(', ')}${found}`;
      }
      return `${custom ?? 'invalid value'};${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')};${got}`;
    case 'too_small':
    case 'too_big':
      return `${issue.message.replace(/^Too (small|big): /, '')};${got}`;
    default:
      return issue.message;
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
