/**
 * Routing as a module: seeds queues and agents from config at start, ends a pull lease as soon as the
 * agent acts on the ticket, and serves the queue/agent API.
 */
import { queueRoutes } from '../api/routes/queues.js';
import type { MailroomModule } from '../module.js';
import { endLease } from './claim-next-ticket.js';
import { loadRoutingSnapshot, seedRouting } from './routing-store.js';
import { createAssignmentStage, type AssignmentStageTrace } from './assignment-stage.js';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { agents, queues } from '../db/schema/index.js';
import type { DecideStages } from '../decide/decide.js';

/**
 * The pure assignment stage over a fresh snapshot, plus the two facts it must remember: the queue's
 * round-robin pointer and the agent's last assignment. They are written right here, synchronously,
 * before any other message is decided in this process, so round robin stays fair under concurrency.
 * (Backtests build the pure stage from a snapshot and write nothing.)
 */
const liveAssignStage = (db: Db): NonNullable<DecideStages['assign']> => (args) => {
  const result = createAssignmentStage(loadRoutingSnapshot(db))(args);
  const trace = result.trace as AssignmentStageTrace;
  if (trace.strategy === 'round_robin' && trace.pointer) db.update(queues).set({ pointer: trace.pointer }).where(eq(queues.name, trace.queue)).run();
  if (result.value) db.update(agents).set({ lastAssignedAt: args.input.now }).where(eq(agents.id, result.value)).run();
  return result;
};

/** Ticket events that mean the assignee acted on the ticket: the claim lease has done its job. */
const ACTED = new Set(['reply_sent', 'status_changed', 'transferred', 'unassigned']);

export const routingModule: MailroomModule = {
  name: 'routing',
  routes: queueRoutes,
  start: async (services) => {
    seedRouting(services.db, services.config, services.clock.now());
    await services.decider.reload();
    services.ticketHooks.push((e) => { if (ACTED.has(e.type)) endLease(services.db, e.ticketId); });
    services.decider.setAssignStage(liveAssignStage(services.db));
  },
};
