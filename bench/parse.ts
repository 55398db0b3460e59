/**
 * Parser choice, measured: mailparser's simpleParser (default options, and with the HTML↔text
 * conversions switched off) against postal-mime, on the real mail in ../shared/data plus two hostile
 * inputs (a 2 MB format=flowed body and a 1,000-part message). Prints messages/s and per-message p50/p99.
 *
 *   npx tsx bench/parse.ts
 */
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import PostalMime from 'postal-mime';
import { fmt, listFiles, percentile, sharedDataOrSkip } from './lib/shared-data.js';

const corpus: Buffer[] = [];
const emlDir = sharedDataOrSkip('email-parse/eml');
const bounceDir = sharedDataOrSkip('bounces/maildir/bsd');
if (emlDir) for (const f of listFiles(emlDir, (n) => n.endsWith('.eml'))) corpus.push(readFileSync(f));
if (bounceDir) for (const f of listFiles(bounceDir)) corpus.push(readFileSync(f));

const flowed = Buffer.from(
  'From: a@example.com\r\nTo: b@example.com\r\nSubject: flowed\r\nMessage-ID: <f@x>\r\n' +
  'Content-Type: text/plain; charset=utf-8; format=flowed\r\n\r\n' + 'word word word word word word word word \r\n'.repeat(50_000),
);
const manyParts = (() => {
  let s = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: parts\r\nMessage-ID: <p@x>\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n';
  for (let i = 0; i < 1000; i++) s += `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`;
  return Buffer.from(s + '--b--\r\n');
})();

type Parser = { name: string; parse: (raw: Buffer) => Promise<unknown> };
const parsers: Parser[] = [
  { name: 'mailparser (defaults)', parse: (raw) => simpleParser(raw) },
  { name: 'mailparser (skip html/text conversions)', parse: (raw) => simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true }) },
  { name: 'postal-mime', parse: (raw) => PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' }) },
];

const run = async (label: string, inputs: Buffer[], rounds: number) => {
  console.log(`\n${label}: ${inputs.length} message(s) x ${rounds} round(s), ${fmt(inputs.reduce((a, b) => a + b.length, 0) / 1024 / 1024)} MiB`);
  console.log('parser'.padEnd(44), 'msg/s'.padStart(9), 'p50 ms'.padStart(9), 'p99 ms'.padStart(9), 'max ms'.padStart(9), 'errors'.padStart(7));
  for (const p of parsers) {
    const times: number[] = [];
    let errors = 0;
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const raw of inputs) {
        const s = performance.now();
        try { await p.parse(raw); } catch { errors++; }
        times.push(performance.now() - s);
      }
    }
    const total = (performance.now() - t0) / 1000;
    times.sort((a, b) => a - b);
    console.log(p.name.padEnd(44), fmt(times.length / total, 0).padStart(9), fmt(percentile(times, 50), 3).padStart(9),
      fmt(percentile(times, 99), 3).padStart(9), fmt(times[times.length - 1], 1).padStart(9), String(errors).padStart(7));
  }
};

if (corpus.length) await run('real mail (email-parse + bounces)', corpus, 3);
await run('2 MB format=flowed body', [flowed], 3);
await run('1,000-part multipart', [manyParts], 3);
console.log(`\npeak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MiB`);
