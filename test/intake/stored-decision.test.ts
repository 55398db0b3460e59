import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema/index.js';
import { rebuildDecisionInput } from '../../src/decide/stored-decision.js';
import type { DecisionInput } from '../../src/decide/types.js';
import { createHarness, eml, postInbound, type Harness } from '../support/harness.js';

let h: Harness;
let seen: DecisionInput[];
beforeEach(async () => {
  h = await createHarness();
  seen = [];
  const live = h.services.intake.decide;
  h.services.intake.decide = (input) => { seen.push(structuredClone(input)); return live(input); };
});
afterEach(async () => { await h.close(); });

describe('stored decision input', () => {
  it('rebuilds exactly the input decide saw, for a new ticket and for a reply', async () => {
    await postInbound(h, eml({ messageId: 'q1@example.com', subject: 'Refund for invoice 12', extraHeaders: ['X-Priority: 1'] }));
    await h.drain();
    await postInbound(h, eml({ inReplyTo: 'q1@example.com', subject: 'Re: Refund for invoice 12', body: 'Any news?\r\n\r\nOn Mon, Alice wrote:\r\n> earlier' }));
    await h.drain();
    const rows = h.services.db.select().from(messages).orderBy(messages.id).all();
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => rebuildDecisionInput(r))).toEqual(seen);
    expect(seen[1].ticket).toMatchObject({ isNew: false, id: rows[0].ticketId });
    expect(h.services.db.select().from(messages).where(eq(messages.id, rows[1].id)).get()!.visibleText).toBe('Any news?');
  });
});
