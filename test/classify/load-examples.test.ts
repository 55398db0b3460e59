import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClassifierError } from '../../src/classify/classifier-error.js';
import { detectExamplesFormat, loadExamples, parseExamples } from '../../src/classify/load-examples.js';

const csv = (content: string) => parseExamples({ content, format: 'csv' });
const jsonl = (content: string) => parseExamples({ content, format: 'jsonl' });

describe('parseExamples, CSV', () => {
  it('reads quoted fields with commas, line breaks and doubled quotes', () => {
    const result = csv(
      'text,category\n' +
        '"Hello, I was charged twice",billing\n' +
        '"First line\nsecond line, with comma",shipping\n' +
        '"She said ""where is it?""",shipping\n' +
        'plain text,login\n',
    );
    expect(result.problems).toEqual([]);
    expect(result.examples).toEqual([
      { text: 'Hello, I was charged twice', category: 'billing' },
      { text: 'First line\nsecond line, with comma', category: 'shipping' },
      { text: 'She said "where is it?"', category: 'shipping' },
      { text: 'plain text', category: 'login' },
    ]);
  });

  it('accepts CRLF, a byte-order mark, any column order and case, extra columns, blank lines, no final newline', () => {
    const result = csv('\uFEFFid,Category,TEXT\r\n1,billing,refund please\r\n\r\n2, shipping ,"where, is my parcel"');
    expect(result.problems).toEqual([]);
    expect(result.examples).toEqual([
      { text: 'refund please', category: 'billing' },
      { text: 'where, is my parcel', category: 'shipping' },
    ]);
  });

  it('reports bad rows with the line they start on, and keeps the good ones', () => {
    const result = csv(
      [
        'text,category', // 1
        'ok one,billing', // 2
        'I paid, but nothing,billing', // 3: unquoted comma → 3 fields
        '"multi', // 4: a quoted field spanning lines 4-5
        'line",shipping', // 5
        ',login', // 6: empty text
        'no category,', // 7: empty category
        '"closed"x,login', // 8: junk after closing quote
        'ok two,login', // 9
      ].join('\n'),
    );
    expect(result.examples).toEqual([
      { text: 'ok one', category: 'billing' },
      { text: 'multi\nline', category: 'shipping' },
      { text: 'ok two', category: 'login' },
    ]);
    expect(result.problems.map((p) => p.line)).toEqual([3, 6, 7, 8]);
    expect(result.problems[0].message).toMatch(/expected 2 fields.*found 3/);
    expect(result.problems[1].message).toMatch(/text is empty/);
    expect(result.problems[2].message).toMatch(/category is empty/);
    expect(result.problems[3].message).toMatch(/after a closing quote/);
  });

  it('reports a quoted field left open at the end of the file, at the line where it opened', () => {
    const result = csv('text,category\nfine,billing\n"never closed,billing\nmore,login\n');
    expect(result.examples).toEqual([{ text: 'fine', category: 'billing' }]);
    expect(result.problems).toEqual([{ line: 3, message: expect.stringMatching(/not closed/) }]);
  });

  it('refuses a file without a usable header', () => {
    expect(() => csv('')).toThrow(ClassifierError);
    expect(() => csv('message,label\nhi,billing\n')).toThrow(/"text" and "category"/);
  });
});

describe('parseExamples, JSONL', () => {
  it('reads objects and reports every unusable line with its number', () => {
    const result = jsonl(
      [
        '{"text":"refund please","category":"billing","id":7}', // 1
        '', // 2: blank, skipped
        '{"text":"where is it"', // 3: broken JSON
        '["text","category"]', // 4: not an object
        '{"text":"no category"}', // 5
        '{"text":42,"category":"billing"}', // 6
        '{"text":"locked out","category":" login "}\r', // 7
      ].join('\n'),
    );
    expect(result.examples).toEqual([
      { text: 'refund please', category: 'billing' },
      { text: 'locked out', category: 'login' },
    ]);
    expect(result.problems.map((p) => p.line)).toEqual([3, 4, 5, 6]);
    expect(result.problems[0].message).toMatch(/not valid JSON/);
  });
});

describe('loadExamples', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mailroom-examples-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('picks the format from the extension, else from the content', async () => {
    const csvPath = join(directory, 'examples.csv');
    const jsonlPath = join(directory, 'examples.jsonl');
    const unknownPath = join(directory, 'examples.txt');
    writeFileSync(csvPath, 'text,category\nhello,billing\n');
    writeFileSync(jsonlPath, '{"text":"hello","category":"billing"}\n');
    writeFileSync(unknownPath, '{"text":"hello","category":"billing"}\n');
    expect((await loadExamples({ path: csvPath })).format).toBe('csv');
    expect((await loadExamples({ path: jsonlPath })).format).toBe('jsonl');
    expect((await loadExamples({ path: unknownPath })).examples).toEqual([{ text: 'hello', category: 'billing' }]);
    expect(detectExamplesFormat('x.data', 'text,category\n')).toBe('csv');
  });

  it('says which file cannot be read', async () => {
    await expect(loadExamples({ path: join(directory, 'absent.csv') })).rejects.toThrow(/absent\.csv cannot be read \(ENOENT\)/);
  });
});
