/**
 * Loads `rules/sla.yaml`: YAML → object → validated `SlaConfig`, with every problem reported as
 * `file:line:column path: message`.
 *
 * Positions: the file is parsed with `yaml`'s `parseDocument` and a `LineCounter`, which keep each node's
 * source range. A validation issue carries the path of the offending field (`policies[1].targets.
 * first_response`); walking the document along that path finds the node and its offset, which the line
 * counter turns into line and column. When the path ends at something that is not in the file (a missing
 * field), the issue points at the deepest node that exists (the object that lacks the field). An unknown
 * key points at the key itself.
 *
 * A file with any issue yields no configuration: the caller keeps the one it had (a broken SLA file
 * never replaces a working one).
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { SlaConfigError, type SlaConfigIssue } from './errors.js';
import { buildSlaConfig, type SlaConfig } from './sla-config.js';

export type ParseSlaConfigOptions = {
  /** the YAML source */
  text: string;
  /** shown in issues, e.g. `rules/sla.yaml` */
  file: string;
};

export type ParseSlaConfigResult = { ok: true; config: SlaConfig } | { ok: false; issues: SlaConfigIssue[] };

type Located = { offset: number };

/** The source offset of the node at `path`, or of the deepest ancestor present in the document. */
const locate = (document: Document, path: readonly PropertyKey[], pointAtKey: boolean): Located => {
  let node: unknown = document.contents;
  let offset = 0;
  const rangeStart = (candidate: unknown): number | null => {
    const range = (candidate as { range?: [number, number, number] } | null)?.range;
    return Array.isArray(range) ? range[0] : null;
  };
  offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === segment);
      if (pair === undefined) break;
      const target = last && pointAtKey ? pair.key : (pair.value ?? pair.key);
      offset = rangeStart(target) ?? rangeStart(pair.key) ?? offset;
      node = target;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = rangeStart(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  return { offset };
};

/**
 * Parses and validates SLA configuration text (pure: no file access). Returns every issue found with
 * its file, line, column and field path.
 */
export const parseSlaConfig = ({ text, file }: ParseSlaConfigOptions): ParseSlaConfigResult => {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    return {
      ok: false,
      issues: document.errors.map((error) => {
        const position = lineCounter.linePos(error.pos[0]);
        return { file, line: position.line, column: position.col, path: '', message: `YAML syntax: ${error.message}` };
      }),
    };
  }
  const input: unknown = document.toJS();
  if (input === null || input === undefined) {
    return { ok: false, issues: [{ file, line: 1, column: 1, path: '', message: 'the file is empty: expected calendars and policies' }] };
  }
  const result = buildSlaConfig(input);
  if (result.ok) return result;
  const issues = result.issues.map(({ pathSegments, atKey, ...issue }) => {
    const position = lineCounter.linePos(locate(document, pathSegments, atKey).offset);
    return { file, line: position.line, column: position.col, ...issue };
  });
  return { ok: false, issues: issues.sort((a, b) => a.line - b.line || a.column - b.column) };
};

/**
 * Reads and validates an SLA file (the I/O edge of this module).
 * @throws SlaConfigError listing every issue with file, line and column
 */
export const loadSlaConfigFile = async (path: string): Promise<SlaConfig> => {
  const result = parseSlaConfig({ text: await readFile(path, 'utf8'), file: path });
  if (!result.ok) throw new SlaConfigError(result.issues, path);
  return result.config;
};
