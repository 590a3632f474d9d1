import { describe, expect, it } from 'vitest';
import { splitCommandLine } from './command-line.js';

function argv(line: string): string[] {
  const r = splitCommandLine(line);
  if (!r.ok) throw new Error(r.message);
  return r.argv;
}

function refused(line: string): string {
  const r = splitCommandLine(line);
  if (r.ok) throw new Error(`accepted: ${JSON.stringify(r.argv)}`);
  return r.message;
}

describe('splitCommandLine', () => {
  it('splits on whitespace and honours quotes and backslashes like a shell', () => {
    expect(argv('node server.mjs')).toEqual(['node', 'server.mjs']);
    expect(argv('  node   --max-old-space-size=64  a.js ')).toEqual([
      'node',
      '--max-old-space-size=64',
      'a.js',
    ]);
    expect(argv(`node "my server.mjs" 'x y' a\\ b ""`)).toEqual(['node', 'my server.mjs', 'x y', 'a b', '']);
    expect(argv(`echo '$HOME'`)).toEqual(['echo', '$HOME']);
  });

  it('refuses what only a shell would do, saying what to write instead', () => {
    expect(refused('node a.js | tee out')).toMatch(/"\|" is a shell operator/);
    expect(refused('node a.js > out')).toMatch(/">" is a shell operator/);
    expect(refused('a && b')).toMatch(/"&&"/);
    expect(refused('a; b')).toMatch(/";"/);
    expect(refused('ls *.js')).toMatch(/glob/);
    expect(refused('echo $HOME')).toMatch(/\$HOME would not be expanded; set values with env:/);
    expect(refused('echo "$HOME"')).toMatch(/\$HOME/);
    expect(refused('echo $(pwd)')).toMatch(/would not/);
    expect(refused('echo `pwd`')).toMatch(/backticks/);
    expect(refused('node ~/a.js')).toMatch(/"~" would not be expanded/);
    expect(refused('PORT=1 node a.js')).toMatch(/variable assignment; put it in env:/);
    expect(refused('node a.js # comment')).toMatch(/comment/);
    expect(refused('   ')).toMatch(/empty/);
    expect(refused('a | b')).toMatch(/argument array such as \["node", "server.mjs"\]/);
  });

  it('keeps "=" inside arguments after the command', () => {
    expect(argv('node --env=prod a.js')).toEqual(['node', '--env=prod', 'a.js']);
  });
});
