/**
 * Backtest over stored mail, through the API and the CLI, on a history filed by a real Mailroom: the
 * counts, the old→new queue table and the samples are what the candidate rules would change, and
 * nothing in the live tables changes (row counts and a checksum of every row).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRulesCommand } from '../../src/cli/commands/rules.js';
import { databaseFile } from '../../src/db/connection.js';
import { createAssignmentStage } from '../../src/routing/assignment-stage.js';
import { loadRoutingSnapshot } from '../../src/routing/routing-store.js';
import { backtestInParallel } from '../../src/rules/backtest-in-parallel.js';
import { backtestStoredMail } from '../../src/rules/backtest-stored-mail.js';
import { compileRuleSet } from '../../src/rules/load-rules.js';
import { slaDecisionStages } from '../../src/sla/live-sla-config.js';
import { CANDIDATE_RULES, createRulesHarness, liveTablesChecksum, type RulesHarness } from './rules-harness.js';

let r: RulesHarness;
/** ticket id by subject */
const ticketOf = new Map<string, number>();

// Billing assigns round robin: the live stage moves the queue's pointer on every billing message; a
// backtest uses the pure stage over a snapshot and must not.
const CONFIG = `
queues:
  - name: triage
  - name: accounts
  - name: billing
    strategy: round_robin
    members: [anna, ben]
agents:
  - { id: anna, name: Anna }
  - { id: ben, name: Ben }
`;

beforeEach(async () => {
  r = await createRulesHarness({ configYaml: CONFIG });
  ticketOf.clear();
  // Ten days ago: three messages; now: three more.
  for (const subject of ['Invoice 1', 'Refund please', 'Payment failed']) ticketOf.set(subject, await r.file(subject));
  r.h.clock.advance(10 * 86_400_000);
  for (const subject of ['Password lost', 'Urgent: help', 'Hello']) ticketOf.set(subject, await r.file(subject));
});
afterEach(async () => { await r.close(); });

const candidate = { files: [{ name: '10-routing.yaml', content: CANDIDATE_RULES }] };

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
};

describe('POST /api/rules/backtest', () => {
  it('counts what the candidate would change, with the queue table and samples, and writes nothing', async () => {
    const before = liveTablesChecksum(r.h);
    const res = await r.api('POST', '/api/rules/backtest', { ...candidate, samples: 3 });
    expect(res.statusCode, res.body).toBe(200);
    const { candidate: c, report } = res.json();
    expect(c).toMatchObject({ rules: 2, files: ['10-routing.yaml'] });
    expect(report).toMatchObject({
      ruleSetVersion: c.version, total: 6, skipped: 0, since: null, limit: null,
      // Payment failed: queue, category, tags. Password lost: queue, auto-reply. Urgent: priority.
      changed: 3,
      counts: { queue: 2, priority: 1, category: 1, auto_reply: 1, acknowledge: 0, tags: 1, sla: 0 },
      queueTable: [
        { from: 'billing', to: 'billing', count: 2 },
        { from: 'triage', to: 'triage', count: 2 },
        { from: 'triage', to: 'accounts', count: 1 },
        { from: 'triage', to: 'billing', count: 1 },
      ],
    });
    // Newest first: Password lost was filed after Payment failed.
    expect(report.samples.queue).toEqual([
      { messageId: expect.any(Number), ticketId: ticketOf.get('Password lost'), subject: 'Password lost', from: 'triage', to: 'accounts', matched: ['passwords'] },
      { messageId: expect.any(Number), ticketId: ticketOf.get('Payment failed'), subject: 'Payment failed', from: 'triage', to: 'billing', matched: ['billing-words'] },
    ]);
    expect(report.samples.priority).toEqual([expect.objectContaining({ ticketId: ticketOf.get('Urgent: help'), from: 'high', to: 'normal', matched: [] })]);
    expect(report.samples.auto_reply).toEqual([expect.objectContaining({ subject: 'Password lost', from: null, to: 'password-reset' })]);
    expect(report.window.oldest < report.window.newest).toBe(true);
    expect(report.seconds).toBeGreaterThanOrEqual(0);

    expect(liveTablesChecksum(r.h)).toEqual(before);
    // The checksum does see writes: filing one more billing message changes it (ticket, message, pointer).
    await r.file('Invoice 2');
    expect(liveTablesChecksum(r.h).sha256).not.toBe(before.sha256);
  });

  it('replays only the newest N, or only the mail since a duration ago', async () => {
    const limited = (await r.api('POST', '/api/rules/backtest', { ...candidate, limit: 2 })).json().report;
    // Urgent: help and Hello, the two newest
    expect(limited).toMatchObject({ total: 2, limit: 2, changed: 1, counts: { priority: 1, queue: 0 } });
    const recent = (await r.api('POST', '/api/rules/backtest', { ...candidate, since: '5d' })).json().report;
    expect(recent).toMatchObject({ total: 3, changed: 2, counts: { queue: 1, priority: 1, auto_reply: 1, category: 0 } });
    expect(recent.since).toBe(new Date(r.h.clock.now().getTime() - 5 * 86_400_000).toISOString());
    expect((await r.api('POST', '/api/rules/backtest', { ...candidate, since: '30x' })).statusCode).toBe(400);
  });

  it('the live rules on their own history change nothing (no files: the rules directory as it is)', async () => {
    const report = (await r.api('POST', '/api/rules/backtest', {})).json().report;
    expect(report).toMatchObject({ total: 6, changed: 0 });
  });

  it('an invalid candidate: 422 with located errors, nothing replayed', async () => {
    const res = await r.api('POST', '/api/rules/backtest', { files: [{ name: '20-bad.yaml', content: 'rules:\n  - name: x\n    then: { queue: acounts }\n' }] });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'RULES_INVALID', message: expect.stringContaining('nothing was replayed'),
      details: { errors: [{ file: '20-bad.yaml', line: 3, column: 20, field: 'rules[0].then.queue', suggestion: 'accounts' }] },
    });
  });
});

describe('backtestInParallel', () => {
  it('gives the single-threaded report, from worker threads on read-only connections', async () => {
    const { services } = r.h;
    const known = services.decider.known();
    const sources = [{ file: '10-routing.yaml', text: CANDIDATE_RULES }];
    const compiled = compileRuleSet({ sources, known });
    if (!compiled.ok) throw new Error('the candidate does not compile');
    const common = {
      db: services.db, ruleSet: compiled.ruleSet, context: services.decider.context(), sampleLimit: 2,
      stages: { ...slaDecisionStages(services.decider.sla().config), assign: createAssignmentStage(loadRoutingSnapshot(services.db)) },
    };
    const before = liveTablesChecksum(r.h);
    const single = await backtestStoredMail(common);
    // This thread only hands out chunks, so the workers do every one (it would otherwise finish six messages before they start).
    const parallel = await backtestInParallel({
      ...common, threads: 2, chunkSize: 1, minParallel: 0, localChunks: false,
      workers: { dbFile: databaseFile(services.config.dataDir), sources, known, slaDir: r.rulesDir, slaVersion: services.decider.sla().version, assignment: true },
    });
    expect(parallel.notes).toEqual([]);
    expect([1, 2]).toContain(parallel.threads); // whichever workers started first took the chunks
    const { seconds: _s1, messagesPerSecond: _m1, ...expected } = single;
    const { seconds: _s2, messagesPerSecond: _m2, threads: _t, notes: _n, ...got } = parallel;
    expect(got).toEqual(expected);
    // With `limit`, the same newest messages.
    const limited = await backtestInParallel({
      ...common, limit: 4, threads: 2, chunkSize: 1, minParallel: 0, localChunks: false,
      workers: { dbFile: databaseFile(services.config.dataDir), sources, known, slaDir: r.rulesDir, slaVersion: services.decider.sla().version, assignment: true },
    });
    const { seconds: _s3, messagesPerSecond: _m3, threads: _t3, notes: _n3, ...gotLimited } = limited;
    const { seconds: _s4, messagesPerSecond: _m4, ...expectedLimited } = await backtestStoredMail({ ...common, limit: 4 });
    expect(gotLimited).toEqual(expectedLimited);
    expect(liveTablesChecksum(r.h)).toEqual(before);
  });

  it('a worker that cannot decide as this thread does refuses, and this thread does its share', async () => {
    const { services } = r.h;
    const known = services.decider.known();
    const sources = [{ file: '10-routing.yaml', text: CANDIDATE_RULES }];
    const compiled = compileRuleSet({ sources, known });
    if (!compiled.ok) throw new Error('the candidate does not compile');
    const report = await backtestInParallel({
      db: services.db, ruleSet: compiled.ruleSet, context: services.decider.context(), stages: slaDecisionStages(services.decider.sla().config),
      threads: 1, chunkSize: 1, minParallel: 0, localChunks: false,
      workers: { dbFile: databaseFile(services.config.dataDir), sources, known, slaDir: r.rulesDir, slaVersion: 'not-this-one', assignment: false },
    });
    expect(report).toMatchObject({ total: 6, changed: 3, threads: 1 });
    expect(report.notes).toEqual([expect.stringMatching(/^worker 1 refused: the SLA configuration here is builtin/)]);
  });
});

describe('mailroom rules backtest', () => {
  it('gives the same report as the API, from a read-only database, as JSON and as text', async () => {
    const dir = path.join(r.dir, 'candidate');
    mkdirSync(dir);
    writeFileSync(path.join(dir, '10-routing.yaml'), CANDIDATE_RULES);
    const env = { MAILROOM_DATA_DIR: r.h.config.dataDir, MAILROOM_RULES_DIR: r.rulesDir, MAILROOM_TEMPLATES_DIR: path.join(r.dir, 'templates') };
    const before = liveTablesChecksum(r.h);

    const json = capture();
    expect(await runRulesCommand(['backtest', '--rules', dir, '--json'], json.io, env)).toBe(0);
    const { report } = JSON.parse(json.out.join('\n'));
    const api = (await r.api('POST', '/api/rules/backtest', candidate)).json().report;
    for (const key of ['total', 'changed', 'counts', 'queueTable', 'ruleSetVersion'] as const) expect(report[key], key).toEqual(api[key]);

    const text = capture();
    expect(await runRulesCommand(['backtest', '--rules', dir, '--limit', '10'], text.io, env)).toBe(0);
    expect(text.out[0]).toMatch(/^backtest of .*candidate \(version [0-9a-f]{16}, 2 rules\) on 6 stored messages \(limit 10\)/);
    expect(text.out).toContain('would change: 3 of 6 messages');
    expect(text.out).toContain('  queue                   2');
    expect(text.out).toEqual(expect.arrayContaining([expect.stringMatching(/^ {2}triage +→ accounts +1 {2}\*$/)]));
    expect(text.out).toEqual(expect.arrayContaining([expect.stringMatching(/^ {2}ticket \d+ message \d+ "Password lost": triage → accounts \(rules: passwords\)$/)]));

    expect(liveTablesChecksum(r.h)).toEqual(before);
  });

  it('invalid rules exit 1 with file:line:col; bad options exit 2; no database exits 1', async () => {
    const dir = path.join(r.dir, 'bad');
    mkdirSync(dir);
    writeFileSync(path.join(dir, '10-a.yaml'), 'rules:\n  - name: x\n    then: { queue: acounts }\n');
    const env = { MAILROOM_DATA_DIR: r.h.config.dataDir, MAILROOM_RULES_DIR: r.rulesDir };
    const bad = capture();
    expect(await runRulesCommand(['backtest', '--rules', dir], bad.io, env)).toBe(1);
    expect(bad.out[0]).toMatch(/10-a\.yaml:3:20 rules\[0\]\.then\.queue: unknown queue "acounts"; did you mean "accounts"\?/);
    expect(await runRulesCommand(['backtest'], capture().io, env)).toBe(2);
    expect(await runRulesCommand(['backtest', '--rules', dir, '--since', 'soon'], capture().io, env)).toBe(2);
    const none = capture();
    expect(await runRulesCommand(['backtest', '--rules', r.rulesDir], none.io, { MAILROOM_DATA_DIR: path.join(r.dir, 'nowhere') })).toBe(1);
    expect(none.err.at(-1)).toMatch(/no database yet/);
  });
});
