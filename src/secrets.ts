/**
 * The API token and the inbound webhook secret. When not set in the environment, each is generated on
 * first start, stored in `<data dir>/secrets.json` (mode 0600) and printed once, so a fresh install is
 * never open and never needs a manual step.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MailroomConfig } from './config.js';

type StoredSecrets = { apiToken?: string; inboundSecret?: string };

export type EnsuredSecrets = { apiToken: string; inboundSecret: string; generated: Array<'MAILROOM_API_TOKEN' | 'MAILROOM_INBOUND_SECRET'> };

export const ensureSecrets = (config: Pick<MailroomConfig, 'dataDir' | 'apiToken' | 'inboundSecret'>): EnsuredSecrets => {
  const file = path.join(config.dataDir, 'secrets.json');
  const stored: StoredSecrets = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const generated: EnsuredSecrets['generated'] = [];
  const make = () => randomBytes(24).toString('base64url');
  let dirty = false;
  const apiToken = config.apiToken ?? stored.apiToken ?? (dirty = true, generated.push('MAILROOM_API_TOKEN'), stored.apiToken = make());
  const inboundSecret = config.inboundSecret ?? stored.inboundSecret ?? (dirty = true, generated.push('MAILROOM_INBOUND_SECRET'), stored.inboundSecret = make());
  if (dirty) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
  return { apiToken, inboundSecret, generated };
};
