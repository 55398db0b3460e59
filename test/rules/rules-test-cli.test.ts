/**
 * `mailroom rules test FILE.eml` on .eml files written here: the same trace the API stores, without a
 * database (a new ticket from an unknown customer) and with one (read-only: thread, ticket, queues
 * and agents), and nothing written.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRulesCommand } from '../../src/cli/commands/rules.js';
import { eml, tempDir } from '../support/harness.js';
import { createRulesHarness, liveTablesChecksum, LIVE_RULES } from './rules-harness.js';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
};

let dir: string;
let rulesDir: string;
let env: Record<string, string>;
beforeEach(() => {
  dir = tempDir('mailroom-rules-test-');
  rulesDir = path.join(dir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(path.join(rulesDir, '10-routing.yaml'), LIVE_RULES);
  env = { MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_RULES_DIR: rulesDir, MAILROOM_TEMPLATES_DIR: path.join(dir, 'templates') };
});
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

describe('mailroom rules test', () => {
  it('prints every rule with its conditions\' actual values, the decision and the summary', async () => {
    const file = path.join(dir, 'refund.eml');
    writeFileSync(file, eml({ from: 'Cleo <cleo@example.org>', subject: 'Urgent: refund for invoice 12', date: 'Tue, 24 Nov 2026 09:30:00 +0000' }));
    const { io, out, err } = capture();
    expect(await runRulesCommand(['test', file], io, env)).toBe(0);
    expect(err).toEqual(expect.arrayContaining([expect.stringMatching(/no database at .*: default queues, no assignment/)]));
    expect(out[0]).toBe('message: "Urgent: refund for invoice 12" from cleo@example.org, received 2026-11-24T09:30:00.000Z');
    expect(out).toContain('thread: not looked up (no database): decided as a new ticket from an unknown customer');
    expect(out).toContain('classifier: none (no model)');
    expect(out).toEqual(expect.arrayContaining([
      expect.stringMatching(/^rules [0-9a-f]{16}: 2 of 2 matched$/),
      `  + billing-words (${path.join(rulesDir, '10-routing.yaml')}:2): MATCHED`,
      '      subject contains ["invoice","refund"] ; actual "Urgent: refund for invoice 12" → true',
      '      then: queue billing (applied), category billing (applied), tags billing (added)',
      '      subject contains "urgent" ; actual "Urgent: refund for invoice 12" → true',
      expect.stringMatching(/^decision: queue billing, priority high, category billing, tags \[billing\], skill -, assignee -, SLA default/),
      '  queue billing (rule billing-words)',
    ]));
  });

  it('--json gives the shape of GET /api/tickets/:id/trace; --category simulates the classifier', async () => {
    const file = path.join(dir, 'hello.eml');
    writeFileSync(file, eml({ subject: 'Hello there', body: 'Just saying hi.' }));
    const { io, out } = capture();
    expect(await runRulesCommand(['test', file, '--json', '--category', 'sales', '--confidence', '0.8', '--at', '2026-11-28T20:00:00Z'], io, env)).toBe(0);
    const trace = JSON.parse(out.join('\n'));
    expect(trace).toMatchObject({
      messageId: null, ticketId: null, subject: 'Hello there', receivedAt: '2026-11-28T20:00:00.000Z',
      classification: { category: 'sales', confidence: 0.8, top: [{ category: 'sales', probability: 0.8 }] },
      decision: { queue: 'triage', priority: 'normal', category: 'sales' },
      rules: { total: 2, matched: [], rules: [{ rule: 'billing-words', outcome: 'not_matched', conditions: [{ field: 'subject', actual: 'Hello there', result: false }] }, { rule: 'urgent' }] },
      sla: { policy: 'default' },
    });
    expect(trace.summary).toContain('category sales (classifier 0.80)');
  });

  it('with a database: the thread and ticket facts, read-only', async () => {
    const r = await createRulesHarness();
    try {
      const ticket = await r.file('Invoice 77', 'Dan <dan@example.com>');
      const first = (await r.api('GET', `/api/tickets/${ticket}`)).json().messages[0].messageId;
      const file = path.join(r.dir, 'reply.eml');
      writeFileSync(file, eml({ from: 'Dan <dan@example.com>', subject: 'Re: Invoice 77', inReplyTo: first, body: 'Any news?' }));
      const before = liveTablesChecksum(r.h);
      const { io, out, err } = capture();
      const code = await runRulesCommand(['test', file, '--json'], io, { MAILROOM_DATA_DIR: r.h.config.dataDir, MAILROOM_RULES_DIR: r.rulesDir, MAILROOM_TEMPLATES_DIR: path.join(r.dir, 'templates') });
      expect(code, err.join('\n')).toBe(0);
      const trace = JSON.parse(out.join('\n'));
      expect(trace.thread).toMatchObject({ ticketId: ticket, matchedBy: 'in-reply-to' });
      expect(trace.ticketId).toBe(ticket);
      expect(trace.rules.rules[0].conditions[0]).toMatchObject({ field: 'subject', actual: 'Re: Invoice 77', result: true });
      expect(trace.decision).toMatchObject({ queue: 'billing' });
      // billing is a pull queue: the assignment stage ran on the database's queues, and said so
      expect(trace.assignment).toMatchObject({ chosen: null, queue: 'billing' });
      expect(liveTablesChecksum(r.h)).toEqual(before);
    } finally {
      await r.close();
    }
  });

  it('invalid rules exit 1 with located errors; an unreadable file exits 1; usage exits 2', async () => {
    const file = path.join(dir, 'm.eml');
    writeFileSync(file, eml());
    writeFileSync(path.join(rulesDir, '20-bad.yaml'), 'rules:\n  - name: x\n    then: { prority: high }\n');
    const bad = capture();
    expect(await runRulesCommand(['test', file], bad.io, env)).toBe(1);
    expect(bad.out).toEqual([expect.stringMatching(/20-bad\.yaml:3:13 rules\[0\]\.then\.prority: .*did you mean "priority"\?/)]);
    expect(await runRulesCommand(['test', path.join(dir, 'missing.eml')], capture().io, env)).toBe(1);
    expect(await runRulesCommand(['test'], capture().io, env)).toBe(2);
    expect(await runRulesCommand(['test', file, '--channel', 'fax'], capture().io, env)).toBe(2);
    expect(await runRulesCommand(['test', file, '--at', 'yesterday'], capture().io, env)).toBe(2);
  });
});
