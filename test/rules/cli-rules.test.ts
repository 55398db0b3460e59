import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { command, runRulesCommand } from '../../src/cli/commands/rules.js';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
};

describe('mailroom rules', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'mailroom-cli-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('check: exit 0 and a summary for valid rules', async () => {
    writeFileSync(path.join(dir, '10-a.yaml'), 'rules:\n  - name: a\n    when: { subject: { contains: invoice } }\n    then: { queue: billing }\n');
    const { io, out } = capture();
    expect(await runRulesCommand(['check', dir, '--templates', path.join(dir, 'none')], io)).toBe(0);
    expect(out[0]).toMatch(new RegExp(`^${dir}: 1 file, 1 rules, no errors \\(version [0-9a-f]{16}\\)$`));
  });

  it('check: exit 1 with file:line:col path: message, and the notes of what was not checked', async () => {
    writeFileSync(path.join(dir, '10-a.yaml'), 'rules:\n  - name: a\n    when: { subjet: { contains: invoice } }\n    then: { queue: biling, auto_reply: welcome }\n');
    const { io, out, err } = capture();
    expect(await runRulesCommand(['check', dir, '--templates', path.join(dir, 'none')], io)).toBe(1);
    const file = path.join(dir, '10-a.yaml');
    expect(out).toEqual([
      `${file}:3:13 rules[0].when.subjet: unknown field "subjet"; did you mean "subject"?`,
      `${file}:4:20 rules[0].then.queue: unknown queue "biling"; did you mean "billing"? (known queues: triage, billing, technical, accounts, vip)`,
    ]);
    expect(err).toContain(`note: ${path.join(dir, 'none')} not found: auto_reply template names are not checked`);
    expect(err.at(-1)).toBe(`2 errors in ${dir}: the rule set was not loaded`);
  });

  it('check: --queue, --template and sla.yaml policies extend the known names', async () => {
    mkdirSync(path.join(dir, 'templates'));
    writeFileSync(path.join(dir, 'templates', 'welcome.liquid'), 'Hello');
    const rules = path.join(dir, 'rules');
    mkdirSync(rules);
    writeFileSync(path.join(rules, 'sla.yaml'), 'policies:\n  - name: gold\n    targets: {}\n');
    writeFileSync(path.join(rules, '10-a.yaml'), 'rules:\n  - name: a\n    then: { queue: escalations, auto_reply: welcome, sla: gold }\n');
    const { io, err } = capture();
    expect(await runRulesCommand(['check', rules, '--queue', 'escalations', '--templates', path.join(dir, 'templates')], io)).toBe(0);
    expect(err).toEqual([]);
    const bad = capture();
    expect(await runRulesCommand(['check', rules, '--templates', path.join(dir, 'templates')], bad.io)).toBe(1);
  });

  it('lint: warnings exit 1; infos only with --verbose', async () => {
    writeFileSync(path.join(dir, '10-a.yaml'), `rules:
  - name: all-invoices
    when: { subject: { contains: invoice } }
    then: { queue: billing, stop: true }
  - name: overdue
    when: { subject: { contains: overdue invoice } }
    then: { priority: high }
  - name: vip
    when: { customer.tier: vip }
    then: { queue: vip }
  - name: forms
    when: { channel: form }
    then: { queue: accounts }
`);
    const quiet = capture();
    expect(await runRulesCommand(['lint', dir], quiet.io)).toBe(1);
    expect(quiet.out).toEqual([`${path.join(dir, '10-a.yaml')}:5:5 warning shadowed_by_stop: rule "overdue" never runs: "all-invoices" (${path.join(dir, '10-a.yaml')}:2) matches every message it matches and says stop`]);
    expect(quiet.err.at(-1)).toBe(`${dir}: 4 rules, 1 warning (1 informational, shown with --verbose)`);
    const verbose = capture();
    await runRulesCommand(['lint', dir, '--verbose'], verbose.io);
    expect(verbose.out).toHaveLength(2);
    const json = capture();
    await runRulesCommand(['lint', dir, '--json'], json.io);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({ ok: false, findings: [{ code: 'shadowed_by_stop' }, { code: 'action_may_be_overridden' }] });
  });

  it('lint on the default rules: no warnings', async () => {
    const { io } = capture();
    expect(await runRulesCommand(['lint', 'rules'], io)).toBe(0);
  });

  it('usage errors exit 2', async () => {
    expect(await runRulesCommand([], capture().io)).toBe(2);
    expect(await runRulesCommand(['frobnicate'], capture().io)).toBe(2);
    expect(await runRulesCommand(['check', 'a', 'b'], capture().io)).toBe(2);
    expect(await runRulesCommand(['check', '--nope'], capture().io)).toBe(2);
    expect(await runRulesCommand(['--help'], capture().io)).toBe(0);
    expect(command.name).toBe('rules');
  });
});
