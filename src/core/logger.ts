/**
 * A small leveled logger writing to a stream (stderr by default). The CLI makes one per
 * command; `quiet` keeps only warnings and errors, `json` writes one object a line.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  json?: boolean;
  stream?: { write(s: string): unknown };
  now?: () => number;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const min = order[options.level ?? 'info'];
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    if (options.json) {
      stream.write(`${JSON.stringify({ t: new Date(now()).toISOString(), level, msg, ...fields })}\n`);
      return;
    }
    const extra = fields
      ? ` ${Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ')}`
      : '';
    stream.write(`${level === 'info' ? '' : `${level}: `}${msg}${extra}\n`);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}

/** A logger that drops everything; for library use and tests. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
