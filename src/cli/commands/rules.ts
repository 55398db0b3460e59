/**
 * `mailroom rules check [DIR]` and `mailroom rules lint [DIR]`: validate and lint rule files without
 * starting anything. DIR defaults to `./rules`. `rules test FILE.eml` (rules-test.ts) and
 * `rules backtest --rules DIR` (rules-backtest.ts) decide mail with them, writing nothing.
 *
 * Names rules may refer to:
 * - queues: the default queues (src/routing/default-queues.ts) plus every `--queue NAME`;
 * - templates: file names (up to the first dot) in `--templates DIR` (default `./templates`), plus
 *   every `--template NAME`; when the directory does not exist, template names are not checked;
 * - SLA policies: the `name`s in DIR/sla.yaml (a list of policies, or a mapping with `policies:`), plus
 *   every `--policy NAME`; without sla.yaml, policy names are not checked.
 * What was not checked is said on stderr, so a green check never hides it.
 *
 * Exit codes: 0 fine, 1 errors (check) or warnings (lint), 2 usage.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_QUEUE_NAMES } from '../../routing/default-queues.js';
import { formatLintFinding, lintRules } from '../../rules/lint-rules.js';
import { loadRuleSet } from '../../rules/load-rules.js';
import type { KnownNames } from '../../rules/rule-types.js';
import { formatRuleError } from '../../rules/validate-rules.js';
import type { Command } from '../command.js';

const USAGE = `usage: mailroom rules <check|lint|test|backtest> ...

  check [DIR]              validate every rule file in DIR (default ./rules); errors as file:line:col path: message
  lint [DIR]               validate, then report rules that can never match, are shadowed, or overwrite each other
  test FILE.eml            decide one message file and print the trace (mailroom rules test --help)
  backtest --rules DIR     replay stored mail through DIR and report what would change (mailroom rules backtest --help)

check and lint options:
  --queue NAME       a queue rules may route to, besides the defaults (repeatable)
  --template NAME    an auto-reply template name (repeatable); see also --templates
  --templates DIR    directory of response templates (default ./templates)
  --policy NAME      an SLA policy name (repeatable); see also DIR/sla.yaml
  --verbose          lint: also print informational findings
  --json             machine-readable output
`;

export type CliIo = { out: (line: string) => void; err: (line: string) => void };

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Policy names from an SLA file: a list of `{ name }`, or a mapping with such a `policies:` list. */
const policyNamesFrom = (file: string): string[] | null => {
  if (!existsSync(file)) return null;
  try {
    const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
    const list = Array.isArray(doc) ? doc : doc && typeof doc === 'object' ? (doc as Record<string, unknown>).policies : null;
    if (Array.isArray(list)) return list.flatMap((p) => (p && typeof p === 'object' && typeof (p as { name?: unknown }).name === 'string' ? [(p as { name: string }).name] : []));
    if (list && typeof list === 'object') return Object.keys(list);
    return null;
  } catch {
    return null;
  }
};

const templateNamesFrom = (dir: string): string[] | null => {
  if (!existsSync(dir)) return null;
  return [...new Set(readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name.split('.')[0]))];
};

/** Resolves the names rules may refer to, and notes what cannot be checked. */
export const resolveKnownNames = (options: {
  dir: string; queues: string[]; templates: string[]; policies: string[]; templatesDir: string;
}): { known: KnownNames; notes: string[] } => {
  const notes: string[] = [];
  const templateFiles = templateNamesFrom(options.templatesDir);
  if (templateFiles === null && options.templates.length === 0) notes.push(`note: ${options.templatesDir} not found: auto_reply template names are not checked`);
  const policyFile = path.join(options.dir, 'sla.yaml');
  const policyNames = policyNamesFrom(policyFile);
  if (policyNames === null && options.policies.length === 0) notes.push(`note: no policies read from ${policyFile}: sla policy names are not checked`);
  return {
    known: {
      queues: [...new Set([...DEFAULT_QUEUE_NAMES, ...options.queues])],
      templates: templateFiles === null && options.templates.length === 0 ? null : [...new Set([...(templateFiles ?? []), ...options.templates])],
      policies: policyNames === null && options.policies.length === 0 ? null : [...new Set([...(policyNames ?? []), ...options.policies])],
    },
    notes,
  };
};

/** Runs `rules <sub-command>` with the given output and environment (tests pass their own). */
export const runRulesCommand = async (argv: string[], io: CliIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> => {
  // test and backtest read the installation's configuration (data and rules directories) from `env`.
  if (argv[0] === 'test') return (await import('./rules-test.js')).runRulesTest(argv.slice(1), io, env);
  if (argv[0] === 'backtest') return (await import('./rules-backtest.js')).runRulesBacktest(argv.slice(1), io, env);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        queue: { type: 'string', multiple: true, default: [] },
        template: { type: 'string', multiple: true, default: [] },
        templates: { type: 'string', default: 'templates' },
        policy: { type: 'string', multiple: true, default: [] },
        verbose: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`mailroom rules: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, dirArg, ...extra] = positionals;
  if (values.help || sub === undefined) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  if ((sub !== 'check' && sub !== 'lint') || extra.length > 0) {
    io.err(`mailroom rules: ${extra.length > 0 ? `unexpected argument "${extra[0]}"` : `unknown sub-command "${sub}"`}\n\n${USAGE}`);
    return 2;
  }
  const dir = dirArg ?? 'rules';
  const { known, notes } = resolveKnownNames({ dir, queues: values.queue, templates: values.template, policies: values.policy, templatesDir: values.templates });
  if (!values.json) for (const note of notes) io.err(note);

  const result = await loadRuleSet({ dir, known });
  if (!result.ok) {
    if (values.json) io.out(JSON.stringify({ ok: false, errors: result.errors }, null, 2));
    else {
      for (const error of result.errors) io.out(formatRuleError(error));
      io.err(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${dir}: the rule set was not loaded`);
    }
    return 1;
  }
  const { ruleSet } = result;
  if (sub === 'check') {
    if (values.json) io.out(JSON.stringify({ ok: true, version: ruleSet.version, files: ruleSet.files }, null, 2));
    else io.out(`${dir}: ${ruleSet.files.length} file${ruleSet.files.length === 1 ? '' : 's'}, ${ruleSet.rules.length} rules, no errors (version ${ruleSet.version})`);
    return 0;
  }

  const findings = lintRules({ ruleSet });
  const warnings = findings.filter((f) => f.severity === 'warning');
  const infos = findings.filter((f) => f.severity === 'info');
  if (values.json) {
    io.out(JSON.stringify({ ok: warnings.length === 0, version: ruleSet.version, findings }, null, 2));
  } else {
    for (const f of values.verbose ? findings : warnings) io.out(formatLintFinding(f));
    const hidden = values.verbose || infos.length === 0 ? '' : ` (${infos.length} informational, shown with --verbose)`;
    io.err(`${dir}: ${ruleSet.rules.length} rules, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}${hidden}`);
  }
  return warnings.length > 0 ? 1 : 0;
};

/** The `rules` command for the dispatcher (src/cli/run-cli.ts). */
export const command: Command = {
  name: 'rules',
  summary: 'Rules: check, lint, test FILE.eml, backtest on stored mail',
  run: (argv) => runRulesCommand(argv),
};
