/**
 * Reads labeled examples from CSV or JSONL. Every row that cannot be used is reported with its line
 * number and the reason; none is dropped silently, and none is guessed at.
 *
 * CSV (RFC 4180): a header row naming the columns `text` and `category` (any order, any case, other
 * columns ignored); fields separated by commas; a field in double quotes may contain commas, line
 * breaks and doubled quotes (`""`); CRLF or LF line ends; a UTF-8 byte-order mark is ignored. A row
 * with a different number of fields than the header is reported, not repaired: an unquoted comma in
 * a text would otherwise silently shift the category. Blank lines are skipped.
 *
 * JSONL: one JSON object per line with string fields `text` and `category`; blank lines are skipped.
 *
 * Line numbers are 1-based and point at the line where the row starts (a quoted CSV field may span
 * several lines).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { ClassifierError } from './classifier-error.js';
import type { LabeledExample } from './labeled-example.js';

export type ExamplesFormat = 'csv' | 'jsonl';

/** A row that was not used, and why. */
export type ExampleProblem = { line: number; message: string };

export type ParsedExamples = {
  format: ExamplesFormat;
  examples: LabeledExample[];
  problems: ExampleProblem[];
};

export type ParseExamplesOptions = { content: string; format: ExamplesFormat };
export type LoadExamplesOptions = { path: string; format?: ExamplesFormat };

const badFile = (message: string): ClassifierError =>
  new ClassifierError('CLASSIFIER_BAD_EXAMPLES_FILE', message, `The examples file cannot be used: ${message}.`);

type CsvRecord = { line: number; fields: string[] };

// A small state machine over characters; returns records and the problems it found on the way.
const parseCsvRecords = (content: string): { records: CsvRecord[]; problems: ExampleProblem[] } => {
  const records: CsvRecord[] = [];
  const problems: ExampleProblem[] = [];
  let line = 1;
  let i = 0;
  const length = content.length;
  while (i < length) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let problem: string | null = null;
    let endOfRecord = false;
    while (!endOfRecord) {
      if (i < length && content[i] === '"') {
        // Quoted field.
        i++;
        let closed = false;
        while (i < length) {
          const ch = content[i];
          if (ch === '"') {
            if (content[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
        if (!closed) {
          problem = 'a quoted field is not closed before the end of the file';
          endOfRecord = true;
          fields.push(field);
          break;
        }
        // After a closing quote only a separator or a line end may follow.
        if (i < length && content[i] !== ',' && content[i] !== '\n' && content[i] !== '\r') {
          problem ??= `unexpected character ${JSON.stringify(content[i])} after a closing quote`;
          while (i < length && content[i] !== ',' && content[i] !== '\n' && content[i] !== '\r') field += content[i++];
        }
      } else {
        while (i < length && content[i] !== ',' && content[i] !== '\n' && content[i] !== '\r') field += content[i++];
      }
      fields.push(field);
      field = '';
      if (i >= length) {
        endOfRecord = true;
      } else if (content[i] === ',') {
        i++;
      } else {
        if (content[i] === '\r' && content[i + 1] === '\n') i++;
        i++;
        line++;
        endOfRecord = true;
      }
    }
    if (problem !== null) {
      problems.push({ line: startLine, message: problem });
      continue;
    }
    const blank = fields.length === 1 && fields[0].trim() === '';
    if (!blank) records.push({ line: startLine, fields });
  }
  return { records, problems };
};

const parseCsv = (content: string): ParsedExamples => {
  const { records, problems } = parseCsvRecords(content);
  const examples: LabeledExample[] = [];
  const header = records[0];
  if (!header) throw badFile('the CSV file has no header row');
  const names = header.fields.map((name) => name.trim().toLowerCase());
  const textColumn = names.indexOf('text');
  const categoryColumn = names.indexOf('category');
  if (textColumn === -1 || categoryColumn === -1) {
    throw badFile(`the CSV header on line ${header.line} must name the columns "text" and "category" (found: ${names.join(', ')})`);
  }
  for (const record of records.slice(1)) {
    if (record.fields.length !== names.length) {
      problems.push({
        line: record.line,
        message: `expected ${names.length} fields as in the header, found ${record.fields.length} (is a comma in a text not quoted?)`,
      });
      continue;
    }
    const problem = checkExample(record.fields[textColumn], record.fields[categoryColumn]);
    if (problem) problems.push({ line: record.line, message: problem });
    else examples.push({ text: record.fields[textColumn], category: record.fields[categoryColumn].trim() });
  }
  problems.sort((a, b) => a.line - b.line);
  return { format: 'csv', examples, problems };
};

const checkExample = (text: unknown, category: unknown): string | null => {
  if (typeof text !== 'string') return '"text" is missing or not a string';
  if (typeof category !== 'string') return '"category" is missing or not a string';
  if (text.trim() === '') return 'the text is empty';
  if (category.trim() === '') return 'the category is empty';
  return null;
};

const parseJsonl = (content: string): ParsedExamples => {
  const examples: LabeledExample[] = [];
  const problems: ExampleProblem[] = [];
  content.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      problems.push({ line, message: `not valid JSON (${(error as Error).message})` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ line, message: 'not a JSON object with "text" and "category"' });
      return;
    }
    const { text, category } = value as { text?: unknown; category?: unknown };
    const problem = checkExample(text, category);
    if (problem) problems.push({ line, message: problem });
    else examples.push({ text: text as string, category: (category as string).trim() });
  });
  return { format: 'jsonl', examples, problems };
};

/**
 * Parses examples from the content of a CSV or JSONL file.
 *
 * @returns the usable examples and, for every unusable row, its line and the reason.
 * @throws ClassifierError `CLASSIFIER_BAD_EXAMPLES_FILE` when a CSV file has no usable header.
 */
export const parseExamples = ({ content, format }: ParseExamplesOptions): ParsedExamples => {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  return format === 'csv' ? parseCsv(text) : parseJsonl(text);
};

/** The format from the file extension, or from the first character when the extension says nothing. */
export const detectExamplesFormat = (path: string, content: string): ExamplesFormat => {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.jsonl' || extension === '.ndjson' || extension === '.json') return 'jsonl';
  return content.trimStart().replace(/^\uFEFF/, '').startsWith('{') ? 'jsonl' : 'csv';
};

/**
 * Reads examples from a CSV or JSONL file (format from `format`, else the extension, else the content).
 *
 * @throws ClassifierError `CLASSIFIER_BAD_EXAMPLES_FILE` when the file cannot be read or has no
 *   usable CSV header.
 */
export const loadExamples = async ({ path, format }: LoadExamplesOptions): Promise<ParsedExamples> => {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw badFile(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseExamples({ content, format: format ?? detectExamplesFormat(path, content) });
};
