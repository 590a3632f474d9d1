import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ShakedownError, usageError } from '../../core/errors.js';
import { type RolloutFlags, rolloutFromFlags } from '../../delivery/from-flags.js';
import { rolloutFromEntry } from '../../delivery/from-spec.js';
import type { RolloutSpec } from '../../delivery/model.js';
import { renderKubernetes } from '../../delivery/render/kubernetes.js';
import { httpRouteValidator } from '../../delivery/render/validate.js';
import { type LoadedSpec, loadSpecFile } from '../../spec/load-spec.js';
import type { CliContext } from '../context.js';
import { collect, positiveInteger } from '../options.js';
import {
  abortStored,
  controlClient,
  type PlatformOptions,
  printStatus,
  runRolloutCommand,
} from '../rollout-support.js';
import { fractionArg } from './compare.js';

/**
 * `shakedown rollout start|status|promote|abort|retry|undo|render`. The controller runs in
 * the `start` (or `retry`, `undo`) process against a running `shakedown up` (its admin API:
 * mesh weights, header routes, mirrors, windows; fleet versions), serves a control endpoint
 * on loopback with the same bearer token, announced in `<state-dir>/rollouts/<service>.json`,
 * and exits when the rollout ends; the other subcommands talk to that endpoint, or read the
 * results store when no controller runs.
 */
interface StartOptions extends RolloutFlags, PlatformOptions {
  store?: string | false;
  controlPort?: number;
  json?: boolean;
  quiet?: boolean;
}

function platformOptions(c: Command): Command {
  return c
    .option('--state-dir <dir>', 'the state directory of `shakedown up`', '.shakedown')
    .option('--admin-url <url>', 'the admin API of `shakedown up` (default: from up.json)')
    .option('--token-file <file>', 'its bearer token file (default: from up.json)');
}

function startFlags(c: Command): Command {
  return c
    .option('--to <v>', 'the version to roll out (with no rollout: entry for the service)')
    .option('--stable <v>', 'the stable version (default: the one with the most weight)')
    .option('--replicas <n>', "replicas of the new version (default: the stable's)", positiveInteger)
    .option('--strategy <s>', 'canary | blue-green', 'canary')
    .option('--steps <list>', 'canary steps: weights (10,50) or 10,analysis,pause:30s,50,pause')
    .option('--analysis-interval <d>', 'length of each analysis measurement (default 20s)')
    .option('--analysis-count <n>', 'measurements per analysis step (default 1)', positiveInteger)
    .option('--no-judge', 'no canary judge in the flag-built analysis')
    .option(
      '--success-rate <r>',
      'also require this success rate of the new version',
      fractionArg('a success rate'),
    )
    .option('--max-p99 <d>', "also require the new version's p99 latency at most this")
    .option('--on-no-data <policy>', 'when a metric has no data: pass | fail | inconclusive (default)')
    .option(
      '--preview-header <h>',
      'blue-green: test traffic to the preview by this header (default x-preview=1)',
    )
    .option('--preview-mirror <p>', 'blue-green: copy this share of live traffic to the preview, e.g. 10%')
    .option('--manual', 'blue-green: wait for `rollout promote` before the switch')
    .option('--load-url <url>', 'built-in load during the rollout: this path of a mesh listener (or URL)')
    .option('--load-rate <r>', 'its rate, e.g. 200/s')
    .option('--load-listener <name>', 'the mesh listener it goes to (default: the first)')
    .option('--load-scenario <name>', "built-in load: a scenario of the spec's load: section")
    .option('--progress-deadline <d>', 'abort when a step makes no progress this long (default 10m)')
    .option('--scale-down-delay <d>', 'keep the old version this long after promotion (default 30s)')
    .option('--abort-scale-down-delay <d>', 'keep the new version this long after an abort (default 30s)')
    .option('--webhook <url>', 'notify this webhook (Alertmanager format) on abort and promotion', collect)
    .option('--alertmanager <url>', 'send alerts to this Alertmanager on abort and promotion', collect);
}

function outputFlags(c: Command): Command {
  return c
    .option('--store <path|url>', 'record the rollout in this results store (default .shakedown/results.db)')
    .option('--no-store', 'do not record the rollout')
    .option(
      '--control-port <n>',
      'port of the control endpoint on 127.0.0.1 (default: a free one)',
      positiveInteger,
    )
    .option('--json', 'print the result (status, figures) as JSON on stdout')
    .option('-q, --quiet', 'no progress lines');
}

export function registerRollout(program: Command, ctx: CliContext): void {
  const rollout = program
    .command('rollout')
    .summary('blue-green and canary rollouts with automated analysis and rollback')
    .description(
      'Moves a service of a running `shakedown up` to a new version step by step: starts its replicas (no traffic before they are ready), shifts weights in the mesh, judges the new version against the stable one at each analysis step, and promotes it or rolls it back by itself.',
    );

  const start = rollout
    .command('start')
    .summary('run a rollout to its end (promoted or rolled back)')
    .argument('<service>', 'the service to roll out')
    .argument('[spec]', 'the spec (default: the one `shakedown up` runs, else shakedown.yaml)');
  platformOptions(outputFlags(startFlags(start)))
    .addHelpText(
      'after',
      `
Examples:
  shakedown rollout start catalog                       # the spec's rollout: entry for catalog
  shakedown rollout start catalog --to v2 --steps 10,50 --load-url /products --load-rate 200/s
  shakedown rollout start catalog --to v2 --strategy blue-green --manual

Exit codes: 0 promoted, 1 rolled back, 2 usage or spec error, 3 no running \`shakedown up\`, 130 interrupted (rolled back).`,
    )
    .action((service: string, specPath: string | undefined, o: StartOptions) =>
      runRolloutCommand(ctx, o, async (loaded) => rolloutFor(service, loaded, o), { specPath }),
    );

  const status = rollout
    .command('status')
    .summary('show a rollout: live from its controller, else the last recorded one')
    .argument('<service>', 'the service')
    .option('--store <path|url>', 'results store to read when no controller runs')
    .option('--json', 'print the status as JSON');
  platformOptions(status).action(
    async (service: string, o: PlatformOptions & { store?: string; json?: boolean }) =>
      printStatus(ctx, service, o),
  );

  const promote = rollout
    .command('promote')
    .summary('continue a paused rollout (--full: skip every remaining step)')
    .argument('<service>', 'the service')
    .option('--full', 'skip every remaining step and switch all traffic now')
    .option('--json', 'print the status as JSON');
  platformOptions(promote).action(
    async (service: string, o: PlatformOptions & { full?: boolean; json?: boolean }) => {
      const { client } = controlClient(ctx, service, o);
      const s = await client.promote(service, o.full ?? false);
      ctx.stdout.write(
        o.json ? `${JSON.stringify(s, null, 2)}\n` : `promote requested: ${s.service} ${s.version}\n`,
      );
    },
  );

  const abort = rollout
    .command('abort')
    .summary('abort: traffic back to the stable version at once')
    .argument('<service>', 'the service')
    .option('--reason <text>', 'why (recorded and notified)', 'aborted from the command line')
    .option('--by <who>', 'who aborts, as recorded: user, compare (a regression hook), watch…', 'user')
    .option('--store <path|url>', 'results store (to abort a rollout whose controller is gone)')
    .option('--json', 'print the status as JSON');
  platformOptions(abort).action(
    async (
      service: string,
      o: PlatformOptions & { reason: string; by: string; store?: string; json?: boolean },
    ) => {
      const live = controlClient(ctx, service, o, false);
      if (live) {
        const s = await live.client.abort(service, o.reason, o.by);
        ctx.stdout.write(
          o.json
            ? `${JSON.stringify(s, null, 2)}\n`
            : `abort requested: ${s.service} back to ${s.stableVersion}\n`,
        );
        return;
      }
      await abortStored(ctx, service, o);
    },
  );

  const retry = rollout
    .command('retry')
    .summary('run the last failed or aborted rollout of a service again, from its first step')
    .argument('<service>', 'the service');
  platformOptions(outputFlags(retry)).action((service: string, o: StartOptions) =>
    runRolloutCommand(ctx, o, async () => undefined, { retry: service }),
  );

  const undo = rollout
    .command('undo')
    .summary('go back to the version the last promoted rollout replaced (switched at once)')
    .argument('<service>', 'the service')
    .option('--to <v>', 'go to this version instead');
  platformOptions(outputFlags(undo))
    .option('--scale-down-delay <d>', 'keep the version undone this long (default: as the rollout had it)')
    .action((service: string, o: StartOptions & { to?: string }) =>
      runRolloutCommand(ctx, o, async () => undefined, { undo: service, ...(o.to ? { to: o.to } : {}) }),
    );

  const renderCmd = rollout
    .command('render')
    .summary('render a rollout as Kubernetes objects: Deployment, Services, an HTTPRoute per step')
    .argument('<service>', 'the service')
    .argument('[spec]', 'the spec', 'shakedown.yaml')
    .option('--target <t>', 'kubernetes (Gateway API HTTPRoute)', 'kubernetes')
    .option('--namespace <ns>', 'namespace of the objects', 'default')
    .option(
      '--gateway <name>',
      'parent Gateway (namespace/name[/section]); default: the service itself (GAMMA)',
    )
    .option('--image <template>', 'container image, {service} and {version} replaced', '{service}:{version}')
    .option('--port <n>', 'container and Service port', positiveInteger, 8080)
    .option('-o, --out <file>', 'write the YAML here instead of stdout')
    .option('--validate', 'check every HTTPRoute against the Gateway API CRD schema (needs ajv)')
    .option('--json', 'print the steps as JSON');
  startFlags(renderCmd).action(async (service: string, specPath: string, o: RenderOptions) =>
    render(ctx, service, specPath, o),
  );
}

interface RenderOptions extends RolloutFlags {
  target: string;
  namespace: string;
  gateway?: string;
  image: string;
  port: number;
  out?: string;
  validate?: boolean;
  json?: boolean;
}

/** The service's rollout: the spec's entry (flags may not be mixed in), else from flags. */
export function rolloutFor(
  service: string,
  loaded: LoadedSpec | undefined,
  flags: RolloutFlags,
): RolloutSpec {
  const entry = loaded?.spec.rollout?.[service];
  if (entry && !flags.to) return rolloutFromEntry(service, entry);
  return rolloutFromFlags(service, flags);
}

async function render(ctx: CliContext, service: string, specPath: string, o: RenderOptions): Promise<void> {
  if (o.target !== 'kubernetes') throw usageError('E_USAGE', `--target ${o.target}: expected kubernetes`);
  const path = resolve(ctx.cwd, specPath);
  if (!existsSync(path))
    throw usageError(
      'E_USAGE',
      `no spec at ${path}`,
      'shakedown rollout render catalog examples/shop/shakedown.yaml',
    );
  const loaded = loadSpecFile(path);
  const spec = rolloutFor(service, loaded, o);
  let gateway: { name: string; namespace?: string; sectionName?: string } | undefined;
  if (o.gateway) {
    const parts = o.gateway.split('/');
    gateway =
      parts.length === 1
        ? { name: parts[0] as string }
        : {
            namespace: parts[0] as string,
            name: parts[1] as string,
            ...(parts[2] ? { sectionName: parts[2] } : {}),
          };
  }
  const steps = renderKubernetes(loaded, spec, {
    namespace: o.namespace,
    port: o.port,
    image: (s, v) => o.image.replaceAll('{service}', s).replaceAll('{version}', v),
    ...(gateway ? { gateway } : {}),
  });
  if (o.validate) {
    const validate = await httpRouteValidator();
    const problems = steps.flatMap((s) =>
      s.objects
        .filter((x) => x.kind === 'HTTPRoute')
        .flatMap((x) => validate(x).map((p) => `step ${s.step}: ${p}`)),
    );
    if (problems.length)
      throw new ShakedownError(
        'E_ROLLOUT_RENDER_INVALID',
        `rendered HTTPRoutes do not validate:\n  ${problems.join('\n  ')}`,
      );
    ctx.stderr.write(`${steps.length} HTTPRoutes validate against the Gateway API schema\n`);
  }
  const text = o.json
    ? `${JSON.stringify(steps, null, 2)}\n`
    : steps
        .map((s) => {
          const head = `# ${s.step === 'setup' ? 'setup' : s.step === 'promoted' ? 'promoted' : `step ${s.step + 1}`}: ${s.description}`;
          return s.objects.map((x, i) => `${i === 0 ? `${head}\n` : ''}---\n${stringify(x)}`).join('');
        })
        .join('');
  if (o.out) {
    writeFileSync(resolve(ctx.cwd, o.out), text);
    ctx.stderr.write(`wrote ${o.out}\n`);
  } else ctx.stdout.write(text);
}
