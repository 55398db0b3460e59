#!/usr/bin/env node
/** Entry point of the `mailroom` command (see run-cli.ts for the sub-commands). */
import { runCli } from './run-cli.js';

runCli(process.argv.slice(2));
