import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerBaseline } from './baseline.js';
import { registerChaos } from './chaos.js';
import { registerCompare } from './compare.js';
import { registerDemo } from './demo.js';
import { registerEval } from './eval.js';
import { registerLoad } from './load.js';
import { registerLogs } from './logs.js';
import { registerMesh } from './mesh.js';
import { registerRestart } from './restart.js';
import { registerRollout } from './rollout.js';
import { registerRuns } from './runs.js';
import { registerSlo } from './slo.js';
import { registerTrend } from './trend.js';
import { registerUp } from './up.js';
import { registerWatch } from './watch.js';

/** Every command, one module each; adding a command is one file and one line here. */
export const commandModules: Array<(program: Command, ctx: CliContext) => void> = [
  registerLoad,
  registerDemo,
  registerRuns,
  registerBaseline,
  registerCompare,
  registerTrend,
  registerEval,
  registerSlo,
  registerWatch,
  registerUp,
  registerLogs,
  registerRestart,
  registerMesh,
  registerChaos,
  registerRollout,
];
