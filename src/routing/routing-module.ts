/**
 * Routing as a module: seeds queues and agents from config at start, ends a pull lease as soon as the
 * agent acts on the ticket, and serves the queue/agent API.
 */
import { queueRoutes } from '../api/routes/queues.js';
import type { MailroomModule } from '../module.js';
import { endLease } from './claim-next-ticket.js';
import { seedRouting } from './routing-store.js';

/** Ticket events that mean the assignee acted on the ticket: the claim lease has done its job. */
const ACTED = new Set(['reply_sent', 'status_changed', 'transferred', 'unassigned']);

export const routingModule: MailroomModule = {
  name: 'routing',
  routes: queueRoutes,
  start: async (services) => {
    seedRouting(services.db, services.config, services.clock.now());
    await services.decider.reload();
    services.ticketHooks.push((e) => { if (ACTED.has(e.type)) endLease(services.db, e.ticketId); });
  },
};
