CREATE TABLE `sla_crossings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ticket_id` integer NOT NULL,
	`key` text NOT NULL,
	`clock` text NOT NULL,
	`cycle` integer NOT NULL,
	`kind` text NOT NULL,
	`policy` text NOT NULL,
	`at` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	`outcome` text,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sla_crossings_ticket_key_uq` ON `sla_crossings` (`ticket_id`,`key`);--> statement-breakpoint
CREATE INDEX `sla_crossings_kind_at_idx` ON `sla_crossings` (`kind`,`at`);--> statement-breakpoint
CREATE TABLE `ticket_sla` (
	`ticket_id` integer PRIMARY KEY NOT NULL,
	`policy` text NOT NULL,
	`policy_reason` text NOT NULL,
	`calendar` text NOT NULL,
	`config_version` text NOT NULL,
	`state` text NOT NULL,
	`due_at` integer,
	`first_response_state` text NOT NULL,
	`first_response_started_at` integer,
	`first_response_stopped_at` integer,
	`first_response_stop_reason` text,
	`first_response_target_minutes` real,
	`first_response_business_minutes` real DEFAULT 0 NOT NULL,
	`first_response_warn_at` integer,
	`first_response_due_at` integer,
	`first_response_breached` integer DEFAULT false NOT NULL,
	`next_response_cycle` integer DEFAULT 0 NOT NULL,
	`next_response_state` text NOT NULL,
	`next_response_warn_at` integer,
	`next_response_due_at` integer,
	`next_response_breached` integer DEFAULT false NOT NULL,
	`resolution_state` text NOT NULL,
	`resolution_started_at` integer,
	`resolution_stopped_at` integer,
	`resolution_target_minutes` real,
	`resolution_business_minutes` real DEFAULT 0 NOT NULL,
	`resolution_warn_at` integer,
	`resolution_due_at` integer,
	`resolution_breached` integer DEFAULT false NOT NULL,
	`timer_at` integer,
	`timer_key` text,
	`timer_generation` integer DEFAULT 0 NOT NULL,
	`detail` text NOT NULL,
	`computed_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ticket_sla_state_idx` ON `ticket_sla` (`state`);--> statement-breakpoint
CREATE INDEX `ticket_sla_timer_idx` ON `ticket_sla` (`timer_at`);--> statement-breakpoint
CREATE INDEX `ticket_sla_due_idx` ON `ticket_sla` (`due_at`);--> statement-breakpoint
CREATE INDEX `ticket_sla_config_idx` ON `ticket_sla` (`config_version`);