import { readFileSync } from 'node:fs';
import { ShakedownError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { parseYamlWithSchema } from '../../spec/load-spec.js';
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
  return parseYamlWithSchema(text, file, ruleFileSchema).groups;
}
