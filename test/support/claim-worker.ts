/**
 * A separate process that claims tickets from a queue as fast as it can and prints the ids it got:
 *   tsx test/support/claim-worker.ts <dataDir> <queue> <agent> <count>
 */
import { databaseFile, openDatabase } from '../../src/db/connection.js';
import { claimNextTicket } from '../../src/routing/claim-next-ticket.js';

const [dataDir, queue, agent, count] = process.argv.slice(2);
const db = openDatabase(databaseFile(dataDir));
const got: number[] = [];
for (let i = 0; i < Number(count); i++) {
  const r = claimNextTicket({ db, queue, agent, now: new Date('2026-11-23T10:00:00Z') });
  if (r) got.push(r.ticketId);
}
process.stdout.write(JSON.stringify(got));
db.$client.close();
