import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileRuleSet, listRuleFiles, loadRuleSet } from '../../src/rules/load-rules.js';
import { formatRuleError } from '../../src/rules/validate-rules.js';
import { errorsFrom, KNOWN, rulesFrom } from './fixtures.js';

const GOOD = `rules:
  - name: billing
    when:
      subject: { contains: invoice }
    then:
      queue: billing
`;

describe('located errors with did-you-mean', () => {
  it('unknown field: at the key, with a suggestion', () => {
    const errors = errorsFrom(`rules:
  - name: billing
    when:
      subjet: { contains: invoice }
    then:
      queue: billing
`);
    expect(errors).toEqual([{
      file: 'rules/bad.yaml', line: 4, column: 7, code: 'unknown_field', path: 'rules[0].when.subjet',
      message: 'unknown field "subjet"; did you mean "subject"?', suggestion: 'subject',
    }]);
    expect(formatRuleError(errors[0])).toBe('rules/bad.yaml:4:7 rules[0].when.subjet: unknown field "subjet"; did you mean "subject"?');
  });

  it('unknown field spelled with another separator, or a bare suffix', () => {
    const errors = errorsFrom(`rules:
  - name: a
    when: { from_domain: example.com }
    then: { queue: billing }
  - name: b
    when: { tier: vip }
    then: { queue: vip }
  - name: c
    when: { headers.X-Priority: { exists: true } }
    then: { queue: vip }
`);
    expect(errors.map((e) => [e.line, e.column, e.suggestion])).toEqual([[3, 13, 'from.domain'], [6, 13, 'customer.tier'], [9, 13, 'header.X-Priority']]);
  });

  it('unknown operator: at the operator, with a suggestion', () => {
    const errors = errorsFrom(`rules:
  - name: billing
    when:
      subject: { contians: invoice }
    then:
      queue: billing
`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 4, column: 18, code: 'unknown_operator', path: 'rules[0].when.subject.contians', suggestion: 'contains' });
    expect(errors[0].message).toBe('unknown operator "contians" for subject; did you mean "contains"?');
  });

  it('unknown keys in a rule, in then, and at the top of the file', () => {
    const errors = errorsFrom(`rule:
  - name: x
rules:
  - name: billing
    wehn:
      subject: { contains: invoice }
    then:
      queu: billing
      stpo: true
`);
    expect(errors.map((e) => [e.line, e.column, e.code, e.path, e.suggestion])).toEqual([
      [1, 1, 'unknown_key', 'rule', 'rules'],
      [5, 5, 'unknown_key', 'rules[0].wehn', 'when'],
      [8, 7, 'unknown_key', 'rules[0].then.queu', 'queue'],
      [9, 7, 'unknown_key', 'rules[0].then.stpo', 'stop'],
    ]);
    expect(errors[1].message).toBe('unknown key "wehn" in the rule; did you mean "when"?');
    expect(errors[2].message).toBe('unknown key "queu" in then; did you mean "queue"?');
  });

  it('invalid enum value: at the value, with a suggestion', () => {
    const errors = errorsFrom(`rules:
  - name: urgent
    when: { subject: { contains: urgent } }
    then:
      priority: hgh
`);
    expect(errors).toEqual([{
      file: 'rules/bad.yaml', line: 5, column: 17, code: 'invalid_value', path: 'rules[0].then.priority',
      message: 'priority must be one of low, normal, high, urgent, raise, not text "hgh"; did you mean "high"?', suggestion: 'high',
    }]);
  });

  it('missing keys name the rule and what is expected', () => {
    const errors = errorsFrom(`rules:
  - when: { subject: { contains: urgent } }
    then: { priority: high }
  - name: no-then
    when: { subject: { contains: x } }
`);
    expect(errors.map((e) => [e.line, e.column, e.code, e.path])).toEqual([
      [2, 5, 'missing_key', 'rules[0].name'],
      [4, 5, 'missing_key', 'rules[1].then'],
    ]);
    expect(errors[0].message).toBe('missing "name" in the rule; it must be non-empty text');
  });

  it('wrong value types', () => {
    const errors = errorsFrom(`rules:
  - name: t
    enabled: yes
    then:
      tags: [ok, 3]
      acknowledge: "false"
      auto_reply: true
`);
    expect(errors.map((e) => [e.line, e.column, e.path, e.message])).toEqual([
      [3, 14, 'rules[0].enabled', 'enabled must be true or false, not text "yes"'],
      [5, 18, 'rules[0].then.tags[1]', 'each of tags must be non-empty text, not number 3'],
      [6, 20, 'rules[0].then.acknowledge', 'acknowledge must be true or false, not text "false"'],
      [7, 19, 'rules[0].then.auto_reply', 'auto_reply must be a template name, or false for no auto-reply, not boolean true'],
    ]);
  });

  it('reports every error of a rule in one pass', () => {
    const errors = errorsFrom('rules:\n  - name: x\n    when: { subjet: { contians: refund } }\n    then: { queue: biling, priority: hgh }\n');
    expect(errors.map((e) => [e.line, e.column, e.code])).toEqual([[3, 13, 'unknown_field'], [4, 20, 'unknown_queue'], [4, 38, 'invalid_value']]);
  });

  it('empty values, also inside lists', () => {
    const errors = errorsFrom('rules:\n  - name: ""\n    then: { tags: [ok, ""] }\n');
    expect(errors.map((e) => [e.line, e.column, e.path, e.message])).toEqual([
      [2, 11, 'rules[0].name', 'name must not be empty'],
      [3, 24, 'rules[0].then.tags[1]', 'tags[1] must not be empty'],
    ]);
  });

  it('YAML syntax errors carry the position and a hint', () => {
    const errors = errorsFrom(`rules:
  - name: x
    description: Target missed: urgent
    then: { queue: billing }
`);
    expect(errors[0]).toMatchObject({ code: 'yaml_syntax', line: 3, column: 18 });
    expect(errors[0].message).toContain('text that contains ": " must be in quotes');
    const dup = errorsFrom('rules:\n  - name: x\n    name: y\n    then: { queue: billing }\n');
    expect(dup[0]).toMatchObject({ code: 'yaml_syntax', line: 3, column: 5 });
    expect(dup[0].message).toContain('Map keys must be unique');
  });

  it('structural condition errors', () => {
    const errors = errorsFrom(`rules:
  - name: a
    when: { any: [] }
    then: { queue: billing }
  - name: b
    when: { not: [ { subject: x } ] }
    then: { queue: billing }
  - name: c
    when:
      subject:
    then: { queue: billing }
  - name: d
    when: { subject: { case_sensitive: true } }
    then: { queue: billing }
  - name: e
    when: { attachments.count: { gte: 1, case_sensitive: true } }
    then: { queue: billing }
`);
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'invalid_condition'], [6, 'invalid_condition'], [10, 'invalid_condition'], [13, 'invalid_condition'], [16, 'invalid_condition'],
    ]);
    expect(errors[1].message).toContain('not takes one condition');
    expect(errors[2].message).toBe('subject needs an operator, e.g. subject: { contains: refund }');
  });

  it('sla fields only in sla rules; actions limited in sla rules', () => {
    const errors = errorsFrom(`rules:
  - name: a
    when: { sla.clock: first_response }
    then: { queue: billing }
  - name: b
    on: sla.breach
    then: { auto_reply: acknowledgement, priority: urgent }
`);
    expect(errors.map((e) => [e.line, e.column, e.code])).toEqual([[3, 13, 'invalid_condition'], [7, 13, 'action_not_allowed']]);
    expect(errors[1].message).toBe('auto_reply is not available in on: sla.breach rules; use priority, queue, tags, webhook, stop');
  });

  it('webhook URLs must be http(s)', () => {
    const errors = errorsFrom(`rules:
  - name: a
    then: { webhook: [https://ok.example/hook, "ftp://nope.example/"] }
`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: "rules[0].then.webhook[1]", line: 3, column: 48 });
  });
});

describe('references to queues, templates and policies', () => {
  it('an unknown queue is an error with the known ones listed', () => {
    const errors = errorsFrom('rules:\n  - name: a\n    then: { queue: biling }\n');
    expect(errors).toEqual([{
      file: 'rules/bad.yaml', line: 3, column: 20, code: 'unknown_queue', path: 'rules[0].then.queue', suggestion: 'billing',
      message: 'unknown queue "biling"; did you mean "billing"? (known queues: triage, billing, technical, accounts, vip)',
    }]);
  });

  it('unknown templates and policies', () => {
    const errors = errorsFrom('rules:\n  - name: a\n    then: { auto_reply: pasword-reset, sla: premium }\n');
    expect(errors.map((e) => [e.column, e.code, e.suggestion])).toEqual([[25, 'unknown_template', 'password-reset'], [45, 'unknown_policy', undefined]]);
    expect(errors[1].message).toBe('unknown SLA policy "premium" (known SLA policies: standard, vip)');
  });

  it('a null list means "not checked"', () => {
    expect(() => rulesFrom('rules:\n  - name: a\n    then: { queue: anything, sla: whatever }\n', 'r.yaml', { queues: null, templates: null, policies: null })).not.toThrow();
  });
});

describe('rule sets are all or nothing', () => {
  it('one broken file means no rule set, and errors from every file', () => {
    const result = compileRuleSet({
      sources: [
        { file: 'rules/10-good.yaml', text: GOOD },
        { file: 'rules/20-bad.yaml', text: 'rules:\n  - name: x\n    then: { queue: nowhere }\n' },
        { file: 'rules/30-bad.yaml', text: 'rules:\n  - name: y\n    when: { subjcet: x }\n    then: { queue: billing }\n' },
      ],
      known: KNOWN,
    });
    expect(result.ok).toBe(false);
    expect('ruleSet' in result).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.file)).toEqual(['rules/20-bad.yaml', 'rules/30-bad.yaml']);
  });

  it('one broken rule in a file means no rules from it', () => {
    const errors = errorsFrom(`${GOOD}  - name: second
    then: { priority: hihg }
`);
    expect(errors).toHaveLength(1);
  });

  it('duplicate rule names across files', () => {
    const result = compileRuleSet({
      sources: [{ file: 'rules/20-b.yaml', text: GOOD }, { file: 'rules/10-a.yaml', text: GOOD }],
      known: KNOWN,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ file: 'rules/20-b.yaml', line: 2, code: 'duplicate_rule_name' });
      expect(result.errors[0].message).toContain('rules/10-a.yaml:2');
    }
  });

  it('the rule set is frozen and versioned by content', () => {
    const a = rulesFrom(GOOD);
    const b = rulesFrom(GOOD);
    const c = rulesFrom(GOOD.replace('invoice', 'receipt'));
    expect(a.version).toBe(b.version);
    expect(a.version).not.toBe(c.version);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.rules)).toBe(true);
    expect(Object.isFrozen(a.rules[0])).toBe(true);
    expect(Object.isFrozen(a.rules[0].actions)).toBe(true);
  });

  it('files run in file-name order whatever order they are given in', () => {
    const result = compileRuleSet({
      sources: [
        { file: 'x/20-late.yaml', text: 'rules:\n  - name: late\n    then: { tags: [b] }\n' },
        { file: 'x/10-early.yaml', text: 'rules:\n  - name: early\n    then: { tags: [a] }\n' },
      ],
      known: KNOWN,
    });
    expect(result.ok && result.ruleSet.rules.map((r) => [r.name, r.index])).toEqual([['early', 0], ['late', 1]]);
  });

  it('an empty file is an empty rule list; a file that is not a mapping is an error', () => {
    expect(rulesFrom('# nothing yet\n').rules).toHaveLength(0);
    expect(errorsFrom('- name: x\n')[0].message).toContain('a rule file is a mapping with a rules: list');
  });
});

describe('loadRuleSet from disk', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'mailroom-rules-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('reads *.yaml and *.yml in name order and skips sla.yaml', async () => {
    writeFileSync(path.join(dir, '20-b.yml'), 'rules:\n  - name: b\n    then: { tags: [b] }\n');
    writeFileSync(path.join(dir, '10-a.yaml'), 'rules:\n  - name: a\n    then: { tags: [a] }\n');
    writeFileSync(path.join(dir, 'sla.yaml'), 'policies: [this is not a rule file]\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'not yaml');
    expect((await listRuleFiles(dir)).map((f) => path.basename(f))).toEqual(['10-a.yaml', '20-b.yml']);
    const result = await loadRuleSet({ dir, known: KNOWN });
    expect(result.ok && result.ruleSet.rules.map((r) => r.name)).toEqual(['a', 'b']);
    expect(result.ok && result.ruleSet.rules[0].location.file).toBe(path.join(dir, '10-a.yaml'));
  });

  it('a missing directory or file is an error, not an empty rule set', async () => {
    const missing = await loadRuleSet({ dir: path.join(dir, 'nope'), known: KNOWN });
    expect(missing.ok).toBe(false);
    const file = await loadRuleSet({ files: [path.join(dir, 'nope.yaml')], known: KNOWN });
    expect(file.ok === false && file.errors[0].code).toBe('file_unreadable');
  });
});
