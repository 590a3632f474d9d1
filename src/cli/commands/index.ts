import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { registerDemo } from './demo.js';
import { registerLoad } from './load.js';
import { registerMesh } from './mesh.js';

/** Every command, one module each; adding a command is one file and one line here. */
export const commandModules: Array<(program: Command, ctx: CliContext) => void> = [
  registerLoad,
  registerDemo,
  registerMesh,
];
