/**
 * GET /api/channels: every mailbox (IMAP state, last success, last error, backlog, checkpoint), web
 * form and the outbox (SMTP configured or not, queued, failed). The full error text is here, behind
 * the API token; /health shows only its kind.
 */
import { Type } from '@sinclair/typebox';
import type { Services } from '../../services.js';
import { readChannelStatus } from '../../mailbox/read-channel-status.js';
import { bearerSecurity, type App } from '../types.js';

const Str = Type.Union([Type.String(), Type.Null()]);
const Num = Type.Union([Type.Integer(), Type.Null()]);

const Mailbox = Type.Object({
  name: Type.String(),
  address: Type.String(),
  acknowledge: Type.Boolean(),
  imap: Type.Union([Type.Null(), Type.Object({
    host: Type.String(), port: Type.Integer(), user: Type.String(), folder: Type.String(), afterImport: Type.String(),
    auth: Type.Union([Type.Literal('password'), Type.Literal('oauth2')]),
  })]),
  state: Type.String({ description: 'starting, connecting, importing, waiting, error, stopped; `webhook only` without imap' }),
  mode: Type.Union([Type.Literal('idle'), Type.Literal('poll'), Type.Null()], { description: 'idle: IMAP IDLE (pushed); poll: checked every pollSeconds' }),
  lastSuccessAt: Str,
  lastError: Str,
  lastErrorKind: Type.Union([Type.Literal('auth'), Type.Literal('tls'), Type.Literal('connection'), Type.Literal('folder'), Type.Literal('protocol'), Type.Null()]),
  lastErrorAt: Str,
  failures: Type.Integer({ description: 'consecutive failed attempts' }),
  nextRetryAt: Str,
  backlog: Num,
  unseen: Num,
  checkpoint: Type.Union([Type.Null(), Type.Object({ uidValidity: Str, lastUid: Type.Integer(), at: Str })]),
  imported: Type.Integer(),
  duplicates: Type.Integer(),
  skipped: Type.Array(Type.Object({ uid: Type.Integer(), reason: Type.String(), at: Type.String() })),
});

const Outbox = Type.Object({
  smtp: Type.Object({ configured: Type.Boolean(), server: Str }),
  counts: Type.Object({ queued: Type.Integer(), sending: Type.Integer(), sent: Type.Integer(), failed: Type.Integer(), bounced: Type.Integer() }),
  oldestQueuedAt: Str,
  lastSentAt: Str,
  stuck: Type.Integer(),
  lastError: Str,
});

export const channelRoutes = async (app: App, services: Services): Promise<void> => {
  app.get('/api/channels', {
    schema: {
      tags: ['channels'],
      summary: 'Mailboxes (IMAP state, errors, backlog, checkpoint), web forms and the outbox',
      security: bearerSecurity,
      response: {
        200: Type.Object({
          mailboxes: Type.Array(Mailbox),
          forms: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), mailbox: Type.String(), acknowledge: Type.Boolean() })),
          outbox: Outbox,
        }),
      },
    },
  }, async () => readChannelStatus({ db: services.db, config: services.config }));
};
