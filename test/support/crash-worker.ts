/**
 * A separate process that runs the intake worker against a test's data dir and dies by SIGKILL inside
 * the filing transaction, just before commit: the fault a power cut or an OOM kill would cause.
 *   tsx test/support/crash-worker.ts <dir> inline|bullmq [prefix]
 */
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createBullmqDriver } from '../../src/queue/bullmq-driver.js';
import { recoverIntake, runIntakeWorker } from '../../src/intake/run-intake-worker.js';
import { createServices } from '../../src/services.js';
import { API_TOKEN, INBOUND_SECRET, REDIS_URL } from './harness.js';

const [dir, mode, prefix] = process.argv.slice(2);
const config = loadConfig({
  MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_API_TOKEN: API_TOKEN, MAILROOM_INBOUND_SECRET: INBOUND_SECRET,
  MAILROOM_RULES_DIR: path.join(dir, 'rules'), MAILROOM_LOG_LEVEL: 'silent',
}, dir);
const queue = mode === 'bullmq' ? createBullmqDriver({ redisUrl: REDIS_URL, prefix, lockDurationMs: 2000, stalledIntervalMs: 1000 }) : undefined;
const services = await createServices({ config, queue, log: createLogger('silent') });
services.intake.beforeCommit = () => { process.kill(process.pid, 'SIGKILL'); };
runIntakeWorker({ queue: services.queue, deps: services.intake, effects: [], concurrency: 1, log: services.log });
if (mode === 'inline') await recoverIntake({ db: services.db, queue: services.queue });
process.stdout.write('ready\n');
