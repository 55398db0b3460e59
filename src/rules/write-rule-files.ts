/**
 * Writes a complete rule set into the rules directory (promotion of a shadow rule set): each changed
 * file is written to a temporary file in the same directory, flushed, and renamed over the old one, so
 * a reader (the hot-reload watcher, an editor, git) sees the old file or the new one, never half of one.
 * Rule files of the directory that are not in the set are removed; `sla.yaml` and other files are left
 * alone. The directory is versioned in git: the promoted files are changes to commit.
 */
import { randomBytes } from 'node:crypto';
import { open, mkdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RuleFileText } from './candidate-rules.js';
import { ruleFileNameIssue } from './candidate-rules.js';
import { listRuleFiles } from './load-rules.js';

export type WriteRuleFilesResult = { written: string[]; removed: string[]; unchanged: string[] };

const readIfExists = async (file: string): Promise<string | null> => {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
};

const writeAtomically = async (file: string, content: string): Promise<void> => {
  // Not .yaml, and starting with a dot: neither the watcher nor the rule loader looks at it.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
};

const syncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems cannot fsync a directory; the renames are done either way.
  } finally {
    await handle.close();
  }
};

/** Makes `dir`'s rule files exactly `files`; see the header. */
export const writeRuleFiles = async ({ dir, files }: { dir: string; files: readonly RuleFileText[] }): Promise<WriteRuleFilesResult> => {
  for (const f of files) {
    const issue = ruleFileNameIssue(f.name);
    if (issue) throw new Error(issue);
  }
  await mkdir(dir, { recursive: true });
  const result: WriteRuleFilesResult = { written: [], removed: [], unchanged: [] };
  for (const f of files) {
    const target = path.join(dir, f.name);
    if ((await readIfExists(target)) === f.content) {
      result.unchanged.push(f.name);
      continue;
    }
    await writeAtomically(target, f.content);
    result.written.push(f.name);
  }
  const keep = new Set(files.map((f) => f.name));
  for (const existing of await listRuleFiles(dir)) {
    const name = path.basename(existing);
    if (keep.has(name)) continue;
    await unlink(existing);
    result.removed.push(name);
  }
  await syncDirectory(dir);
  return result;
};
