import { isIP } from 'node:net';
import { ShakedownError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';

/**
 * Safe by default: load goes to loopback unless the user says otherwise. A typo in a URL
 * should not load-test somebody else's production.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

/** Throws unless every URL is loopback or `allowRemote` is set. */
export function assertTargetsAllowed(urls: Iterable<string>, allowRemote: boolean): void {
  if (allowRemote) return;
  for (const u of urls) {
    let host: string;
    try {
      host = new URL(u).hostname;
    } catch {
      continue;
    }
    if (!isLoopbackHost(host)) {
      throw new ShakedownError(
        'E_REMOTE_TARGET',
        `refusing to send load to ${host}: it is not a loopback address`,
        {
          exitCode: ExitCode.usage,
          hint: 'pass --allow-remote (or set load.allowRemote: true) if you mean to load-test a remote host',
        },
      );
    }
  }
}
