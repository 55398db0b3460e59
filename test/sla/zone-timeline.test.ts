import { describe, expect, it } from 'vitest';
import { IANAZone } from 'luxon';
import { ZoneTimeline } from '../../src/sla/zone-timeline.js';
import { seededRandom } from './naive-calendar.js';

/** Zones with unusual offsets or changes: half hours, 45 minutes, negative DST, midnight changes, skipped days. */
const ZONES = [
  'UTC', 'Europe/Berlin', 'America/New_York', 'Europe/London', 'Europe/Dublin', 'Australia/Lord_Howe', 'Australia/Sydney',
  'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns', 'Africa/Casablanca', 'Pacific/Apia',
  'America/Sao_Paulo', 'America/Santiago', 'America/Havana', 'Asia/Tehran', 'Pacific/Kiritimati', 'Etc/GMT+12',
  'Antarctica/Troll', 'Europe/Moscow', 'America/Phoenix', 'Asia/Gaza',
];
const YEARS = [2011, 2014, 2019, 2024];

describe('ZoneTimeline', () => {
  it.each(ZONES)('%s: offsets agree with the zone database, and changes are found to the second', (zone) => {
    const timeline = new ZoneTimeline(zone);
    const iana = IANAZone.create(zone);
    const reference = (t: number) => Math.round(iana.offset(t) * 60_000);
    const random = seededRandom(zone.length);
    for (const year of YEARS) {
      const start = Date.UTC(year, 0, 1);
      const end = Date.UTC(year + 1, 0, 1);
      for (let i = 0; i < 40; i++) {
        const t = start + Math.floor(random() * (end - start));
        expect(timeline.offsetMs(t), `${zone} at ${new Date(t).toISOString()}`).toBe(reference(t));
      }
      for (const transition of timeline.transitionsBetween(start, end)) {
        expect(reference(transition.at)).toBe(transition.offsetAfter);
        expect(reference(transition.at - 1000)).not.toBe(transition.offsetAfter);
      }
    }
  });

  it('finds the two changes of a DST year', () => {
    const timeline = new ZoneTimeline('Europe/Berlin');
    expect(timeline.transitionsBetween(Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1)).map((transition) => [new Date(transition.at).toISOString(), transition.offsetAfter / 3_600_000])).toEqual([
      ['2024-03-31T01:00:00.000Z', 2],
      ['2024-10-27T01:00:00.000Z', 1],
    ]);
  });

  it('maps a skipped wall hour to nothing and a repeated one to two pieces', () => {
    const timeline = new ZoneTimeline('America/New_York');
    const wall = (text: string) => Date.parse(`${text}Z`);
    expect(timeline.wallToUtc(wall('2024-03-10T02:00'), wall('2024-03-10T03:00'))).toEqual([]);
    expect(timeline.wallToUtc(wall('2024-11-03T01:30'), wall('2024-11-03T02:00'))).toEqual([
      { start: Date.parse('2024-11-03T05:30:00Z'), end: Date.parse('2024-11-03T06:00:00Z') },
      { start: Date.parse('2024-11-03T06:30:00Z'), end: Date.parse('2024-11-03T07:00:00Z') },
    ]);
  });

  it('refuses an unknown zone', () => {
    expect(() => new ZoneTimeline('Mars/Olympus_Mons')).toThrow(RangeError);
  });
});
