import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../..');
const tsxCli = join(repoRoot, 'node_modules/tsx/dist/cli.mjs');

describe('natural import fence', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mailroom-natural-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('keeps a .env in the working directory out of process.env, and prints nothing', () => {
    writeFileSync(join(directory, '.env'), 'MAILROOM_TEST_LEAK=from-dotenv\nMAILROOM_TEST_KEPT=from-dotenv\n');
    const modulePath = join(repoRoot, 'src/classify/natural.ts');
    const resultPath = join(directory, 'result.json');
    const script = join(directory, 'probe.mts');
    writeFileSync(
      script,
      `const before = Object.keys(process.env).sort().join(',');
const { natural } = await import(${JSON.stringify(modulePath)});
const after = Object.keys(process.env).sort().join(',');
const { writeFileSync } = await import('node:fs');
writeFileSync(${JSON.stringify(resultPath)}, JSON.stringify({
  leak: process.env.MAILROOM_TEST_LEAK ?? null,
  kept: process.env.MAILROOM_TEST_KEPT ?? null,
  quiet: process.env.DOTENV_CONFIG_QUIET ?? null,
  sameKeys: before === after,
  stem: natural.PorterStemmer.stem('charging'),
}));
`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, MAILROOM_TEST_KEPT: 'from-parent' };
    delete env.MAILROOM_TEST_LEAK;
    delete env.DOTENV_CONFIG_QUIET;
    const run = spawnSync(process.execPath, [tsxCli, script], { cwd: directory, env, encoding: 'utf8' });

    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('');
    expect(JSON.parse(readFileSync(resultPath, 'utf8'))).toEqual({
      leak: null,
      kept: 'from-parent',
      quiet: null,
      sameKeys: true,
      stem: 'charg',
    });
  });
});
