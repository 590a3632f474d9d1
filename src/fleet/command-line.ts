import { parse } from 'shell-quote';

/**
 * Splits a `run:` string into an argument array without a shell. Quoting follows the
 * shell (`'…'`, `"…"`, backslash), done by `shell-quote`; everything a shell would *do*
 * with the string instead — pipes, redirections, `&&`, globs, `$VAR`, `$(…)`, backticks,
 * `~`, leading `NAME=value` assignments, comments — is refused, because no shell runs it
 * and passing those characters on literally would surprise. The message says what to
 * write instead (an argument array, `env:`, or a script).
 */
export type SplitResult = { ok: true; argv: string[] } | { ok: false; message: string };

const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/;

export function splitCommandLine(line: string): SplitResult {
  const variables: string[] = [];
  const tokens = parse(line, (name) => {
    variables.push(name);
    return `$${name}`;
  });
  const argv: string[] = [];
  for (const t of tokens) {
    if (typeof t !== 'string') {
      if ('op' in t && t.op === 'glob') return refuse(`"${t.pattern}" is a glob; it would not be expanded`);
      if ('op' in t) return refuse(`"${t.op}" is a shell operator; it would not be interpreted`);
      return refuse('"#" starts a shell comment; it would not be stripped');
    }
    argv.push(t);
  }
  if (variables.length > 0) {
    const name = variables[0] ? `$${variables[0]}` : '$(…)';
    return refuse(`${name} would not be expanded; set values with env: or write the value itself`);
  }
  const backtick = argv.find((a) => a.includes('`'));
  if (backtick !== undefined) return refuse('backticks would not run a command');
  const tilde = argv.find((a) => a.startsWith('~'));
  if (tilde !== undefined) return refuse(`"${tilde}": "~" would not be expanded; write the path`);
  if (argv[0] !== undefined && assignment.test(argv[0]))
    return refuse(`"${argv[0]}" looks like a variable assignment; put it in env:`);
  if (argv.length === 0) return { ok: false, message: 'expected a command, got an empty string' };
  return { ok: true, argv };
}

function refuse(why: string): SplitResult {
  return {
    ok: false,
    message: `run is split into arguments without a shell: ${why}. Use an argument array such as ["node", "server.mjs"], or a script`,
  };
}
