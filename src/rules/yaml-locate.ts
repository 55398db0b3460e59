/**
 * Maps a path in a parsed rule file (`['rules', 2, 'when', 'subject']`) back to a line and column, so
 * every error can point at the exact spot. Pure: takes the `yaml` Document and its LineCounter.
 */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

export type PathSegment = string | number;

/** `rules[2].when.all[0].subject` */
export const formatPath = (path: readonly PathSegment[]): string =>
  path.reduce<string>((out, segment) =>
    typeof segment === 'number' ? `${out}[${segment}]` : out === '' ? segment : `${out}.${segment}`, '');

const keyText = (key: unknown): string | null => {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return null;
};

/**
 * The 1-based line and column of `path`: of the key itself when `at` is `key` (for unknown keys), else
 * of the value. When the path does not exist (a missing key), the deepest existing node is used.
 */
export const locatePath = (
  doc: Document, lineCounter: LineCounter, path: readonly PathSegment[], at: 'key' | 'value' = 'value',
): { line: number; column: number } => {
  let node: unknown = doc.contents;
  let best: Node | null = (doc.contents as Node | null) ?? null;
  for (let i = 0; i < path.length; i += 1) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
      if (!pair) break;
      if (last && at === 'key' && pair.key && typeof pair.key === 'object') {
        best = pair.key as Node;
        break;
      }
      node = pair.value;
      // `key:` with no value: point at the key
      best = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined || item === null) break;
      node = item;
      best = item as Node;
    } else {
      break;
    }
  }
  const offset = best?.range?.[0] ?? 0;
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
};
