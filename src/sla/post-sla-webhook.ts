/**
 * POSTs one webhook an `on: sla.*` rule named: the crossing and the ticket as JSON. A non-2xx answer or
 * no answer within SLA_WEBHOOK_TIMEOUT_MS throws, and the job's retries (with backoff) try again.
 *
 * Body: `{ "event": "sla.breach", "key": "first_response:0:breach", "clock": "first_response",
 * "cycle": 0, "policy": "standard", "dueAt": "...", "recordedAt": "...", "ticket": { "id", "subject",
 * "status", "queue", "priority", "category", "assignee", "url" } }`, with `User-Agent: Mailroom` and
 * `X-Mailroom-Event: sla.breach`.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { slaCrossings, tickets } from '../db/schema/index.js';
import { SLA_WEBHOOK_TIMEOUT_MS } from './sla-jobs.js';
import type { SlaRulesOutcome } from './run-sla-rules.js';

export type PostSlaWebhookOptions = {
  db: Db;
  crossingId: number;
  index: number;
  /** replaced in tests; default: the global fetch */
  fetchFn?: typeof fetch;
  timeoutMs?: number;
};

/** Sends the webhook; returns the HTTP status, or null when there is nothing to send (row or URL gone). */
export const postSlaWebhook = async ({ db, crossingId, index, fetchFn = fetch, timeoutMs = SLA_WEBHOOK_TIMEOUT_MS }: PostSlaWebhookOptions): Promise<number | null> => {
  const crossing = db.select().from(slaCrossings).where(eq(slaCrossings.id, crossingId)).get();
  const outcome = crossing?.outcome as SlaRulesOutcome | null | undefined;
  const url = outcome?.webhooks?.[index];
  if (!crossing || !outcome || !url) return null;
  const ticket = db.select().from(tickets).where(eq(tickets.id, crossing.ticketId)).get();
  const body = {
    event: outcome.event,
    key: crossing.key,
    clock: crossing.clock,
    cycle: crossing.cycle,
    policy: crossing.policy,
    dueAt: crossing.at.toISOString(),
    recordedAt: crossing.recordedAt.toISOString(),
    ticket: ticket
      ? { id: ticket.id, subject: ticket.subject, status: ticket.status, queue: ticket.queue, priority: ticket.priority, category: ticket.category, assignee: ticket.assignee, url: `/api/tickets/${ticket.id}` }
      : { id: crossing.ticketId },
  };
  const response = await fetchFn(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Mailroom', 'x-mailroom-event': outcome.event },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.body?.cancel().catch(() => undefined);
  if (!response.ok) throw new Error(`webhook ${url} answered ${response.status}`);
  return response.status;
};
