/**
 * `mailroom report`: the response-time report (GET /api/reports/response-times) in the terminal, read
 * straight from the database of MAILROOM_DATA_DIR; nothing needs to be running.
 *
 * Exit codes: 0 printed, 2 usage (unknown option or value).
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.js';
import { databaseFile, openDatabase } from '../../db/connection.js';
import { formatResponseTimeReport } from '../../sla/format-response-time-report.js';
import { defaultCalendarOf, INITIAL_SLA_STATE, reloadSlaConfig } from '../../sla/live-sla-config.js';
import { loadResponseTimeReport, REPORT_GROUPS, REPORT_PERIODS, type ReportGroupBy, type ReportPeriod } from '../../sla/response-time-report.js';
import { isValidTimeZone } from '../../sla/zone-timeline.js';
import { parseReportInstant } from '../../api/routes/reports.js';
import type { Command } from '../command.js';

const USAGE = `usage: mailroom report [options]

  First-response and resolution times (average, median, p90; business and wall-clock), share within
  SLA, breaches, and the open backlog by age. Tickets count in the period they arrived.

options:
  --group-by queue|category|agent|channel   (default queue)
  --period day|week|month                   (default week)
  --from DATE        ISO date or date-time (default: 30 days / 12 weeks / 12 months back)
  --to DATE          exclusive (default: now)
  --tz ZONE          IANA zone for periods and dates (default: the default SLA policy's calendar)
  --json             the same JSON as GET /api/reports/response-times
  --env-file FILE    load environment variables first (MAILROOM_DATA_DIR, MAILROOM_RULES_DIR)
`;

export type ReportIo = { out: (text: string) => void; err: (text: string) => void };

const processIo: ReportIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** Runs `mailroom report` with the given arguments and environment; returns the exit code. */
export const runReportCommand = async (argv: string[], env: NodeJS.ProcessEnv = process.env, io: ReportIo = processIo, now: Date = new Date()): Promise<number> => {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'group-by': { type: 'string', default: 'queue' },
        period: { type: 'string', default: 'week' },
        from: { type: 'string' },
        to: { type: 'string' },
        tz: { type: 'string' },
        json: { type: 'boolean', default: false },
        'env-file': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    io.err(`mailroom report: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const groupBy = values['group-by'] as string;
  const period = values.period as string;
  if (!(REPORT_GROUPS as readonly string[]).includes(groupBy)) {
    io.err(`mailroom report: --group-by must be one of ${REPORT_GROUPS.join(', ')}\n`);
    return 2;
  }
  if (!(REPORT_PERIODS as readonly string[]).includes(period)) {
    io.err(`mailroom report: --period must be one of ${REPORT_PERIODS.join(', ')}\n`);
    return 2;
  }
  if (values['env-file']) process.loadEnvFile(values['env-file'] as string);
  const config = loadConfig(values['env-file'] ? process.env : env);
  const sla = await reloadSlaConfig({ rulesDir: config.rulesDir, previous: INITIAL_SLA_STATE, now });
  const timeZone = (values.tz as string | undefined) ?? defaultCalendarOf(sla.config).timeZone;
  if (!isValidTimeZone(timeZone)) {
    io.err(`mailroom report: --tz: unknown time zone "${timeZone}"\n`);
    return 2;
  }
  let from: Date | undefined;
  let to: Date | undefined;
  try {
    from = parseReportInstant('--from', values.from as string | undefined, timeZone);
    to = parseReportInstant('--to', values.to as string | undefined, timeZone);
  } catch (err) {
    io.err(`mailroom report: ${(err as Error).message}\n`);
    return 2;
  }
  const db = openDatabase(databaseFile(config.dataDir));
  try {
    const report = loadResponseTimeReport({ db, groupBy: groupBy as ReportGroupBy, period: period as ReportPeriod, timeZone, from, to, now });
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatResponseTimeReport(report));
    return 0;
  } finally {
    db.$client.close();
  }
};

export const command: Command = {
  name: 'report',
  summary: 'Response times per queue, category, agent or channel; backlog by age',
  run: (argv) => runReportCommand(argv),
};
