import { spawnSync } from 'node:child_process';

/**
 * The commit and branch a run was made from, read with `git` (an argument array, never a
 * shell) in the working directory. Outside a repository, or without git, both are null.
 */
export interface GitInfo {
  sha: string | null;
  branch: string | null;
}

function git(args: string[], cwd: string): string | null {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    timeout: 2000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  if (r.status !== 0 || typeof r.stdout !== 'string') return null;
  const out = r.stdout.trim();
  return out.length ? out : null;
}

export function readGitInfo(cwd: string): GitInfo {
  const sha = git(['rev-parse', 'HEAD'], cwd);
  if (!sha) return { sha: null, branch: null };
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd);
  return { sha, branch: branch && branch !== 'HEAD' ? branch : null };
}
