/**
 * A separate Mailroom process that brings one ticket's SLA up to date at a given instant, as the
 * `sla-timer` job (with a generation) or the ticket hook (without) would, when told "go" on stdin.
 * Several of these on one data dir are several workers racing for the same warning or breach.
 *   tsx test/sla/fire-timer-process.ts <dir> <now ISO> <ticketId> [generation]
 * Prints `ready`, then one JSON line: { status, recorded: [keys] }.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { manualClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { syncTicketSla } from '../../src/sla/sync-ticket-sla.js';
import { API_TOKEN, INBOUND_SECRET } from '../support/harness.js';

const [dir, now, ticketId, generation] = process.argv.slice(2);
const config = loadConfig({
  MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_API_TOKEN: API_TOKEN, MAILROOM_INBOUND_SECRET: INBOUND_SECRET,
  MAILROOM_RULES_DIR: path.join(dir, 'rules'), MAILROOM_LOG_LEVEL: 'silent',
}, dir);
const services = await createServices({ config, clock: manualClock(now), log: createLogger('silent') });
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== 'go') continue;
  const result = await syncTicketSla({ services, ticketId: Number(ticketId), firedGeneration: generation === undefined ? undefined : Number(generation) });
  process.stdout.write(`${JSON.stringify({ status: result.status, recorded: result.crossings.map((c) => c.key) })}\n`);
  break;
}
lines.close();
await services.close();
