/** Every module of this installation, in start order. Add one line per module. */
import type { MailroomModule } from './module.js';
import { mailModules } from './mailbox/mailbox-module.js';
import { routingModule } from './routing/routing-module.js';
import { rulesModule } from './rules/rules-module.js';
import { classifierModule } from './classify/classifier-module.js';
import { slaModule } from './sla/sla-module.js';

export const modules: MailroomModule[] = [
  routingModule,
  rulesModule,
  classifierModule,
  ...mailModules,
  slaModule,
];
