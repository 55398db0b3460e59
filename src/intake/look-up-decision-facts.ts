/**
 * The facts about a message that live in the database, read the way intake reads them: the thread it
 * belongs to, that ticket, the stored customer and their open tickets. Read-only (SELECTs only), so
 * `mailroom rules test` can use it on a read-only connection and decide a file exactly as intake would.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { customers, tickets } from '../db/schema/index.js';
import { createThreadLookups } from '../tickets/thread-lookups.js';
import type { KnownCustomer, KnownTicket } from './build-decision-input.js';
import { findThread, type ThreadMatch } from './find-thread.js';
import type { ParsedMessage } from './parsed-message.js';
import { extractBounceDetails } from './detect-bounce-details.js';
import type { DetectionFlags } from '../decide/types.js';

/** Prepared lookups, one set per database handle. */
const lookupsByDb = new WeakMap<Db, ReturnType<typeof createThreadLookups>>();
const threadLookupsFor = (db: Db) => {
  let l = lookupsByDb.get(db);
  if (!l) lookupsByDb.set(db, (l = createThreadLookups(db)));
  return l;
};

export type LookUpDecisionFactsOptions = {
  db: Db;
  parsed: ParsedMessage;
  senderEmail: string;
  receivedAt: Date;
  settings: { ticketTag: string; subjectThreadDays: number };
  /** detection's flags: a bounce is threaded by the Message-ID of the mail it returns */
  flags?: Pick<DetectionFlags, 'bounce'>;
};

export type DecisionFacts = {
  thread: ThreadMatch;
  /** the full ticket row the thread matched (filing updates it), or null */
  ticket: (typeof tickets.$inferSelect & KnownTicket) | null;
  customer: (typeof customers.$inferSelect & KnownCustomer) | null;
  /** the stored customer's open tickets, the matched one included when open */
  customerOpenTickets: number;
};

export const lookUpDecisionFacts = ({ db, parsed, senderEmail, receivedAt, settings, flags }: LookUpDecisionFactsOptions): DecisionFacts => {
  const thread = findThread({
    message: parsed,
    bounceOf: flags?.bounce ? extractBounceDetails({ message: parsed }).originalMessageId : null,
    senderEmail,
    lookups: threadLookupsFor(db),
    now: receivedAt,
    ticketTag: settings.ticketTag,
    subjectThreadDays: settings.subjectThreadDays,
  });
  const ticket = thread.ticketId !== null ? db.select().from(tickets).where(eq(tickets.id, thread.ticketId)).get() ?? null : null;
  const customer = db.select().from(customers).where(eq(customers.email, senderEmail)).get() ?? null;
  const customerOpenTickets = customer
    ? db.select({ n: sql<number>`count(*)` }).from(tickets)
      .where(sql`${tickets.customerId} = ${customer.id} and ${tickets.status} not in ('resolved','closed')`).get()!.n
    : 0;
  return { thread, ticket, customer, customerOpenTickets };
};
