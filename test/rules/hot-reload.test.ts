/**
 * Hot reload through the file watcher (no API call): an edit on disk becomes the live rules; a broken
 * edit keeps the running rules, and /health shows the error until the file is fixed.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.js';
import { createRulesHarness, LIVE_RULES, type RulesHarness } from './rules-harness.js';

let r: RulesHarness;
beforeEach(async () => { r = await createRulesHarness(); });
afterEach(async () => { await r.close(); });

const health = async () => r.h.app.inject({ method: 'GET', url: '/health' });

describe('hot reload', () => {
  it('an edit on disk is live without a restart; a broken edit keeps the old rules and shows in /health', async () => {
    const { decider } = r.h.services;
    const first = decider.status().version;
    expect((await r.api('GET', `/api/tickets/${await r.file('Password reset')}`)).json().ticket.queue).toBe('triage');

    writeFileSync(path.join(r.rulesDir, '10-routing.yaml'), `${LIVE_RULES}
  - name: passwords
    when:
      subject: { contains: password }
    then:
      queue: accounts
`);
    await waitFor(() => decider.status().version !== first, 'the watcher to load the edited file');
    const second = decider.status().version;
    expect(decider.status()).toMatchObject({ rules: 3, lastReload: { ok: true } });
    expect((await r.api('GET', `/api/tickets/${await r.file('Password reset again')}`)).json().ticket.queue).toBe('accounts');

    // A typo: the file no longer validates.
    writeFileSync(path.join(r.rulesDir, '10-routing.yaml'), LIVE_RULES.replace('subject: { contains: urgent }', 'subject: { contains: urgent }\n      priorty: high'));
    await waitFor(() => decider.status().lastReload?.ok === false, 'the watcher to refuse the broken file');
    expect(decider.status().version).toBe(second);
    const degraded = await health();
    expect(degraded.statusCode).toBe(503);
    expect(degraded.json().rules).toMatchObject({
      ok: false, version: second, rules: 3,
      lastReload: { ok: false, errorCount: 1, errors: [{ file: '10-routing.yaml', line: 13, column: 7, code: 'unknown_field', message: expect.stringContaining('"priorty"') }] },
    });
    // The running rules (with the passwords rule) still decide.
    expect((await r.api('GET', `/api/tickets/${await r.file('Password, third time')}`)).json().ticket.queue).toBe('accounts');

    writeFileSync(path.join(r.rulesDir, '10-routing.yaml'), LIVE_RULES);
    await waitFor(() => decider.status().lastReload?.ok === true, 'the watcher to load the fixed file');
    expect(decider.status().version).toBe(first);
    expect((await health()).statusCode).toBe(200);
  });
});
