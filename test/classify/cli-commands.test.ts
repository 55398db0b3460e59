import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runClassifyEvalCommand } from '../../src/cli/commands/classify-eval.js';
import { command as trainCommand, runTrainCommand } from '../../src/cli/commands/train.js';
import { loadModel } from '../../src/classify/persist-model.js';
import { toyExamples, unseenToyTexts } from './toy-examples.js';

const directory = mkdtempSync(join(tmpdir(), 'mailroom-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const capture = () => {
  const io = { stdout: '', stderr: '', out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
};

const quote = (text: string): string => `"${text.replace(/"/g, '""')}"`;
const dataPath = join(directory, 'examples.csv');
writeFileSync(
  dataPath,
  ['text,category', ...toyExamples(20).map((e) => `${quote(e.text)},${e.category}`), 'an, unquoted comma,billing', ''].join('\n'),
);
const testPath = join(directory, 'test.jsonl');
writeFileSync(testPath, unseenToyTexts.map((e) => JSON.stringify(e)).join('\n'));

describe('mailroom train', () => {
  it('is a command named train', () => {
    expect(trainCommand.name).toBe('train');
  });

  it('trains, writes a loadable model, and lists the unusable row with its line', async () => {
    const io = capture();
    const out = join(directory, 'models', 'toy.model');
    expect(await runTrainCommand(['--data', dataPath, '--out', out], io)).toBe(0);
    expect(io.stderr).toMatch(/1 unusable row.*\n.*line 62: expected 2 fields/);
    expect(io.stdout).toMatch(/model clf-[0-9a-f]{16} → .*toy\.model/);
    expect(io.stdout).toMatch(/60 examples, 3 categories/);
    const model = await loadModel({ path: out });
    expect(model.categories).toEqual(['billing', 'login', 'shipping']);
  });

  it('prints JSON with --json', async () => {
    const io = capture();
    const out = join(directory, 'json.model');
    expect(await runTrainCommand(['--data', dataPath, '--out', out, '--json'], io)).toBe(0);
    const result = JSON.parse(io.stdout);
    expect(result).toMatchObject({ trained: true, file: out, examples: 60, unusableRows: 1, categories: 3 });
    expect(result.problems).toEqual([{ line: 62, message: expect.any(String) }]);
  });

  it('exits 1 with the reason when there is nothing to learn', async () => {
    const single = join(directory, 'single.csv');
    writeFileSync(single, 'text,category\nrefund please,billing\nmoney back,billing\n');
    const io = capture();
    expect(await runTrainCommand(['--data', single, '--out', join(directory, 'x.model')], io)).toBe(1);
    expect(io.stderr).toMatch(/same category/);
  });

  it('exits 1 for a file that cannot be read, 2 for bad usage', async () => {
    const io = capture();
    expect(await runTrainCommand(['--data', join(directory, 'absent.csv')], io)).toBe(1);
    expect(io.stderr).toMatch(/absent\.csv cannot be read/);
    expect(await runTrainCommand([], capture())).toBe(2);
    expect(await runTrainCommand(['--data', dataPath, '--format', 'xml'], capture())).toBe(2);
    expect(await runTrainCommand(['--bogus'], capture())).toBe(2);
  });
});

describe('mailroom classify-eval', () => {
  it('cross-validates a file and prints every section', async () => {
    const io = capture();
    expect(await runClassifyEvalCommand(['--data', dataPath, '--folds', '3'], io)).toBe(0);
    for (const section of ['3-fold cross-validation', 'accuracy', 'macro-F1', 'training', 'p50', 'p99', 'calibration', '≥ 0.95', 'most confused', 'precision  recall']) {
      expect(io.stdout).toContain(section);
    }
    expect(io.stderr).toMatch(/line 62/);
  });

  it('trains on one file and tests on another, as JSON', async () => {
    const io = capture();
    expect(await runClassifyEvalCommand(['--train', dataPath, '--test', testPath, '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.method).toBe('train-test');
    expect(report.tested).toBe(3);
    expect(report.accuracy).toBe(1);
    expect(report.calibration).toHaveLength(14);
    expect(report.unusableRows[dataPath]).toHaveLength(1);
  });

  it('refuses contradictory or missing options with usage (exit 2)', async () => {
    for (const argv of [[], ['--train', dataPath], ['--data', dataPath, '--test', testPath], ['--data', dataPath, '--folds', '1']]) {
      const io = capture();
      expect(await runClassifyEvalCommand(argv, io)).toBe(2);
      expect(io.stderr).toMatch(/usage: mailroom classify-eval/);
    }
  });

  it('exits 1 when the data cannot be cross-validated', async () => {
    const tiny = join(directory, 'tiny.csv');
    writeFileSync(tiny, 'text,category\nrefund,billing\nparcel,shipping\n');
    const io = capture();
    expect(await runClassifyEvalCommand(['--data', tiny, '--folds', '5'], io)).toBe(1);
    expect(io.stderr).toMatch(/cannot be split into 5 folds/);
  });
});
