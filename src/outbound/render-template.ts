/**
 * Renders a response template (acknowledgement, rule auto-reply, agent reply wrapper) with LiquidJS.
 * Pure: the template text comes in (see load-template.ts for where it is read), the rendered subject,
 * text and HTML come out.
 *
 * Why LiquidJS and these options: templates are edited by supervisors, not developers, so the engine
 * must not run code. Liquid has no expressions that reach JavaScript; `ownPropertyOnly` stops
 * `{{ customer.constructor }}`-style walks up the prototype chain; `templates: {}` gives `include` and
 * `render` nothing to read (no file system access from a template); `strictVariables: false` renders a
 * missing variable as empty instead of failing the reply; `strictFilters: true` makes a misspelled
 * filter an error at once rather than silent output; parse, render and memory limits bound a
 * pathological template. HTML templates escape every `{{ }}` output (a customer's name may contain
 * markup); text templates do not (there is nothing to escape in text/plain).
 *
 * A template file is the text body, optionally preceded by front matter holding the subject:
 *
 *   ---
 *   subject: "We received your message {{ ticket.token }}"
 *   ---
 *   Hello {{ customer.name | default: "there" }}, ...
 *
 * The rendered subject is made header-safe and always carries the ticket token (appended when the
 * template left it out), so a reply to the acknowledgement threads even if headers are lost.
 */
import { Liquid } from 'liquidjs';
import { parse as parseYaml } from 'yaml';
import { headerText } from './header-safe.js';

/** Template size, render time and memory bounds. */
export const MAX_TEMPLATE_CHARS = 64 * 1024;
export const TEMPLATE_RENDER_LIMIT_MS = 1_000;
export const TEMPLATE_MEMORY_LIMIT = 10_000_000;

export type TemplateSource = {
  name: string;
  /** the text template, front matter included */
  text: string;
  /** the HTML template, when there is one (`<name>.html.liquid`) */
  html: string | null;
};

export type TemplateVars = {
  ticket: { id: number; token: string; subject: string };
  customer: { name: string; email: string };
  /** the subject of the customer's message */
  subject: string;
  mailbox: { name: string | null; address: string; fromName: string | null };
  /** the agent's text (reply wrapper only) */
  body?: string;
};

export type RenderedTemplate = { subject: string; text: string; html: string | null };

export class TemplateError extends Error {
  constructor(readonly template: string, message: string) {
    super(`template ${template}: ${message}`);
    this.name = 'TemplateError';
  }
}

const baseOptions = {
  strictVariables: false,
  strictFilters: true,
  ownPropertyOnly: true,
  templates: {},
  parseLimit: MAX_TEMPLATE_CHARS * 2,
  renderLimit: TEMPLATE_RENDER_LIMIT_MS,
  memoryLimit: TEMPLATE_MEMORY_LIMIT,
};
const textEngine = new Liquid(baseOptions);
const htmlEngine = new Liquid({ ...baseOptions, outputEscape: 'escape' });

/** Splits `---\nsubject: ...\n---\n` front matter from the body. */
export const splitFrontMatter = (source: string): { subject: string | null; body: string } => {
  const m = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(source);
  if (!m) return { subject: null, body: source };
  const meta: unknown = parseYaml(m[1]);
  const subject = meta && typeof meta === 'object' && 'subject' in meta ? String((meta as { subject: unknown }).subject ?? '') : null;
  return { subject, body: source.slice(m[0].length) };
};

const render = (engine: Liquid, template: string, source: string, vars: TemplateVars): string => {
  if (source.length > MAX_TEMPLATE_CHARS) throw new TemplateError(template, `longer than ${MAX_TEMPLATE_CHARS} characters`);
  try {
    return String(engine.parseAndRenderSync(source, vars));
  } catch (err) {
    throw new TemplateError(template, (err as Error).message.split('\n')[0]);
  }
};

/** The subject a template gets when it sets none: `Re: <their subject> [#id]`. */
export const defaultSubject = (vars: TemplateVars): string => `Re: ${vars.subject || vars.ticket.subject} ${vars.ticket.token}`;

/** Renders subject, text and (when the template has one) HTML. Throws TemplateError on a broken template. */
export const renderTemplate = ({ source, vars }: { source: TemplateSource; vars: TemplateVars }): RenderedTemplate => {
  const { subject: subjectTemplate, body } = splitFrontMatter(source.text);
  const text = render(textEngine, source.name, body, vars).replace(/^\s*\n/, '');
  let subject = headerText(subjectTemplate !== null ? render(textEngine, `${source.name} (subject)`, subjectTemplate, vars) : defaultSubject(vars), 250);
  if (!subject) subject = headerText(defaultSubject(vars), 250);
  if (!subject.includes(vars.ticket.token)) subject = `${subject} ${vars.ticket.token}`;
  const html = source.html !== null ? render(htmlEngine, `${source.name}.html`, splitFrontMatter(source.html).body, vars) : null;
  return { subject, text, html };
};
