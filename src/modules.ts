/** Every module of this installation, in start order. Add one line per module. */
import type { MailroomModule } from './module.js';

export const modules: MailroomModule[] = [];
