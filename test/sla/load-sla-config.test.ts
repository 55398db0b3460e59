import { describe, expect, it } from 'vitest';
import { SlaConfigError, formatSlaConfigIssue } from '../../src/sla/errors.js';
import { loadSlaConfigFile, parseSlaConfig } from '../../src/sla/load-sla-config.js';

const FILE = 'rules/sla.yaml';
/** Issues of a YAML text as `line:column path: message` lines. */
const issuesOf = (text: string): string[] => {
  const result = parseSlaConfig({ text, file: FILE });
  if (result.ok) return [];
  return result.issues.map((issue) => formatSlaConfigIssue(issue).slice(FILE.length + 1));
};

const CALENDAR = `calendars:
  - name: office
    time_zone: Europe/Berlin
    hours: { mon: ["09:00-17:00"], tue: ["09:00-17:00"] }
`;

describe('rules/sla.yaml', () => {
  it('loads, with the built-in 24x7 calendar and durations resolved per calendar', async () => {
    const config = await loadSlaConfigFile(FILE);
    expect([...config.calendars.keys()]).toEqual(['24x7', 'office-berlin', 'support-new-york']);
    expect(config.defaultPolicy.name).toBe('standard');
    const byName = new Map(config.policies.map((policy) => [policy.name, policy]));
    expect(byName.get('urgent')).toMatchObject({ calendar: '24x7', warnAt: 0.5, targets: { first_response: 30, next_response: 60, resolution: 480 } });
    // 2d on a calendar with day_length 16h; 3d on one with day_length 8h
    expect(byName.get('vip-americas')!.targets.resolution).toBe(2 * 16 * 60);
    expect(byName.get('vip')!.targets.resolution).toBe(3 * 8 * 60);
    expect(byName.get('standard')).toMatchObject({ warnAt: 0.75, pauseStatuses: ['pending'], autoReplyStopsFirstResponse: false });
  });
});

describe('parseSlaConfig errors name line, column and field', () => {
  it.each([
    {
      name: 'field errors and cross-references in one pass, in file order',
      text: `calendars:
  - name: a
    time_zone: Europe/Nowhere
    hours:
      mon: ["09:00-17:00", "16:00-18:00"]
      tues: ["09:00-17:00"]
policies:
  - name: p
    calendar: b
    targets: { first_response: 4x, resolution: 30 }
    warn_at: 1.5
  - name: p
    calendar: a
    default: true
    match: { priority: critical }
    targets: {}
`,
      expected: [
        '3:16 calendars[0].time_zone: unknown time zone "Europe/Nowhere": expected an IANA name such as "Europe/Berlin" or "UTC"',
        '5:28 calendars[0].hours.mon[1]: mon "16:00-18:00" overlaps mon "09:00-17:00"',
        '6:7 calendars[0].hours.tues: unknown field "tues": hours takes mon, tue, wed, thu, fri, sat, sun',
        '9:15 policies[0].calendar: unknown calendar "b": expected one of "24x7", "a"',
        '10:32 policies[0].targets.first_response: invalid duration "4x": expected a business duration such as 30m, 4h, 1h30m or 2d (d = one business day of the calendar)',
        '10:48 policies[0].targets.resolution: a bare number is ambiguous: write 30m, 30h or 30d',
        '11:14 policies[0].warn_at: warn_at must be below 1 (a share of the target, e.g. 0.75)',
        '12:11 policies[1].name: policy "p" is defined twice',
        '15:24 policies[1].match.priority[0]: unknown priority "critical": expected one of low, normal, high, urgent',
        '16:14 policies[1].targets: a policy needs at least one target',
      ],
    },
    {
      name: 'a misspelt key points at the key',
      text: `${CALENDAR}policies:
  - name: p
    default: true
    calendar: office
    targets: { first_response: 4h, resolutoin: 2d }
`,
      expected: ['9:36 policies[0].targets.resolutoin: unknown field "resolutoin": targets takes first_response, next_response, resolution'],
    },
    {
      name: 'a missing field points at the object lacking it',
      text: `${CALENDAR}policies:
  - name: p
    default: true
    targets: { first_response: 4h }
`,
      expected: ['6:5 policies[0].calendar: expected the name of a calendar'],
    },
    {
      name: 'no default policy',
      text: `${CALENDAR}policies:
  - name: p
    calendar: office
    targets: { first_response: 4h }
`,
      expected: ['6:3 policies: no policy is marked default: true (exactly one must be)'],
    },
    {
      name: 'two default policies',
      text: `${CALENDAR}policies:
  - { name: p, calendar: office, default: true, targets: { first_response: 4h } }
  - { name: q, calendar: 24x7, default: true, targets: { first_response: 4h } }
`,
      expected: ['7:41 policies[1].default: only one policy can be the default; "p" already is'],
    },
    {
      name: 'redefining 24x7 and duplicate calendars',
      text: `calendars:
  - { name: 24x7, time_zone: UTC, hours: { mon: ["00:00-24:00"] } }
  - { name: x, time_zone: UTC, hours: { mon: ["00:00-24:00"] } }
  - { name: x, time_zone: UTC, hours: { tue: ["00:00-24:00"] } }
policies:
  - { name: p, calendar: x, default: true, targets: { first_response: 4h } }
`,
      expected: [
        '2:13 calendars[0].name: "24x7" is built in (UTC, always open); give your calendar another name',
        '4:13 calendars[2].name: calendar "x" is defined twice',
      ],
    },
    {
      name: 'an unknown top-level key and a missing policies list',
      text: `calendar: []\n`,
      expected: ['1:1 policies: expected a list of policies', '1:1 calendar: unknown field "calendar": the SLA file takes defaults, calendars, policies'],
    },
    {
      name: 'bad holidays',
      text: `calendars:
  - name: office
    time_zone: Europe/Berlin
    hours: { mon: ["09:00-17:00"] }
    holidays:
      - { date: 2025-02-29 }
      - { date: 2025-12-24, from: "14:00", to: "12:00" }
policies:
  - { name: p, calendar: office, default: true, targets: { first_response: 4h } }
`,
      expected: [
        '6:17 calendars[0].holidays[0].date: invalid date "2025-02-29": expected "YYYY-MM-DD"',
        `7:48 calendars[0].holidays[1].to: a holiday's "to" (12:00) must be after its "from" (14:00)`,
      ],
    },
    { name: 'a YAML syntax error', text: 'policies:\n  - [\n', expected: ['3:1 (root): YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]'] },
    { name: 'a duplicate key', text: 'policies: []\npolicies: []\n', expected: ['2:1 (root): YAML syntax: Map keys must be unique'] },
    { name: 'an empty file', text: '# nothing yet\n', expected: ['1:1 (root): the file is empty: expected calendars and policies'] },
  ])('$name', ({ text, expected }) => {
    expect(issuesOf(text)).toEqual(expected);
  });

  it('loadSlaConfigFile throws SlaConfigError whose message lists every issue', async () => {
    await expect(loadSlaConfigFile('test/sla/does-not-exist.yaml')).rejects.toThrow(/ENOENT/);
    const result = parseSlaConfig({ text: 'policies: 3\n', file: 'x.yaml' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(new SlaConfigError(result.issues, 'x.yaml').message).toBe('x.yaml is invalid:\n  x.yaml:1:11 policies: expected a list of policies');
  });
});
