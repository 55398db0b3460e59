/**
 * The `mailroom` command. Each sub-command lives in src/cli/commands/<name>.ts and is loaded only when
 * used (so `mailroom rules check` does not load the classifier, and `serve` does not load the CLI tools).
 */
import { ConfigError } from '../config.js';
import type { Command } from './command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  serve: { summary: 'Start the server (HTTP API, web form, intake worker)', load: () => import('./commands/serve.js') },
  worker: { summary: 'Run intake workers only (needs REDIS_URL)', load: () => import('./commands/worker.js') },
  import: { summary: 'Import an .eml file, a directory, a maildir or an mbox', load: () => import('./commands/import.js') },
  rules: { summary: 'Rules: check, lint, test FILE.eml, backtest on stored mail', load: () => import('./commands/rules.js') },
  train: { summary: 'Train a classifier from a file, or retrain the live one (--live)', load: () => import('./commands/train.js') },
  'classify-eval': { summary: 'Classifier accuracy, macro-F1, calibration, confusions, latency (--folds or --train/--test)', load: () => import('./commands/classify-eval.js') },
  report: { summary: 'Response times per queue, category, agent or channel; backlog by age', load: () => import('./commands/report.js') },
};

/** Modules add their commands here: name → lazy loader. */
export const registerCommand = (name: string, summary: string, load: () => Promise<{ command: Command }>) => {
  COMMANDS[name] = { summary, load };
};

const usage = () => {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`);
  return `usage: mailroom <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
};

export const main = async (argv: string[]): Promise<number> => {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    process.stderr.write(`mailroom: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    const { command } = await entry.load();
    return await command.run(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mailroom: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
};

/** Runs a command line and sets the exit code (a long-running command such as `serve` never resolves). */
export const runCli = (argv: string[]): void => {
  main(argv).then((code) => { process.exitCode = code; }, (err) => {
    process.stderr.write(`mailroom: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
};
