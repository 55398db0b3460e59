CREATE TABLE `mailbox_accounts` (
	`name` text PRIMARY KEY NOT NULL,
	`folder` text NOT NULL,
	`uid_validity` text,
	`last_uid` integer DEFAULT 0 NOT NULL,
	`checkpoint_at` integer,
	`state` text DEFAULT 'starting' NOT NULL,
	`mode` text,
	`last_success_at` integer,
	`last_error` text,
	`last_error_kind` text,
	`last_error_at` integer,
	`failures` integer DEFAULT 0 NOT NULL,
	`next_retry_at` integer,
	`backlog` integer,
	`unseen` integer,
	`imported` integer DEFAULT 0 NOT NULL,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`skipped` text DEFAULT '[]' NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`state` text DEFAULT 'queued' NOT NULL,
	`ticket_id` integer,
	`message_row_id` integer,
	`mailbox` text,
	`from_address` text NOT NULL,
	`from_name` text,
	`to` text NOT NULL,
	`cc` text DEFAULT '[]' NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text,
	`message_id` text NOT NULL,
	`in_reply_to` text,
	`references` text DEFAULT '[]' NOT NULL,
	`headers` text DEFAULT '{}' NOT NULL,
	`attachments` text DEFAULT '[]' NOT NULL,
	`envelope_from` text,
	`recipient_key` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`server_response` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`next_attempt_at` integer,
	`sending_at` integer,
	`sent_at` integer,
	`failed_at` integer,
	`bounced_at` integer,
	`bounce_reason` text,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`message_row_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_message_id_uq` ON `outbox` (`message_id`);--> statement-breakpoint
CREATE INDEX `outbox_state_idx` ON `outbox` (`state`);--> statement-breakpoint
CREATE INDEX `outbox_recipient_idx` ON `outbox` (`recipient_key`,`created_at`);--> statement-breakpoint
CREATE INDEX `outbox_ticket_idx` ON `outbox` (`ticket_id`);