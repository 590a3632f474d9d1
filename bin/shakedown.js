#!/usr/bin/env node
// The `shakedown` executable: runs the compiled CLI in dist/.
import { runCli } from '../dist/cli/main.js';

const code = await runCli(process.argv.slice(2));
process.exit(code);
