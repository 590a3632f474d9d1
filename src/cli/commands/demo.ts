import { join } from 'node:path';
import type { Command } from 'commander';
import { examplesDir, startExampleService } from '../../demo/example-service.js';
import { loadConfigFromSpec } from '../../load/from-spec.js';
import type { Output } from '../../load/output.js';
import { JsonFileOutput } from '../../load/outputs/json-file.js';
import { ProgressOutput } from '../../load/outputs/progress.js';
import { formatSummary } from '../../load/summary-text.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import type { CliContext } from '../context.js';
import { positiveInteger } from '../options.js';
import { exitCodeFor, runWithInterrupts } from './load.js';

export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .summary('run the bundled example with 10,000 users, nothing else needed')
    .description(
      'Starts the bundled example service on a free loopback port, ramps to 10,000 VUs on it (examples/hello/shakedown.yaml: 10 s ramp, 20 s hold, ~1 s think time), prints the summary and stops the service.',
    )
    .option('--workers <n>', 'load worker threads (default: half the cores, 1–8)', positiveInteger)
    .option('--out <file>', 'write the summary as JSON to this file')
    .option('-q, --quiet', 'no progress line')
    .action(async (options: { workers?: number; out?: string; quiet?: boolean }) => {
      const loaded = loadSpecFile(join(examplesDir(), 'hello', 'shakedown.yaml'));
      const service = await startExampleService();
      try {
        ctx.stderr.write(`example service listening on ${service.baseUrl}; ramping to 10,000 VUs\n`);
        const config = loadConfigFromSpec(loaded.spec.load as NonNullable<typeof loaded.spec.load>, {
          baseDir: loaded.dir,
          baseUrl: service.baseUrl,
          ...(options.workers ? { workers: options.workers } : {}),
        });
        const outputs: Output[] = [];
        if (!options.quiet && ctx.stderr.isTTY) outputs.push(new ProgressOutput(ctx.stderr));
        if (options.out) outputs.push(new JsonFileOutput(options.out));
        const summary = await runWithInterrupts(config, outputs, ctx);
        ctx.stdout.write(formatSummary(summary, { color: Boolean(ctx.stdout.isTTY) && !ctx.env.NO_COLOR }));
        ctx.setExitCode(exitCodeFor(summary));
      } finally {
        await service.stop();
      }
    });
}
