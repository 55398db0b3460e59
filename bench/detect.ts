/**
 * Auto-reply / bounce detection against real mail: `npx tsx bench/detect.ts` (npm run bench:detect).
 *
 * Corpus: ../shared/data/bounces (sisimai set-of-emails): maildir/bsd (629 bounces, DSNs, ARF reports,
 * RFC 3834 auto-replies, LF), maildir/dos and maildir/mac (CRLF / CR copies of a subset, for line-ending
 * robustness), maildir/not (not bounces), labelled per file in labels.json `kind`. Then
 * ../shared/data/email-parse/eml (ordinary mail from many clients) as a false-positive check.
 *
 * Expected flags per label kind (the detector's documented decisions):
 *   bounce → bounce; feedback_report (ARF) → bounce; auto_reply → autoReply;
 *   delivery_success_dsn (a DSN saying "delivered") → autoReply; not_bounce → neither.
 *
 * Prints precision/recall of the `bounce` and `autoReply` flags, a confusion table of label kind ×
 * detected kind, the first 20 misses and false positives with their signals, bounce-detail extraction
 * rates, and the detector's time per message (parsing excluded). Exits 0 with a message when the data
 * folder is absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { classifyAutomatedMail, extractBounceDetails, type AutomatedMailKind } from '../src/intake/detect-automated-mail.js';
import { parseMessage } from '../src/intake/parse-message.js';
import type { ParsedMessage } from '../src/intake/parsed-message.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = resolve(repoRoot, '..', 'shared', 'data');
const bouncesDir = join(dataDir, 'bounces');
const emlDir = join(dataDir, 'email-parse', 'eml');

if (!existsSync(join(bouncesDir, 'labels.json'))) {
  console.log(`bench/detect: skipped — test data not found at ${bouncesDir} (it lives beside the repository as ../shared/data)`);
  process.exit(0);
}

type LabelKind = 'bounce' | 'feedback_report' | 'auto_reply' | 'delivery_success_dsn' | 'not_bounce';
type Labels = { kind: Record<string, LabelKind>; labels: Record<string, Array<{ status: string; reason: string }>> };
const labels = JSON.parse(readFileSync(join(bouncesDir, 'labels.json'), 'utf8')) as Labels;

const OPTIONS = { ownLoopHeaderName: 'X-Mailroom-Loop', ownMessageIdDomain: 'mailroom.invalid', ownAddresses: ['support@mailroom.invalid'] };

const expectedFlags = (kind: LabelKind) => ({
  bounce: kind === 'bounce' || kind === 'feedback_report',
  autoReply: kind === 'auto_reply' || kind === 'delivery_success_dsn',
});

type Row = { file: string; label: LabelKind; kind: AutomatedMailKind; bounce: boolean; autoReply: boolean; signals: string[]; message: ParsedMessage | null; raw: Buffer };

const parsedForTiming: ParsedMessage[] = [];
const run = async (path: string, normalizeBareCr = false): Promise<Omit<Row, 'file' | 'label'>> => {
  const bytes = readFileSync(path);
  // parseMessage (mailparser) does not split lines on a bare CR, so a CR-only file parses as one header line.
  const raw = normalizeBareCr ? Buffer.from(bytes.toString('latin1').replace(/\r(?!\n)/g, '\r\n'), 'latin1') : bytes;
  let message: ParsedMessage;
  try {
    message = await parseMessage(raw);
  } catch (err) {
    return { kind: null, bounce: false, autoReply: false, signals: [`parse failed: ${(err as Error).message}`], message: null, raw };
  }
  parsedForTiming.push(message);
  const { flags, kind } = classifyAutomatedMail({ message, ...OPTIONS });
  return { kind, bounce: flags.bounce, autoReply: flags.autoReply, signals: flags.signals, message, raw };
};

const listEml = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : []);

const labelFor = (variantFile: string): LabelKind | undefined => labels.kind[`maildir/bsd/${variantFile}`];

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

const report = (title: string, rows: Row[]) => {
  console.log(`\n=== ${title}: ${rows.length} messages`);
  for (const flag of ['bounce', 'autoReply'] as const) {
    let tp = 0, fp = 0, fn = 0;
    for (const r of rows) {
      const want = expectedFlags(r.label)[flag];
      if (r[flag] && want) tp++;
      else if (r[flag] && !want) fp++;
      else if (!r[flag] && want) fn++;
    }
    console.log(`${flag.padEnd(9)}  precision ${pct(tp, tp + fp).padStart(6)} (${tp}/${tp + fp})   recall ${pct(tp, tp + fn).padStart(6)} (${tp}/${tp + fn})`);
  }
  const kinds: Array<AutomatedMailKind | 'none'> = ['bounce', 'feedback', 'delivery-report', 'read-receipt', 'auto-reply', 'none'];
  const labelKinds = [...new Set(rows.map((r) => r.label))].sort();
  console.log(`\nconfusion (rows: label kind, columns: detected kind)`);
  console.log(`${''.padEnd(22)}${kinds.map((k) => String(k).padStart(16)).join('')}`);
  for (const lk of labelKinds) {
    const counts = kinds.map((k) => rows.filter((r) => r.label === lk && (r.kind ?? 'none') === k).length);
    console.log(`${lk.padEnd(22)}${counts.map((c) => String(c).padStart(16)).join('')}`);
  }
  const wrong = rows.filter((r) => {
    const want = expectedFlags(r.label);
    return want.bounce !== r.bounce || want.autoReply !== r.autoReply;
  });
  const missed = wrong.filter((r) => (expectedFlags(r.label).bounce && !r.bounce) || (expectedFlags(r.label).autoReply && !r.autoReply));
  const falsePositives = wrong.filter((r) => !missed.includes(r));
  const show = (what: string, list: Row[]) => {
    console.log(`\n${what}: ${list.length}${list.length > 20 ? ' (first 20)' : ''}`);
    for (const r of list.slice(0, 20)) {
      console.log(`  ${r.file}  label=${r.label} detected=${r.kind ?? 'none'}  subject="${(r.message?.subject ?? '').slice(0, 60)}"`);
      for (const s of r.signals.slice(0, 4)) console.log(`      · ${s.slice(0, 140)}`);
    }
  };
  show('missed (label says bounce/auto-reply, flag not set)', missed);
  show('false positives / wrong flag', falsePositives);
};

const main = async () => {
  const rows: Row[] = [];
  for (const sub of ['bsd', 'not'] as const) {
    for (const file of listEml(join(bouncesDir, 'maildir', sub))) {
      const label = labels.kind[`maildir/${sub}/${file}`];
      if (!label) continue;
      rows.push({ file: `${sub}/${file}`, label, ...(await run(join(bouncesDir, 'maildir', sub, file))) });
    }
  }
  report('maildir/bsd + maildir/not (LF)', rows);

  for (const variant of ['dos', 'mac'] as const) {
    const vrows: Row[] = [];
    for (const file of listEml(join(bouncesDir, 'maildir', variant))) {
      const label = labelFor(file);
      if (!label) continue;
      vrows.push({ file: `${variant}/${file}`, label, ...(await run(join(bouncesDir, 'maildir', variant, file))) });
    }
    const agree = vrows.filter((v) => {
      const bsd = rows.find((r) => r.file === `bsd/${v.file.slice(variant.length + 1)}`);
      return bsd && bsd.kind === v.kind;
    }).length;
    report(`maildir/${variant} (${variant === 'dos' ? 'CRLF' : 'CR'} line endings)`, vrows);
    console.log(`same detected kind as the LF copy: ${agree}/${vrows.length}`);
    if (variant === 'mac') {
      const nrows: Row[] = [];
      for (const v of vrows) nrows.push({ ...v, ...(await run(join(bouncesDir, 'maildir', variant, v.file.slice(4)), true)) });
      const nagree = nrows.filter((v) => rows.find((r) => r.file === `bsd/${v.file.slice(4)}`)?.kind === v.kind).length;
      console.log(`\nmaildir/mac again, bare CR converted to CRLF before parseMessage (the parser, not detection, loses CR-only mail):`);
      console.log(`same detected kind as the LF copy: ${nagree}/${nrows.length}`);
    }
  }

  // Bounce details: can the outbox match bounces to sent mail?
  const bounces = rows.filter((r) => r.label === 'bounce' && r.message);
  let withStatus = 0, statusMatch = 0, withId = 0, idFound = 0, withRecipients = 0;
  const sources: Record<string, number> = {};
  for (const r of bounces) {
    const details = extractBounceDetails({ message: r.message! });
    if (details.recipients.length > 0) withRecipients++;
    // x.0.9xx codes are sisimai's own pseudo-statuses (never written in the mail), so they cannot be found.
    const expected = (labels.labels[r.file.slice(4)] ?? []).map((l) => l.status).filter((st) => st && !/^\d\.0\.9\d\d$/.test(st));
    sources[details.source] = (sources[details.source] ?? 0) + 1;
    if (expected.length > 0) {
      withStatus++;
      if (details.recipients.some((x) => x.status && expected.includes(x.status))) statusMatch++;
    }
    const body = r.raw.toString('latin1').split(/\r?\n\r?\n|\r\r/).slice(1).join('\n\n');
    if (/^[ \t>]*message-id:\s*<?[^\s<>]+@/im.test(body)) {
      withId++;
      if (details.originalMessageId) idFound++;
    }
  }
  console.log(`\n=== bounce details (extractBounceDetails) over ${bounces.length} labelled bounces`);
  console.log(`at least one failed recipient found     ${pct(withRecipients, bounces.length)} (${withRecipients}/${bounces.length})`);
  console.log(`  found in: ${Object.entries(sources).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`a labelled RFC 3463 status found         ${pct(statusMatch, withStatus)} (${statusMatch}/${withStatus} bounces whose label has a status that is not a sisimai x.0.9xx pseudo-code)`);
  console.log(`original Message-ID found                ${pct(idFound, withId)} (${idFound}/${withId} bounces whose body carries a Message-ID line)`);

  // Ordinary mail should not be flagged.
  const ordinary: Array<{ file: string; kind: AutomatedMailKind; signals: string[]; bulk: boolean }> = [];
  for (const group of existsSync(emlDir) ? readdirSync(emlDir).sort() : []) {
    for (const file of listEml(join(emlDir, group))) {
      const r = await run(join(emlDir, group, file));
      ordinary.push({ file: `${group}/${file}`, kind: r.kind, signals: r.signals, bulk: r.message ? r.signals.some((s) => /List-|Precedence/.test(s)) : false });
    }
  }
  const flagged = ordinary.filter((o) => o.kind !== null);
  console.log(`\n=== email-parse eml corpus (ordinary mail): ${ordinary.length} messages, ${flagged.length} flagged as bounce/auto-reply (${pct(flagged.length, ordinary.length)})`);
  for (const o of flagged.slice(0, 20)) {
    console.log(`  ${o.file}  detected=${o.kind}`);
    for (const s of o.signals.slice(0, 3)) console.log(`      · ${s.slice(0, 140)}`);
  }

  // Timing: detection only, on already-parsed messages. Five passes: the mean over all of them, and each
  // message's fastest pass (its steady-state cost, without GC pauses or other load on the machine).
  const PASSES = 5;
  const fastest = parsedForTiming.map(() => Infinity);
  let total = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    parsedForTiming.forEach((message, i) => {
      const t0 = performance.now();
      classifyAutomatedMail({ message, ...OPTIONS });
      const ms = performance.now() - t0;
      total += ms;
      fastest[i] = Math.min(fastest[i], ms);
    });
  }
  const sorted = [...fastest].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
  console.log(`\n=== time per message, detection only (${sorted.length} parsed messages, ${PASSES} passes)`);
  console.log(`mean over all passes ${us(total / (PASSES * sorted.length))}; per-message fastest pass: p50 ${us(q(0.5))}, p99 ${us(q(0.99))}, max ${us(sorted[sorted.length - 1])}`);
};

await main();
