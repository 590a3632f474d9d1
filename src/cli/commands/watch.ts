import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.js';
import { usageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { createLogger } from '../../core/logger.js';
import { parseDurationMs } from '../../core/units.js';
import { renderStatus } from '../../monitor/watch/status-view.js';
import { Watcher } from '../../monitor/watch/watcher.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import type { CliContext } from '../context.js';

interface WatchOptions {
  json?: boolean;
  quiet?: boolean;
  duration?: string;
  metricsListen?: string;
}

export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .summary(
      'monitor continuously: sources, anomaly and SLO alerts, notifiers, responses, predictive scaling',
    )
    .description(
      "Runs the spec's watch: section until interrupted: metric sources (scraped /metrics, the Prometheus HTTP API, probes measured into Shakedown windows), Prometheus-style rules with anomaly rules and SLO burn-rate alerts, notifiers (console, webhook, Alertmanager), automated responses and predictive scaling. A live status view is drawn on stderr when it is a terminal.",
    )
    .argument('[spec]', 'spec file', 'shakedown.yaml')
    .option('--json', 'write every alert change (and action and scaling event) as a JSON line on stdout')
    .option('--duration <d>', 'stop after this long, such as 10m (default: until Ctrl-C)')
    .option(
      '--metrics-listen <host:port>',
      'serve forecasts, scores and alert counts at /metrics (overrides watch.metricsListen)',
    )
    .option('-q, --quiet', 'no status view')
    .addHelpText(
      'after',
      `
Examples:
  shakedown watch shakedown.yaml
  shakedown watch shakedown.yaml --json --quiet > alerts.jsonl
  shakedown watch shakedown.yaml --duration 1h --metrics-listen 127.0.0.1:9464

Exit codes: 0 stopped after --duration, 2 invalid spec, 4 cannot listen, 130 interrupted.`,
    )
    .action(async (specPath: string, options: WatchOptions) => {
      const path = resolve(ctx.cwd, specPath);
      if (!existsSync(path) && specPath === 'shakedown.yaml') {
        throw usageError(
          'E_USAGE',
          'no spec: give a spec file with a watch: section (no shakedown.yaml here)',
          'shakedown watch path/to/shakedown.yaml',
        );
      }
      const loaded = loadSpecFile(path);
      const section = loaded.spec.watch;
      if (!section) throw usageError('E_NO_WATCH', `${path} has no watch: section`, 'see README, "watch:"');
      if (options.metricsListen) section.metricsListen = options.metricsListen;
      const durationMs =
        options.duration === undefined ? undefined : parseDurationMs(options.duration, '--duration');
      const log = createLogger({ level: options.quiet ? 'warn' : 'info', stream: ctx.stderr });
      const write = (obj: unknown) => ctx.stdout.write(`${JSON.stringify(obj)}\n`);
      const watcher = new Watcher({
        section,
        baseDir: loaded.dir,
        log,
        out: options.json ? ctx.stderr : ctx.stdout,
        ...(options.json
          ? {
              onAlert: (c) =>
                write({
                  kind: 'alert',
                  change: c.type,
                  t: new Date(systemClock.now()).toISOString(),
                  status: c.alert.status,
                  labels: c.alert.labels,
                  annotations: c.alert.annotations,
                  value: c.alert.value,
                  startsAt: new Date(c.alert.startsAtMs).toISOString(),
                  ...(c.alert.endsAtMs !== undefined
                    ? { endsAt: new Date(c.alert.endsAtMs).toISOString() }
                    : {}),
                  group: c.alert.group,
                  fingerprint: c.alert.fingerprint,
                }),
              onEvent: (e) => {
                if (!e.kind.startsWith('alert.')) write({ ...e, t: new Date(e.t).toISOString() });
              },
            }
          : {
              onEvent: (e) => {
                if (e.kind.startsWith('action.') || e.kind.startsWith('scaling.'))
                  log.info(`${e.kind} ${e.subject}: ${String(e.data.detail ?? e.data.to ?? '')}`);
              },
            }),
      });
      const stop = new AbortController();
      let interrupted = false;
      let presses = 0;
      const off = ctx.onInterrupt(() => {
        presses++;
        if (presses > 1) process.exit(ExitCode.interrupted);
        interrupted = true;
        stop.abort();
      });
      const timer = durationMs !== undefined ? setTimeout(() => stop.abort(), durationMs) : undefined;
      const live = !options.quiet && Boolean(ctx.stderr.isTTY);
      let drawn = 0;
      const draw = () => {
        const lines = renderStatus(watcher, systemClock.now(), ctx.stderr.columns ?? 120);
        ctx.stderr.write(
          `${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`,
        );
        drawn = lines.length;
      };
      const view = live ? setInterval(draw, 1000) : undefined;
      log.info(
        `watching ${watcher.groups.length} rule group(s), ${section.sources.length} source(s); Ctrl-C to stop`,
      );
      try {
        await watcher.run(stop.signal);
      } finally {
        off();
        if (timer) clearTimeout(timer);
        if (view) clearInterval(view);
      }
      ctx.setExitCode(interrupted ? ExitCode.interrupted : ExitCode.ok);
    });
}
