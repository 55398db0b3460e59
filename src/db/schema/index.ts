/** Every table, one file per area; drizzle-kit reads this module to generate migrations. */
export * from './intake.js';
export * from './mailbox.js';
export * from './outbound.js';
export * from './sla.js';
export * from './routing.js';
export * from './classifier.js';
export * from './rules.js';
