/**
 * Builds a RuleSet from rule files: all of them validate, or the result is the list of errors and no
 * rule set at all (the caller keeps running the rules it had). `compileRuleSet` is the pure core over
 * file contents; `loadRuleSet` adds the reading of a directory or a list of files.
 *
 * Order: files sorted by file name (code-point order, so `10-…` before `20-…`), rules in file order.
 * `sla.yaml` / `sla.yml` in the rules directory hold SLA policies (src/sla/), not rules, and are skipped.
 *
 * For hot reload, the I/O layer watches the directory, calls `loadRuleSet` again, swaps the live set on
 * `ok: true` (compare `ruleSet.version` to skip no-op reloads) and reports `errors` otherwise.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MAX_RULE_FILE_BYTES, MAX_RULES, RULE_EVENTS } from './rule-types.js';
import type { CompiledRule, KnownNames, RuleError, RuleEvent, RuleFileSummary, RuleSet } from './rule-types.js';
import { validateRuleFile } from './validate-rules.js';

/** Files in a rules directory that are not rule files. */
export const EXCLUDED_RULE_FILES: readonly string[] = ['sla.yaml', 'sla.yml'];

/** One rule file's name (as errors and traces should show it) and content. */
export type RuleSource = { file: string; text: string };

export type LoadRuleSetResult = { ok: true; ruleSet: RuleSet } | { ok: false; errors: RuleError[] };

export type CompileRuleSetOptions = { sources: readonly RuleSource[]; known: KnownNames };

const byFileName = (a: RuleSource, b: RuleSource): number => {
  const an = path.basename(a.file);
  const bn = path.basename(b.file);
  if (an !== bn) return an < bn ? -1 : 1;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The version of a set of rule files: a hash of every file's name (without directory) and content, in
 * load order. Equal versions mean the same rules; a shadow run or a promotion compares them.
 */
export const ruleSourcesVersion = (sources: readonly RuleSource[]): string => {
  const version = createHash('sha256');
  for (const source of [...sources].sort(byFileName)) version.update(`${path.basename(source.file)}\0${source.text}\0`);
  return version.digest('hex').slice(0, 16);
};

/**
 * Validates and compiles rule files into one immutable RuleSet. Pure.
 * Every error of every file is reported; any error means no rule set.
 */
export const compileRuleSet = ({ sources, known }: CompileRuleSetOptions): LoadRuleSetResult => {
  const sorted = [...sources].sort(byFileName);
  const errors: RuleError[] = [];
  const rules: CompiledRule[] = [];
  const files: RuleFileSummary[] = [];
  const firstByName = new Map<string, CompiledRule>();
  let nodeCount = 0;

  for (const source of sorted) {
    const result = validateRuleFile({ file: source.file, text: source.text, known });
    if (!result.ok) {
      errors.push(...result.errors);
      continue;
    }
    files.push(Object.freeze({ file: source.file, sha256: sha256(source.text), rules: result.rules.length }));
    for (const validated of result.rules) {
      const rule: CompiledRule = Object.freeze({ ...validated, index: rules.length, nodeOffset: nodeCount });
      const first = firstByName.get(rule.name);
      if (first) {
        errors.push({
          ...rule.location,
          code: 'duplicate_rule_name',
          path: `rules[${result.rules.indexOf(validated)}].name`,
          message: `another rule is already named "${rule.name}" (${first.location.file}:${first.location.line}); rule names must be unique`,
        });
        continue;
      }
      firstByName.set(rule.name, rule);
      rules.push(rule);
      nodeCount += rule.nodeCount;
    }
  }
  if (rules.length > MAX_RULES) {
    errors.push({ file: sorted[sorted.length - 1]?.file ?? '', line: 1, column: 1, code: 'too_many_rules', path: '', message: `${rules.length} rules; the limit is ${MAX_RULES}` });
  }
  if (errors.length > 0) return { ok: false, errors };

  const byEvent = Object.fromEntries(RULE_EVENTS.map((event) => [event, Object.freeze(rules.filter((r) => r.event === event))])) as Record<RuleEvent, readonly CompiledRule[]>;
  const ruleSet: RuleSet = Object.freeze({
    version: ruleSourcesVersion(sorted),
    files: Object.freeze(files),
    rules: Object.freeze(rules),
    byEvent: Object.freeze(byEvent),
    nodeCount,
  });
  return { ok: true, ruleSet };
};

/** An empty rule set: every message goes to the default queue. */
export const EMPTY_RULE_SET: RuleSet = (() => {
  const result = compileRuleSet({ sources: [], known: { queues: null, templates: null, policies: null } });
  if (!result.ok) throw new Error('unreachable: an empty rule set cannot fail');
  return result.ruleSet;
})();

/** The rule files of a directory (`*.yaml`, `*.yml`, not EXCLUDED_RULE_FILES), sorted by name. */
export const listRuleFiles = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name) && !EXCLUDED_RULE_FILES.includes(e.name.toLowerCase()))
    .map((e) => e.name)
    .sort()
    .map((name) => path.join(dir, name));
};

export type LoadRuleSetOptions = ({ dir: string; files?: undefined } | { files: readonly string[]; dir?: undefined }) & { known: KnownNames };

/**
 * Reads the rule files of `dir` (or the given `files`) and compiles them. Unreadable files are errors
 * like any other; nothing is returned as a rule set unless every file is valid.
 */
export const loadRuleSet = async (options: LoadRuleSetOptions): Promise<LoadRuleSetResult> => {
  let files: readonly string[];
  if (options.dir !== undefined) {
    try {
      files = await listRuleFiles(options.dir);
    } catch (error) {
      return { ok: false, errors: [{ file: options.dir, line: 1, column: 1, code: 'file_unreadable', path: '', message: `cannot read the rules directory: ${(error as Error).message}` }] };
    }
  } else {
    files = options.files;
  }
  const sources: RuleSource[] = [];
  const errors: RuleError[] = [];
  for (const file of files) {
    try {
      const info = await stat(file);
      if (info.size > MAX_RULE_FILE_BYTES) {
        errors.push({ file, line: 1, column: 1, code: 'file_unreadable', path: '', message: `the file is ${info.size} bytes; the limit is ${MAX_RULE_FILE_BYTES}` });
        continue;
      }
      sources.push({ file, text: await readFile(file, 'utf8') });
    } catch (error) {
      errors.push({ file, line: 1, column: 1, code: 'file_unreadable', path: '', message: `cannot read the file: ${(error as Error).message}` });
    }
  }
  const compiled = compileRuleSet({ sources, known: options.known });
  if (errors.length > 0) return { ok: false, errors: [...errors, ...(compiled.ok ? [] : compiled.errors)] };
  return compiled;
};
