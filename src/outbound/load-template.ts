/**
 * Reads a response template by name: `<MAILROOM_TEMPLATES_DIR>/<name>.liquid` (and `<name>.html.liquid`
 * when present), falling back to the copy bundled with Mailroom (`templates/` in the repository), so a
 * fresh install acknowledges mail without any set-up and an installation overrides a template by
 * putting a file of the same name in its own directory. Read on every use: an edited template takes
 * effect with the next message, no restart.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TemplateError, type TemplateSource } from './render-template.js';

/** The templates shipped with Mailroom. */
export const BUNDLED_TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

/** Template names are file names: letters, digits, `-` and `_` (no path separators, no dots). */
export const TEMPLATE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

const readIfExists = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8') : null);

/** Loads template `name`; throws TemplateError when the name is invalid or no file has it. */
export const loadTemplate = ({ templatesDir, name }: { templatesDir: string; name: string }): TemplateSource => {
  if (!TEMPLATE_NAME.test(name)) throw new TemplateError(name, 'not a valid template name (letters, digits, - and _)');
  for (const dir of [templatesDir, BUNDLED_TEMPLATES_DIR]) {
    const text = readIfExists(path.join(dir, `${name}.liquid`));
    if (text !== null) return { name, text, html: readIfExists(path.join(dir, `${name}.html.liquid`)) };
  }
  throw new TemplateError(name, `no file ${name}.liquid in ${templatesDir} or ${BUNDLED_TEMPLATES_DIR}`);
};

/** Like loadTemplate, but null when the template does not exist (optional templates such as the reply wrapper). */
export const loadOptionalTemplate = ({ templatesDir, name }: { templatesDir: string; name: string }): TemplateSource | null => {
  try {
    return loadTemplate({ templatesDir, name });
  } catch (err) {
    if (err instanceof TemplateError && /no file/.test(err.message)) return null;
    throw err;
  }
};
