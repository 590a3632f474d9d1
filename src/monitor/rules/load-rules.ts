import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { locatePath } from '../../spec/locate.js';
import { SpecError } from '../../spec/spec-error.js';
import type { RuleGroup } from './model.js';
import { ruleFileSchema } from './schema.js';

/**
 * Reads a Prometheus-style rule file (plus anomaly rules). Every problem is reported
 * with file:line:col, as spec errors are.
 */
export function loadRuleFile(path: string): RuleGroup[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ShakedownError(
      'E_RULES_READ',
      `cannot read rule file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      {
        exitCode: ExitCode.usage,
      },
    );
  }
  return parseRuleText(text, path);
}

/** Validates rule-file text; `file` names it in messages. */
export function parseRuleText(text: string, file = 'rules.yml'): RuleGroup[] {
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
          message: `YAML syntax: ${e.message.split('\n')[0]}`,
        };
      }),
    );
  }
  const result = ruleFileSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new SpecError(
      result.error.issues.map((issue) => {
        const path = issue.path as PropertyKey[];
        const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
        const { line, col } = locatePath(doc, lines, path, unknownKey);
        return { file, line, col, path: path.map(String).join('.'), message: issue.message };
      }),
    );
  }
  return result.data.groups;
}
