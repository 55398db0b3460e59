/**
 * Entry point for `npm run worker`: a thin process that consumes intake jobs from BullMQ
 * (REDIS_URL must be set). Run as many as you like, on any machine that reaches Redis and the data dir.
 */
import { runCli } from '../src/cli/run-cli.js';

runCli(['worker', ...process.argv.slice(2)]);
