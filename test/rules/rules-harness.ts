/**
 * A real Mailroom (test/support/harness.ts) with the routing and rules modules, its rules directory and
 * templates written to disk first, and helpers for the rules API. Rule sets used across the suites:
 * LIVE_RULES (what the server starts with) and CANDIDATE_RULES (a change to backtest, shadow, promote).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { routingModule } from '../../src/routing/routing-module.js';
import { rulesModule } from '../../src/rules/rules-module.js';
import type { LightMyRequestResponse } from 'fastify';
import { createHarness, eml, postInbound, tempDir, type Harness } from '../support/harness.js';

export const LIVE_RULES = `rules:
  - name: billing-words
    when:
      subject: { contains: [invoice, refund] }
    then:
      queue: billing
      category: billing
      tags: [billing]

  - name: urgent
    when:
      subject: { contains: urgent }
    then:
      priority: high
`;

/** Billing also catches "payment"; passwords go to accounts with an auto-reply; "urgent" no longer raises. */
export const CANDIDATE_RULES = `rules:
  - name: billing-words
    when:
      subject: { contains: [invoice, refund, payment] }
    then:
      queue: billing
      category: billing
      tags: [billing]

  - name: passwords
    when:
      subject: { contains: password }
    then:
      queue: accounts
      auto_reply: password-reset
`;

export type RulesHarness = {
  h: Harness;
  dir: string;
  rulesDir: string;
  api: (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) => Promise<LightMyRequestResponse>;
  /** posts a message from its own sender and waits until it is filed; returns the ticket id */
  file: (subject: string, from?: string) => Promise<number>;
  /** the same Mailroom again, on the same directory (a restart) */
  restart: () => Promise<void>;
  close: () => Promise<void>;
};

let senders = 0;

export const createRulesHarness = async (opts: { rules?: Record<string, string>; keepDir?: string; configYaml?: string } = {}): Promise<RulesHarness> => {
  const dir = opts.keepDir ?? tempDir('mailroom-rules-');
  const rulesDir = path.join(dir, 'rules');
  if (!opts.keepDir) {
    mkdirSync(rulesDir, { recursive: true });
    for (const [name, text] of Object.entries(opts.rules ?? { '10-routing.yaml': LIVE_RULES })) writeFileSync(path.join(rulesDir, name), text);
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(path.join(dir, 'templates', 'acknowledgement.liquid'), 'We got your message.');
    writeFileSync(path.join(dir, 'templates', 'password-reset.liquid'), 'Reset it here.');
  }
  const start = () => createHarness({ dir, modules: [routingModule, rulesModule], configYaml: opts.configYaml });
  const self: RulesHarness = {
    h: await start(),
    dir,
    rulesDir,
    api: (method, url, payload) => self.h.app.inject({ method, url, headers: self.h.auth, payload: payload as object }),
    async file(subject, from) {
      senders += 1;
      self.h.clock.advance(60_000);
      const res = await postInbound(self.h, eml({ subject, from: from ?? `customer${senders}@example.com` }));
      if (res.statusCode !== 202) throw new Error(`inbound answered ${res.statusCode}: ${res.body}`);
      await self.h.drain();
      return (await self.api('GET', '/api/tickets?limit=1')).json().tickets[0].id as number;
    },
    async restart() {
      const now = self.h.clock.now();
      await self.h.close();
      self.h = await start();
      self.h.clock.set(now);
    },
    async close() {
      await self.h.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
};

/** Row counts and a hash of every row of the tables a backtest must not touch. */
export const liveTablesChecksum = (h: Harness): { counts: Record<string, number>; sha256: string } => {
  const hash = createHash('sha256');
  const counts: Record<string, number> = {};
  for (const table of ['tickets', 'messages', 'ticket_events', 'customers', 'queues', 'agents', 'queue_members', 'raw_messages', 'rule_shadows', 'shadow_diffs', 'ticket_sla']) {
    const rows = h.services.db.all<Record<string, unknown>>(sql.raw(`select * from ${table} order by rowid`));
    counts[table] = rows.length;
    hash.update(`${table}\0${JSON.stringify(rows)}\0`);
  }
  return { counts, sha256: hash.digest('hex') };
};
