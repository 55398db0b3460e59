/**
 * Candidate rule sets: rule files that are not (yet) the live ones, to validate, backtest, shadow or
 * promote. They come from the API as `{ files: [{ name, content }] }` or from a directory (the CLI's
 * `--rules DIR`), and compile with the same `compileRuleSet` as the live rules, against the same names.
 *
 * From the API a candidate is, by default, the live rules directory with the given files added or
 * replaced (matched by file name): editing one file means sending that one file. With `replace: true`
 * the given files are the whole set.
 *
 * In a candidate, files are named by their base name (`10-routing.yaml`), which is also what the rule
 * set's version hashes, so a candidate identical to the rules directory has the live version.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { compileRuleSet, EXCLUDED_RULE_FILES, listRuleFiles, ruleSourcesVersion, type LoadRuleSetResult } from './load-rules.js';
import { MAX_RULE_FILE_BYTES } from './rule-types.js';
import type { KnownNames, RuleError } from './rule-types.js';

/** One rule file as text. */
export type RuleFileText = { name: string; content: string };

/** A rule file name a candidate may use: a plain file name ending in .yaml or .yml, no directories. */
export const RULE_FILE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\\.ya?ml$';
const RULE_FILE_NAME = new RegExp(RULE_FILE_NAME_PATTERN);

/** Most files one candidate may hold. */
export const MAX_CANDIDATE_FILES = 200;

/** Why a name cannot be a rule file in the rules directory, or null when it can. */
export const ruleFileNameIssue = (name: string): string | null => {
  if (!RULE_FILE_NAME.test(name)) return `"${name}" is not a rule file name: letters, digits, '.', '-' and '_', ending in .yaml or .yml, no directories`;
  if (EXCLUDED_RULE_FILES.includes(name.toLowerCase())) return `"${name}" holds the SLA configuration, not rules`;
  return null;
};

/**
 * The rule files of a directory as text, named by base name. Files that cannot be read (or are over
 * MAX_RULE_FILE_BYTES) are errors, located like every other rule error.
 */
export const readRuleFiles = async (dir: string): Promise<{ files: RuleFileText[]; errors: RuleError[] }> => {
  let paths: string[];
  try {
    paths = await listRuleFiles(dir);
  } catch (error) {
    return { files: [], errors: [{ file: dir, line: 1, column: 1, code: 'file_unreadable', path: '', message: `cannot read the rules directory: ${(error as Error).message}` }] };
  }
  const files: RuleFileText[] = [];
  const errors: RuleError[] = [];
  for (const file of paths) {
    try {
      const info = await stat(file);
      if (info.size > MAX_RULE_FILE_BYTES) {
        errors.push({ file, line: 1, column: 1, code: 'file_unreadable', path: '', message: `the file is ${info.size} bytes; the limit is ${MAX_RULE_FILE_BYTES}` });
        continue;
      }
      files.push({ name: path.basename(file), content: await readFile(file, 'utf8') });
    } catch (error) {
      errors.push({ file, line: 1, column: 1, code: 'file_unreadable', path: '', message: `cannot read the file: ${(error as Error).message}` });
    }
  }
  return { files, errors };
};

/** `base` with `files` added or replacing the same-named ones; `replace`: `files` alone. Sorted by name. */
export const mergeRuleFiles = ({ base, files, replace = false }: { base: readonly RuleFileText[]; files: readonly RuleFileText[]; replace?: boolean }): RuleFileText[] => {
  const byName = new Map<string, RuleFileText>(replace ? [] : base.map((f) => [f.name, f]));
  for (const file of files) byName.set(file.name, file);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
};

/** Compiles candidate files (all valid, or every error). Pure. */
export const compileRuleFiles = ({ files, known }: { files: readonly RuleFileText[]; known: KnownNames }): LoadRuleSetResult =>
  compileRuleSet({ sources: files.map((f) => ({ file: f.name, text: f.content })), known });

/** The version a rule set compiled from these files has. */
export const ruleFilesVersion = (files: readonly RuleFileText[]): string =>
  ruleSourcesVersion(files.map((f) => ({ file: f.name, text: f.content })));

export type ResolveCandidateOptions = {
  /** the live rules directory (the base of an overlay) */
  rulesDir: string;
  files: readonly RuleFileText[];
  replace?: boolean;
  known: KnownNames;
};

export type ResolvedCandidate =
  | { ok: true; files: RuleFileText[]; ruleSet: Extract<LoadRuleSetResult, { ok: true }>['ruleSet']; baseVersion: string }
  | { ok: false; errors: RuleError[] };

/**
 * The complete candidate the API means: the rules directory overlaid with `files` (or `files` alone),
 * compiled. `baseVersion` is the directory's version, for promotion to notice later edits.
 */
export const resolveCandidate = async ({ rulesDir, files, replace = false, known }: ResolveCandidateOptions): Promise<ResolvedCandidate> => {
  const base = await readRuleFilesIfAny(rulesDir);
  if (base.errors.length > 0 && !replace) return { ok: false, errors: base.errors };
  const merged = mergeRuleFiles({ base: base.files, files, replace });
  const compiled = compileRuleFiles({ files: merged, known });
  if (!compiled.ok) return compiled;
  return { ok: true, files: merged, ruleSet: compiled.ruleSet, baseVersion: ruleFilesVersion(base.files) };
};

/** Like readRuleFiles, but a missing directory is an empty set (a fresh install has no rules yet). */
export const readRuleFilesIfAny = async (dir: string): Promise<{ files: RuleFileText[]; errors: RuleError[] }> => {
  try {
    await stat(dir);
  } catch {
    return { files: [], errors: [] };
  }
  return readRuleFiles(dir);
};
