/**
 * Classifier tables: labeled examples (agents' corrections, imports) and the trained models (the files
 * live in `<data dir>/models/`; a row says which one is live and how well it did on held-out mail).
 */
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const trainingExamples = sqliteTable('training_examples', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  text: text('text').notNull(),
  category: text('category').notNull(),
  /** `correction` (an agent set the ticket's category) or `import` (a file or the API) */
  source: text('source', { enum: ['correction', 'import'] }).notNull(),
  /** for corrections: the ticket; its latest correction is its one example */
  ticketId: integer('ticket_id'),
  createdBy: text('created_by').notNull().default('system'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
}, (t) => [
  uniqueIndex('training_examples_ticket_uq').on(t.source, t.ticketId),
  index('training_examples_category_idx').on(t.category),
]);

export const classifierModels = sqliteTable('classifier_models', {
  version: text('version').primaryKey(),
  file: text('file').notNull(),
  active: integer('active', { mode: 'boolean' }).notNull().default(false),
  examples: integer('examples').notNull(),
  heldOut: integer('held_out').notNull(),
  /** top-1 accuracy on the held-out examples of the run that trained it */
  heldOutAccuracy: real('held_out_accuracy'),
  /** accuracy and coverage above each confidence threshold, on the same held-out examples */
  calibration: text('calibration', { mode: 'json' }).$type<Array<{ threshold: number; coverage: number; accuracy: number | null }>>().notNull(),
  categories: text('categories', { mode: 'json' }).$type<string[]>().notNull(),
  trainedAt: integer('trained_at', { mode: 'timestamp_ms' }).notNull(),
});
