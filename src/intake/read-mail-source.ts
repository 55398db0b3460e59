/**
 * Reads messages out of what people have on disk: one .eml file, a directory of them (recursively),
 * a maildir (cur/ and new/), or an mbox file. Yields each message's bytes and a label for reports.
 *
 * mbox: a message starts at a line beginning `From ` at the start of the file or after an empty line;
 * the `From ` line itself is not part of the message; `>From ` lines are unescaped (mboxrd: one `>`
 * removed from `>+From `). Read as a stream, so a mailbox of any size uses little memory.
 */
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export type MailSourceItem = { label: string; raw: Buffer };
export type MailSourceKind = 'eml' | 'directory' | 'maildir' | 'mbox';

const looksLikeMbox = (file: string): boolean => {
  const fd = readFileSync(file, { encoding: 'latin1', flag: 'r' }).slice(0, 5);
  return fd === 'From ';
};

export const detectMailSource = (target: string): MailSourceKind => {
  if (!existsSync(target)) throw new Error(`${target}: no such file or directory`);
  const st = statSync(target);
  if (st.isDirectory()) {
    return existsSync(path.join(target, 'cur')) || existsSync(path.join(target, 'new')) ? 'maildir' : 'directory';
  }
  return /\.(mbox|mbx)$/i.test(target) || looksLikeMbox(target) ? 'mbox' : 'eml';
};

const walk = function* (dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const full = path.join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) yield* walk(full);
    else if (st.isFile()) yield full;
  }
};

async function* readMbox(file: string): AsyncGenerator<MailSourceItem> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'latin1' }), crlfDelay: Infinity });
  let lines: string[] | null = null;
  let previousBlank = true;
  let n = 0;
  const flush = (): MailSourceItem | null => {
    if (!lines) return null;
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    n++;
    return { label: `${file}#${n}`, raw: Buffer.from(lines.join('\r\n') + '\r\n', 'latin1') };
  };
  for await (const line of rl) {
    if (previousBlank && line.startsWith('From ')) {
      const item = flush();
      if (item) yield item;
      lines = [];
    } else if (lines) {
      lines.push(/^>+From /.test(line) ? line.slice(1) : line);
    }
    previousBlank = line === '';
  }
  const last = flush();
  if (last) yield last;
}

/** Every message in `target`, in a stable order. */
export async function* readMailSource(target: string): AsyncGenerator<MailSourceItem> {
  const kind = detectMailSource(target);
  if (kind === 'mbox') {
    yield* readMbox(target);
    return;
  }
  if (kind === 'eml') {
    yield { label: target, raw: readFileSync(target) };
    return;
  }
  const roots = kind === 'maildir' ? ['new', 'cur'].map((d) => path.join(target, d)).filter(existsSync) : [target];
  for (const root of roots) {
    for (const file of walk(root)) {
      if (kind === 'directory' && !/\.(eml|msg|txt)$/i.test(file) && !/^\d+(\.|$)/.test(path.basename(file))) continue;
      yield { label: file, raw: readFileSync(file) };
    }
  }
}
