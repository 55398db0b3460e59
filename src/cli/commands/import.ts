/**
 * `mailroom import <path>`: .eml file, directory of .eml files, maildir or mbox. Every message goes
 * through the same accept → process path as live mail. In inline mode the messages are processed in
 * this process before it exits; with REDIS_URL they are queued for the workers.
 */
import { parseArgs } from 'node:util';
import { inArray } from 'drizzle-orm';
import { loadConfig } from '../../config.js';
import { rawMessages } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { acceptRawMessage } from '../../intake/accept-raw-message.js';
import { detectMailSource, readMailSource } from '../../intake/read-mail-source.js';
import { runIntakeWorker } from '../../intake/run-intake-worker.js';
import { createLogger } from '../../logger.js';
import { intakeJob } from '../../queue/jobs.js';
import { createServices } from '../../services.js';
import type { Command } from '../command.js';

export const command: Command = {
  name: 'import',
  summary: 'Import mail: an .eml file, a directory of them, a maildir or an mbox file',
  run: async (argv) => {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { 'env-file': { type: 'string' }, json: { type: 'boolean', default: false }, quiet: { type: 'boolean', default: false } },
    });
    if (positionals.length !== 1) {
      console.error('usage: mailroom import <file.eml | directory | maildir | file.mbox> [--json] [--quiet]');
      return 2;
    }
    if (values['env-file']) process.loadEnvFile(values['env-file']);
    const target = positionals[0];
    const config = loadConfig(process.env);
    let kind: ReturnType<typeof detectMailSource>;
    try {
      kind = detectMailSource(target);
    } catch (err) {
      console.error(`mailroom import: ${(err as Error).message}`);
      return 1;
    }
    const services = await createServices({ config, log: createLogger(values.json ? 'silent' : 'warn') });
    const inline = services.queue.kind === 'inline';
    if (inline) runIntakeWorker({ queue: services.queue, deps: services.intake, effects: services.effects, emitTicketEvents: services.emitTicketEvents, concurrency: config.intakeConcurrency, log: services.log });

    const summary = { source: target, kind, accepted: 0, duplicates: 0, failed: 0, processed: 0, quarantined: 0, failures: [] as Array<{ item: string; reason: string }> };
    const ids: number[] = [];
    const started = performance.now();
    for await (const item of readMailSource(target)) {
      try {
        const r = await acceptRawMessage({
          db: services.db, blobs: services.blobs, queue: services.queue, raw: item.raw, channel: 'import', channelRef: target,
          maxBytes: config.maxMessageBytes, now: services.clock.now(), meta: { file: item.label },
        });
        if (r.status === 'accepted') { summary.accepted++; ids.push(r.id); } else summary.duplicates++;
      } catch (err) {
        summary.failed++;
        summary.failures.push({ item: item.label, reason: err instanceof AppError ? err.userMessage : (err as Error).message });
      }
      const seen = summary.accepted + summary.duplicates + summary.failed;
      if (!values.quiet && !values.json && seen % 100 === 0) process.stderr.write(`\r${seen} messages read...`);
    }
    if (inline) {
      await services.queue.drain(intakeJob);
      for (let i = 0; i < ids.length; i += 500) {
        const rows = services.db.select({ state: rawMessages.state }).from(rawMessages).where(inArray(rawMessages.id, ids.slice(i, i + 500))).all();
        summary.processed += rows.filter((r) => r.state === 'processed').length;
        summary.quarantined += rows.filter((r) => r.state === 'failed').length;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    await services.close();
    if (values.json) {
      console.log(JSON.stringify({ ...summary, seconds }, null, 2));
    } else {
      if (!values.quiet) process.stderr.write('\r');
      console.log(`imported ${target} (${kind}) in ${seconds.toFixed(1)} s`);
      console.log(`  accepted:    ${summary.accepted}`);
      console.log(`  duplicates:  ${summary.duplicates}`);
      console.log(`  failed:      ${summary.failed}`);
      if (inline) console.log(`  processed:   ${summary.processed}\n  quarantined: ${summary.quarantined}  (see GET /api/intake/failed)`);
      else console.log('  queued for the BullMQ workers (npm run worker)');
      for (const f of summary.failures.slice(0, 20)) console.log(`  ! ${f.item}: ${f.reason}`);
      if (summary.failures.length > 20) console.log(`  ... and ${summary.failures.length - 20} more`);
    }
    return summary.failed > 0 ? 1 : 0;
  },
};
