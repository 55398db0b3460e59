/**
 * The response-time report as terminal text (`mailroom report`), pure: a first-response table, a
 * resolution table and the backlog, per group and period. Durations read `2h 05m`; business time
 * first, wall-clock time in brackets.
 */
import type { ReportCell, ResponseTimeReport } from './response-time-report.js';

/** `45m`, `2h 05m`, `3d 4h` (calendar days of 24 h: wall-clock and business minutes alike), or `-`. */
export const formatDuration = (minutes: number | null): string => {
  if (minutes === null) return '-';
  const total = Math.round(minutes);
  if (total < 60) return `${total}m`;
  if (total < 24 * 60) return `${Math.floor(total / 60)}h ${String(total % 60).padStart(2, '0')}m`;
  return `${Math.floor(total / 1440)}d ${Math.floor((total % 1440) / 60)}h`;
};

const percent = (share: number | null): string => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);

/** Columns before `leftColumns` are names (left-aligned); the rest are figures (right-aligned). */
const table = (header: string[], rows: string[][], leftColumns = 2): string[] => {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
};

const both = (business: number | null, wall: number | null) => `${formatDuration(business)} (${formatDuration(wall)})`;

const firstResponseRow = (key: string, period: string, cell: ReportCell): string[] => [
  key, period, String(cell.tickets), String(cell.firstResponse.count),
  both(cell.firstResponse.business.average, cell.firstResponse.wall.average),
  both(cell.firstResponse.business.median, cell.firstResponse.wall.median),
  both(cell.firstResponse.business.p90, cell.firstResponse.wall.p90),
  percent(cell.firstResponse.withinSla), String(cell.breaches.first_response), String(cell.unanswered),
];

const resolutionRow = (key: string, period: string, cell: ReportCell): string[] => [
  key, period, String(cell.resolution.count),
  both(cell.resolution.business.average, cell.resolution.wall.average),
  both(cell.resolution.business.median, cell.resolution.wall.median),
  both(cell.resolution.business.p90, cell.resolution.wall.p90),
  percent(cell.resolution.withinSla), String(cell.breaches.resolution), String(cell.breaches.next_response),
];

/** Renders the report for a terminal. */
export const formatResponseTimeReport = (report: ResponseTimeReport): string => {
  const out: string[] = [];
  const title = `Response times by ${report.groupBy}, per ${report.period} (${report.timeZone}), tickets that arrived ${report.from} – ${report.to}`;
  out.push(title, '='.repeat(Math.min(title.length, 100)), '');
  out.push('First response — business time (wall-clock in brackets); within SLA = answered tickets with a target that met it', '');
  const frRows: string[][] = [];
  const resRows: string[][] = [];
  for (const group of report.groups) {
    for (const period of group.periods) {
      frRows.push(firstResponseRow(group.key, period.period, period));
      resRows.push(resolutionRow(group.key, period.period, period));
    }
    if (group.periods.length > 1) {
      frRows.push(firstResponseRow(group.key, 'all', group.total));
      resRows.push(resolutionRow(group.key, 'all', group.total));
    }
  }
  frRows.push(firstResponseRow('ALL', 'all', report.total));
  resRows.push(resolutionRow('ALL', 'all', report.total));
  out.push(...table([report.groupBy, report.period, 'tickets', 'answered', 'average', 'median', 'p90', 'within SLA', 'breaches', 'unanswered'], frRows), '');
  out.push('Resolution — from the first message to the (last) resolve, time waiting on the customer excluded', '');
  out.push(...table([report.groupBy, report.period, 'resolved', 'average', 'median', 'p90', 'within SLA', 'breaches', 'next-resp. breaches'], resRows), '');
  out.push(`Backlog now — open tickets by wall-clock age and SLA state`, '');
  const states = [...new Set([...report.backlog.groups, report.backlog.total].flatMap((cell) => Object.keys(cell.byState)))].sort();
  const backlogRows = [...report.backlog.groups, { key: 'ALL', ...report.backlog.total }].map((cell) => [
    cell.key, String(cell.open), ...report.backlog.buckets.map((bucket) => String(cell.byAge[bucket] ?? 0)),
    ...states.map((state) => String(cell.byState[state] ?? 0)), formatDuration(cell.oldestAgeMinutes),
  ]);
  out.push(...table([report.groupBy, 'open', ...report.backlog.buckets, ...states, 'oldest'], backlogRows, 1));
  return `${out.join('\n')}\n`;
};
