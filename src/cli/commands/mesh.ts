import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { createLogger } from '../../core/logger.js';
import { formatDurationMs, parseDurationMs } from '../../core/units.js';
import { type MeshSpecOverrides, meshConfigFromSpec } from '../../mesh/from-spec.js';
import { Mesh, type MeshAddresses } from '../../mesh/mesh.js';
import type { MeshConfig } from '../../mesh/model.js';
import { TcpPlane } from '../../mesh/tcp/plane.js';
import type { TcpListenerSpec } from '../../mesh/tcp/schema.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import type { CliContext } from '../context.js';
import { nonNegativeInteger } from '../options.js';

interface MeshOptions {
  adminPort?: number;
  adminHost?: string;
  tokenFile?: string;
  admin?: boolean;
  drainTimeout?: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerMesh(program: Command, ctx: CliContext): void {
  program
    .command('mesh')
    .summary('run the mesh data plane of a spec: routes, weights, retries, faults, metrics, admin API')
    .description(
      'Run the mesh: section of a spec alone: HTTP listeners proxying to services with a cluster per version (weights, header/cookie overrides, mirroring), load balancing, health checks, outlier ejection, timeouts, retries with a budget, circuit breaking and fault filters, with Prometheus metrics and a JSON admin API (bearer token) on 127.0.0.1. Runs until Ctrl-C or SIGTERM, then drains: no new connections, Connection: close, in-flight requests finish. SIGHUP reloads the spec without dropping requests.',
    )
    .argument('[spec]', 'the spec file', 'shakedown.yaml')
    .option('--admin-port <n>', 'admin API port (default: the spec, else a free one)', nonNegativeInteger)
    .option('--admin-host <host>', 'admin API address (default 127.0.0.1)')
    .option('--token-file <file>', 'write the generated admin token here (mode 0600) instead of a temp dir')
    .option('--no-admin', 'no admin API (and no token)')
    .option('--drain-timeout <d>', 'how long in-flight requests get when stopping (default: the spec, 30s)')
    .option('--json', 'print addresses and the final status as JSON lines on stdout')
    .option('-q, --quiet', 'print only the addresses (no event log on stderr)')
    .addHelpText(
      'after',
      `
Environment:
  SHAKEDOWN_MESH_TOKEN  use this admin token instead of generating one (no token file)

Examples:
  shakedown mesh shakedown.yaml
  shakedown mesh shakedown.yaml --admin-port 9901 --token-file ./.mesh-token --json
  curl -X PUT -H "Authorization: Bearer $(cat ./.mesh-token)" \\
    -d '{"weights":{"v1":50,"v2":50}}' http://127.0.0.1:9901/v1/services/shop/weights

Exit codes: 0 stopped after draining, 2 usage or spec error, 4 port in use, 130 second Ctrl-C.`,
    )
    .action(async (specPath: string, options: MeshOptions) => {
      const path = resolve(ctx.cwd, specPath);
      if (!existsSync(path) && specPath === 'shakedown.yaml') {
        throw usageError(
          'E_USAGE',
          'no spec: give a spec file with a mesh: section (no shakedown.yaml here)',
        );
      }
      const drainOverride =
        options.drainTimeout === undefined
          ? undefined
          : parseDurationMs(options.drainTimeout, '--drain-timeout');
      const overrides: MeshSpecOverrides = {
        ...(options.adminPort !== undefined ? { adminPort: options.adminPort } : {}),
        ...(options.adminHost !== undefined ? { adminHost: options.adminHost } : {}),
        ...(options.tokenFile !== undefined ? { tokenFile: resolve(ctx.cwd, options.tokenFile) } : {}),
        ...(ctx.env.SHAKEDOWN_MESH_TOKEN ? { token: ctx.env.SHAKEDOWN_MESH_TOKEN } : {}),
        ...(options.admin === false ? { noAdmin: true } : {}),
      };
      const read = (): { config: MeshConfig; tcp: TcpListenerSpec[] } => {
        const loaded = loadSpecFile(path);
        if (!loaded.spec.mesh) throw usageError('E_NO_MESH', `${path} has no mesh: section`);
        const config = meshConfigFromSpec(loaded.spec.mesh, overrides);
        if (drainOverride !== undefined) config.drainTimeoutMs = drainOverride;
        return { config, tcp: loaded.spec.mesh.tcp };
      };
      const { config, tcp } = read();
      const log = createLogger({
        stream: ctx.stderr,
        level: options.quiet ? 'warn' : 'info',
        json: Boolean(options.json),
      });
      const mesh = new Mesh(config, { logger: log, planes: tcp.length > 0 ? [new TcpPlane(tcp)] : [] });
      if (!options.quiet) {
        mesh.subscribeEvents({
          emit: (e) => log.info(`${e.kind} ${e.subject}`, Object.keys(e.data).length ? e.data : undefined),
        });
      }
      const addresses = await mesh.start();
      printStarted(ctx, addresses, config, Boolean(options.json));

      const onHup = () => {
        try {
          const next = read().config;
          mesh
            .reconfigure(next)
            .then(() => log.info('reloaded', { spec: path }))
            .catch((e) => log.error('reload failed; the previous configuration stays', { error: String(e) }));
        } catch (e) {
          log.error('reload failed; the previous configuration stays', { error: (e as Error).message });
        }
      };
      process.on('SIGHUP', onHup);
      let signals = 0;
      const stopped = new Promise<void>((resolveStop) => {
        const off = ctx.onInterrupt((signal) => {
          signals++;
          if (signals > 1) process.exit(ExitCode.interrupted);
          if (!options.json)
            ctx.stderr.write(
              `\n${signal}: draining (up to ${formatDurationMs(config.drainTimeoutMs)}; Ctrl-C again to quit now)\n`,
            );
          const t0 = Date.now();
          mesh
            .stop()
            .then(() => {
              off();
              if (options.json)
                ctx.stdout.write(`${JSON.stringify({ event: 'stopped', drainMs: Date.now() - t0 })}\n`);
              else if (!options.quiet)
                ctx.stderr.write(`stopped after ${formatDurationMs(Date.now() - t0)}\n`);
              resolveStop();
            })
            .catch((e) => {
              off();
              log.error('stop failed', { error: String(e) });
              ctx.setExitCode(ExitCode.internal);
              resolveStop();
            });
        });
      });
      await stopped;
      process.off('SIGHUP', onHup);
    });
}

function printStarted(ctx: CliContext, a: MeshAddresses, config: MeshConfig, json: boolean): void {
  if (json) {
    ctx.stdout.write(
      `${JSON.stringify({
        event: 'started',
        listeners: a.listeners,
        admin: a.admin,
        planes: a.planes,
        routes: config.routes.map((r) => ({ name: r.name, service: r.service })),
      })}\n`,
    );
    return;
  }
  const lines = ['shakedown mesh running'];
  for (const l of a.listeners) lines.push(`  listener ${l.name.padEnd(12)} ${l.url}`);
  for (const [plane, addrs] of Object.entries(a.planes))
    for (const l of addrs) lines.push(`  ${plane} ${l.name.padEnd(12)} ${l.url}`);
  if (a.admin) {
    lines.push(`  admin    ${''.padEnd(12)} ${a.admin.url}  (GET /v1/state, /metrics)`);
    lines.push(`  token    ${''.padEnd(12)} ${a.admin.tokenFile ?? '(from SHAKEDOWN_MESH_TOKEN)'}`);
  }
  for (const r of config.routes) {
    const m = r.match.path;
    lines.push(`  route    ${r.name.padEnd(12)} ${m.type} ${m.value} → ${r.service}`);
  }
  lines.push('Ctrl-C drains and stops; SIGHUP reloads the spec.');
  ctx.stdout.write(`${lines.join('\n')}\n`);
}
