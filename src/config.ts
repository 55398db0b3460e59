/**
 * Mailroom's configuration: one typed, validated object built once at start from the environment and
 * an optional YAML file (`MAILROOM_CONFIG`, default `./mailroom.yaml` when it exists). Nothing else in
 * the code reads `process.env`. A bad value stops start-up with the variable's name and what was expected.
 *
 * `.env` files are never loaded implicitly: use `node --env-file=.env` or `mailroom serve --env-file .env`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

const formSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'letters, digits, - and _ only'),
  title: z.string().default('Contact us'),
  /** the mailbox name tickets from this form are filed under (rules see it as `mailbox`) */
  mailbox: z.string().default('support'),
  /** the queue tickets from this form start in, unless a rule routes them elsewhere */
  queue: z.string().optional(),
  acknowledge: z.boolean().default(true),
}).strict();
export type FormConfig = z.infer<typeof formSchema>;

/** An address (and display name) mail can be sent from; no CR/LF so it can never break a header. */
const displayName = z.string().max(200).regex(/^[^\r\n\0]*$/, 'no line breaks');

const mailboxSchema = z.object({
  /** a name for this mailbox, used in logs, the API and rules (`mailbox`) */
  name: z.string().min(1).regex(/^[^\r\n\0]*$/, 'no line breaks'),
  /** the address customers write to; replies go out from it */
  address: z.string().email(),
  /** display name on mail sent from this mailbox, e.g. "ACME Support" */
  fromName: displayName.optional(),
  /** send an acknowledgement ("we got your message, your reference is #123") for each new ticket */
  acknowledge: z.boolean().default(true),
  /** the template (file name in MAILROOM_TEMPLATES_DIR without `.liquid`) for acknowledgements */
  acknowledgeTemplate: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'letters, digits, - and _ only').default('acknowledgement'),
  imap: z.object({
    host: z.string().min(1),
    port: z.number().int().positive().default(993),
    /** TLS from the first byte (993); false: plain, upgraded with STARTTLS when the server offers it */
    secure: z.boolean().default(true),
    user: z.string().min(1),
    password: z.string().optional(),
    /** OAuth2 access token (XOAUTH2 / OAUTHBEARER), instead of a password */
    accessToken: z.string().optional(),
    folder: z.string().default('INBOX'),
    afterImport: z.union([z.literal('seen'), z.object({ moveTo: z.string().min(1) }).strict()]).default('seen'),
    tlsRejectUnauthorized: z.boolean().default(true),
    /** use IMAP IDLE when the server offers it (new mail within seconds); false: poll only */
    idle: z.boolean().default(true),
    /** how often the folder is checked without IDLE, and the safety-net re-check with it */
    pollSeconds: z.number().positive().max(3600).default(60),
    /** messages fetched, stored and flagged per round trip */
    batchSize: z.number().int().min(1).max(1000).default(50),
  }).strict()
    .refine((i) => Boolean(i.password) !== Boolean(i.accessToken), { message: 'set exactly one of password or accessToken' })
    .optional(),
}).strict();
export type MailboxConfig = z.infer<typeof mailboxSchema>;

/**
 * Outgoing mail. Without `host` nothing is sent: the outbox keeps every message queued and /health says
 * so. The other fields (sender defaults, loop limits) apply either way.
 */
const smtpSchema = z.object({
  host: z.string().min(1).optional(),
  port: z.number().int().positive().default(587),
  /** TLS from the first byte (465); false: STARTTLS when offered (587, 25) */
  secure: z.boolean().default(false),
  user: z.string().optional(),
  password: z.string().optional(),
  /** OAuth2 access token for XOAUTH2, instead of a password (needs `user`) */
  accessToken: z.string().optional(),
  tlsRejectUnauthorized: z.boolean().default(true),
  /** From address for mail that belongs to no configured mailbox (web forms whose mailbox is not in `mailboxes`) */
  from: z.string().email().optional(),
  fromName: displayName.optional(),
  /** at most this many automatic replies (acknowledgements, rule auto-replies) per recipient per hour */
  autoReplyLimitPerHour: z.number().int().min(0).max(1000).default(3),
  /** send automatic replies with an empty envelope sender (`MAIL FROM:<>`, RFC 3834 §3.3); many submission servers refuse it */
  autoReplyNullSender: z.boolean().default(false),
  /** parallel SMTP connections (and outbox jobs) per process */
  maxConnections: z.number().int().min(1).max(50).default(4),
  /** first retry delay after a temporary failure; doubles each time up to `retryMaxSeconds` */
  retryBaseSeconds: z.number().positive().default(30),
  retryMaxSeconds: z.number().positive().default(3600),
  /** tries before a message that keeps failing temporarily is marked failed */
  maxAttempts: z.number().int().min(1).max(100).default(12),
}).strict().refine((s) => !(s.password && s.accessToken), { message: 'set at most one of password or accessToken' });
export type SmtpConfig = z.infer<typeof smtpSchema>;

const queueSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _'),
  description: z.string().default(''),
  strategy: z.enum(['pull', 'round_robin', 'least_loaded']).default('pull'),
  releasePolicy: z.enum(['unstarted', 'all', 'none']).default('unstarted'),
  /** agent ids, in round-robin order */
  members: z.array(z.string()).default([]),
}).strict();
export type QueueConfig = z.infer<typeof queueSchema>;

const agentSchema = z.object({
  id: z.string().regex(/^[\w.@+-]{1,100}$/, 'letters, digits and . @ + - _'),
  name: z.string().default(''),
  email: z.string().email().optional(),
  skills: z.array(z.string()).default([]),
  capacity: z.number().int().positive().nullable().default(null),
  available: z.boolean().default(true),
}).strict();
export type AgentConfig = z.infer<typeof agentSchema>;

const fileSchema = z.object({
  forms: z.array(formSchema).optional(),
  queues: z.array(queueSchema).optional(),
  agents: z.array(agentSchema).optional(),
  mailboxes: z.array(mailboxSchema).optional(),
  smtp: smtpSchema.optional(),
}).strict();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  MAILROOM_DATA_DIR: z.string().min(1).default('./data'),
  REDIS_URL: z.string().url().optional(),
  MAILROOM_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]+$/).default('mailroom'),
  MAILROOM_API_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  MAILROOM_INBOUND_SECRET: z.string().min(16, 'at least 16 characters').optional(),
  MAILROOM_MAX_MESSAGE_BYTES: z.coerce.number().int().positive().max(512 * 1024 * 1024).default(DEFAULT_MAX_MESSAGE_BYTES),
  MAILROOM_RULES_DIR: z.string().default('./rules'),
  MAILROOM_TEMPLATES_DIR: z.string().default('./templates'),
  MAILROOM_CONFIG: z.string().optional(),
  /** the domain of Message-IDs Mailroom creates; loops are recognised by it */
  MAILROOM_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+$/).default('mailroom.local'),
  /** text before the number in the subject token: `[#123]`, or `[ACME #123]` with MAILROOM_TICKET_TAG=ACME */
  MAILROOM_TICKET_TAG: z.string().regex(/^[A-Za-z0-9_-]*$/).default(''),
  /** how long an open ticket may be matched by subject alone (same sender only) */
  MAILROOM_SUBJECT_THREAD_DAYS: z.coerce.number().min(0).default(14),
  MAILROOM_FORM_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  MAILROOM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAILROOM_INTAKE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** below this confidence a message is `uncategorized` and goes to triage (pick it from GET /api/classifier's calibration table) */
  MAILROOM_CLASSIFIER_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
  MAILROOM_INTAKE_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  MAILROOM_INTAKE_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(1000),
});

export type MailroomConfig = {
  port: number;
  host: string;
  dataDir: string;
  redisUrl: string | null;
  queuePrefix: string;
  /** null until `ensureSecrets` has created or read them */
  apiToken: string | null;
  inboundSecret: string | null;
  maxMessageBytes: number;
  rulesDir: string;
  templatesDir: string;
  domain: string;
  ticketTag: string;
  subjectThreadDays: number;
  formRateLimitPerMinute: number;
  logLevel: z.infer<typeof envSchema>['MAILROOM_LOG_LEVEL'];
  intakeConcurrency: number;
  classifierThreshold: number;
  /** tries per intake job and the first retry delay (doubling after) */
  intakeRetry: { attempts: number; backoffMs: number };
  forms: FormConfig[];
  /** queues and agents seeded into the database at start (the API can change them afterwards) */
  queues: QueueConfig[];
  agents: AgentConfig[];
  mailboxes: MailboxConfig[];
  smtp: SmtpConfig | null;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const DEFAULT_FORMS: FormConfig[] = [{ id: 'contact', title: 'Contact us', mailbox: 'support', acknowledge: true }];

const describeIssues = (issues: z.core.$ZodIssue[], where: (p: PropertyKey[]) => string): string =>
  issues.map((i) => `${where(i.path)}: ${i.message}`).join('\n');

/**
 * Builds the config from an environment map (pass `process.env` at the entry point, a literal in tests).
 * Throws ConfigError naming every bad variable.
 */
export const loadConfig = (env: Record<string, string | undefined>, cwd = process.cwd()): MailroomConfig => {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration:\n${describeIssues(parsed.error.issues, (p) => String(p[0]))}`);
  }
  const e = parsed.data;
  const configPath = e.MAILROOM_CONFIG ?? (existsSync(path.resolve(cwd, 'mailroom.yaml')) ? 'mailroom.yaml' : undefined);
  let file: z.infer<typeof fileSchema> = {};
  if (configPath) {
    const full = path.resolve(cwd, configPath);
    if (!existsSync(full)) throw new ConfigError(`MAILROOM_CONFIG: file not found: ${full}`);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(full, 'utf8')) ?? {};
    } catch (err) {
      throw new ConfigError(`${full}: not valid YAML: ${(err as Error).message}`);
    }
    const fileParsed = fileSchema.safeParse(raw);
    if (!fileParsed.success) {
      throw new ConfigError(`invalid configuration in ${full}:\n${describeIssues(fileParsed.error.issues, (p) => p.join('.'))}`);
    }
    file = fileParsed.data;
  }
  const forms = file.forms ?? DEFAULT_FORMS;
  const dupForm = forms.find((f, i) => forms.findIndex((g) => g.id === f.id) !== i);
  if (dupForm) throw new ConfigError(`forms: form id "${dupForm.id}" is defined twice`);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(cwd, e.MAILROOM_DATA_DIR),
    redisUrl: e.REDIS_URL ?? null,
    queuePrefix: e.MAILROOM_QUEUE_PREFIX,
    apiToken: e.MAILROOM_API_TOKEN ?? null,
    inboundSecret: e.MAILROOM_INBOUND_SECRET ?? null,
    maxMessageBytes: e.MAILROOM_MAX_MESSAGE_BYTES,
    rulesDir: path.resolve(cwd, e.MAILROOM_RULES_DIR),
    templatesDir: path.resolve(cwd, e.MAILROOM_TEMPLATES_DIR),
    domain: e.MAILROOM_DOMAIN,
    ticketTag: e.MAILROOM_TICKET_TAG,
    subjectThreadDays: e.MAILROOM_SUBJECT_THREAD_DAYS,
    formRateLimitPerMinute: e.MAILROOM_FORM_RATE_LIMIT,
    logLevel: e.MAILROOM_LOG_LEVEL,
    intakeConcurrency: e.MAILROOM_INTAKE_CONCURRENCY,
    classifierThreshold: e.MAILROOM_CLASSIFIER_THRESHOLD,
    intakeRetry: { attempts: e.MAILROOM_INTAKE_ATTEMPTS, backoffMs: e.MAILROOM_INTAKE_BACKOFF_MS },
    forms,
    queues: file.queues ?? [],
    agents: file.agents ?? [],
    mailboxes: file.mailboxes ?? [],
    smtp: file.smtp ?? null,
  };
};
