/**
 * Public web forms: GET /forms/:formId serves a plain, accessible HTML form (no JavaScript needed);
 * POST /forms/:formId takes urlencoded or JSON. Rate limited per IP. The honeypot field (`website`,
 * hidden from people, filled by bots) makes the submission stored-but-quarantined, and the bot sees the
 * same thank-you page as a person.
 */
import { Type } from '@sinclair/typebox';
import { z } from 'zod';
import type { FormConfig } from '../../config.js';
import { AppError } from '../../errors.js';
import { acceptRawMessage } from '../../intake/accept-raw-message.js';
import { composeFormMessage } from '../../intake/compose-form-message.js';
import type { Services } from '../../services.js';
import { esc, page } from '../../web/html.js';
import type { App } from '../types.js';

export const FORM_BODY_LIMIT = 64 * 1024;
export const HONEYPOT_FIELD = 'website';

const submissionSchema = z.object({
  name: z.string().trim().max(200, 'at most 200 characters').default(''),
  email: z.string().trim().email('a valid e-mail address, like you@example.com').max(320),
  subject: z.string().trim().max(300, 'at most 300 characters').default(''),
  message: z.string().trim().min(1, 'please write a message').max(20_000, 'at most 20,000 characters'),
  [HONEYPOT_FIELD]: z.string().optional(),
});

type FieldErrors = Partial<Record<'name' | 'email' | 'subject' | 'message', string>>;

const formPage = (form: FormConfig, values: Record<string, string> = {}, errors: FieldErrors = {}): string => {
  const field = (name: keyof FieldErrors, label: string, input: string) => `
<label for="${name}">${esc(label)}</label>
${errors[name] ? `<p class="error" id="${name}-error">${esc(errors[name])}</p>` : ''}
${input}`;
  const attrs = (name: keyof FieldErrors) => `id="${name}" name="${name}"${errors[name] ? ` aria-invalid="true" aria-describedby="${name}-error"` : ''}`;
  const summary = Object.keys(errors).length ? `<p class="error" role="alert">Please correct the fields marked below.</p>` : '';
  return page(form.title, `<h1>${esc(form.title)}</h1>
${summary}
<form method="post" action="/forms/${esc(form.id)}" novalidate>
${field('name', 'Your name', `<input ${attrs('name')} autocomplete="name" value="${esc(values.name)}">`)}
${field('email', 'Your e-mail address (required)', `<input ${attrs('email')} type="email" autocomplete="email" required value="${esc(values.email)}">`)}
${field('subject', 'Subject', `<input ${attrs('subject')} value="${esc(values.subject)}">`)}
${field('message', 'Your message (required)', `<textarea ${attrs('message')} required>${esc(values.message)}</textarea>`)}
<div class="hp" aria-hidden="true"><label for="${HONEYPOT_FIELD}">Leave this empty</label><input id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></div>
<button type="submit">Send</button>
</form>`);
};

const thankYouPage = (form: FormConfig) => page(form.title, `<h1>Thank you</h1>
<p role="status">We have received your message and will reply by e-mail.</p>`);

const wantsJson = (contentType: string | undefined, accept: string | undefined) =>
  (contentType ?? '').includes('application/json') || ((accept ?? '').includes('application/json') && !(accept ?? '').includes('text/html'));

export const formRoutes = async (app: App, services: Services): Promise<void> => {
  const findForm = (id: string): FormConfig => {
    const form = services.config.forms.find((f) => f.id === id);
    if (!form) throw new AppError('NOT_FOUND', `No form "${id}"`);
    return form;
  };
  const rateLimit = { max: services.config.formRateLimitPerMinute, timeWindow: '1 minute' };

  app.get('/forms/:formId', {
    config: { rateLimit: { max: rateLimit.max * 6, timeWindow: '1 minute' } },
    schema: { tags: ['forms'], summary: 'The HTML form', params: Type.Object({ formId: Type.String({ maxLength: 64 }) }) },
  }, async (request, reply) => {
    const form = findForm(request.params.formId);
    return reply.type('text/html; charset=utf-8').send(formPage(form));
  });

  app.post('/forms/:formId', {
    bodyLimit: FORM_BODY_LIMIT,
    config: { rateLimit },
    schema: {
      tags: ['forms'],
      summary: 'Submit a form (urlencoded or JSON): name, email, subject, message',
      params: Type.Object({ formId: Type.String({ maxLength: 64 }) }),
    },
  }, async (request, reply) => {
    const form = findForm(request.params.formId);
    const json = wantsJson(request.headers['content-type'], request.headers.accept);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : ''])) as Record<string, string>;
    const parsed = submissionSchema.safeParse(body);
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0]) as keyof FieldErrors;
        errors[key] ??= issue.message;
      }
      if (json) return reply.status(400).send({ error: { code: 'INVALID_REQUEST', message: 'The form has errors', details: errors } });
      return reply.status(400).type('text/html; charset=utf-8').send(formPage(form, values, errors));
    }
    const now = services.clock.now();
    const raw = await composeFormMessage({
      form, submission: parsed.data, domain: services.config.domain, now,
      meta: { ip: request.ip, userAgent: request.headers['user-agent'] },
    });
    const honeypot = (parsed.data[HONEYPOT_FIELD] ?? '').trim() !== '';
    const result = await acceptRawMessage({
      db: services.db, blobs: services.blobs, queue: services.queue, raw, channel: 'form', channelRef: form.id,
      maxBytes: services.config.maxMessageBytes, now, meta: { ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
      quarantineReason: honeypot ? `spam: the hidden "${HONEYPOT_FIELD}" field was filled in` : undefined,
    });
    if (json) return reply.status(202).send({ id: result.id, status: result.status });
    return reply.status(200).type('text/html; charset=utf-8').send(thankYouPage(form));
  });
};
