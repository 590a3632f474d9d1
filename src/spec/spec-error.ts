import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';

/** One problem in a spec file, located. Lines and columns are 1-based. */
export interface SpecIssue {
  file: string;
  line: number;
  col: number;
  /** Dotted path in the document, e.g. `load.scenarios.browse.executor`. */
  path: string;
  message: string;
}

/** An invalid spec: every issue found, each with file:line:col, path and what was expected. */
export class SpecError extends ShakedownError {
  readonly issues: SpecIssue[];

  constructor(issues: SpecIssue[]) {
    const shown = issues.slice(0, 20).map(formatSpecIssue);
    const more = issues.length > 20 ? `\n… and ${issues.length - 20} more` : '';
    super('E_SPEC', `invalid spec:\n${shown.join('\n')}${more}`, {
      exitCode: ExitCode.usage,
      hint: 'fix the places listed above; `shakedown <command> --help` shows the expected fields',
    });
    this.issues = issues;
  }
}

export function formatSpecIssue(i: SpecIssue): string {
  return `${i.file}:${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}`;
}
