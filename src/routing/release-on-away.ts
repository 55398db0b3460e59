/**
 * When an agent goes away (marked unavailable, or removed from a queue), which of their tickets return
 * to the queue. Pure: the caller loads the agent's open tickets and unassigns the ones returned.
 *
 * Policies:
 * - `unstarted` (default): tickets the agent has not answered yet go back; conversations they started
 *   stay with them, because the customer expects the same person.
 * - `all`: every open ticket goes back.
 * - `none`: nothing moves (a short break, say).
 */
export type ReleasePolicy = 'unstarted' | 'all' | 'none';
export const DEFAULT_RELEASE_POLICY: ReleasePolicy = 'unstarted';

/** Transfers after which a ticket is flagged for a supervisor (ping-pong between queues). */
export const MAX_TRANSFERS_BEFORE_FLAG = 3;

export type AssignedTicket = {
  id: number | string;
  /** when the assignee first replied on this ticket; null: not started */
  firstAgentReplyAt: Date | null;
};

export type TicketsToReleaseOptions = { tickets: readonly AssignedTicket[]; policy?: ReleasePolicy };

/** The tickets to unassign (back to their queue) under `policy`. */
export const ticketsToRelease = ({ tickets, policy = DEFAULT_RELEASE_POLICY }: TicketsToReleaseOptions): AssignedTicket[] => {
  switch (policy) {
    case 'none': return [];
    case 'all': return [...tickets];
    case 'unstarted': return tickets.filter((t) => t.firstAgentReplyAt === null);
  }
};

/** Whether a ticket transferred `transfers` times should be flagged. */
export const isTransferLimitExceeded = (transfers: number, limit = MAX_TRANSFERS_BEFORE_FLAG): boolean => transfers > limit;
