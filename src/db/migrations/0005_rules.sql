CREATE TABLE `rule_shadows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version` text NOT NULL,
	`base_version` text NOT NULL,
	`files` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`compared` integer DEFAULT 0 NOT NULL,
	`differed` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rule_shadows_one_active_uq` ON `rule_shadows` (`status`) WHERE status = 'active';--> statement-breakpoint
CREATE TABLE `shadow_diffs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`shadow_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`ticket_id` integer NOT NULL,
	`fields` text NOT NULL,
	`old_values` text NOT NULL,
	`new_values` text NOT NULL,
	`matched` text DEFAULT '[]' NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`shadow_id`) REFERENCES `rule_shadows`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `shadow_diffs_shadow_idx` ON `shadow_diffs` (`shadow_id`,`id`);