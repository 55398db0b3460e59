CREATE TABLE `attachments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`message_id` integer NOT NULL,
	`filename` text,
	`content_type` text NOT NULL,
	`size` integer NOT NULL,
	`content_id` text,
	`disposition` text,
	`sha256` text NOT NULL,
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `attachments_message_idx` ON `attachments` (`message_id`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text,
	`domain` text NOT NULL,
	`tier` text,
	`tags` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_email_uq` ON `customers` (`email`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ticket_id` integer NOT NULL,
	`raw_message_id` integer,
	`direction` text NOT NULL,
	`message_id` text NOT NULL,
	`in_reply_to` text,
	`references` text DEFAULT '[]' NOT NULL,
	`from_address` text,
	`from_name` text,
	`to` text DEFAULT '[]' NOT NULL,
	`cc` text DEFAULT '[]' NOT NULL,
	`reply_to` text DEFAULT '[]' NOT NULL,
	`subject` text NOT NULL,
	`sent_at` integer,
	`text` text NOT NULL,
	`html` text,
	`visible_text` text NOT NULL,
	`flags` text NOT NULL,
	`headers` text NOT NULL,
	`warnings` text DEFAULT '[]' NOT NULL,
	`category` text,
	`confidence` real,
	`decision` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`raw_message_id`) REFERENCES `raw_messages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `messages_ticket_idx` ON `messages` (`ticket_id`);--> statement-breakpoint
CREATE INDEX `messages_message_id_idx` ON `messages` (`message_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_raw_uq` ON `messages` (`raw_message_id`);--> statement-breakpoint
CREATE TABLE `raw_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`channel` text NOT NULL,
	`channel_ref` text,
	`header_message_id` text,
	`state` text DEFAULT 'accepted' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`received_at` integer NOT NULL,
	`processed_at` integer,
	`meta` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `raw_messages_sha256_uq` ON `raw_messages` (`sha256`);--> statement-breakpoint
CREATE UNIQUE INDEX `raw_messages_channel_msgid_uq` ON `raw_messages` (`channel`,`header_message_id`) WHERE header_message_id is not null;--> statement-breakpoint
CREATE INDEX `raw_messages_state_idx` ON `raw_messages` (`state`);--> statement-breakpoint
CREATE TABLE `ticket_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ticket_id` integer NOT NULL,
	`type` text NOT NULL,
	`actor` text DEFAULT 'system' NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ticket_events_ticket_idx` ON `ticket_events` (`ticket_id`,`at`);--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject` text NOT NULL,
	`subject_key` text NOT NULL,
	`status` text DEFAULT 'new' NOT NULL,
	`customer_id` integer NOT NULL,
	`channel` text NOT NULL,
	`mailbox` text,
	`queue` text DEFAULT 'triage' NOT NULL,
	`category` text,
	`priority` text DEFAULT 'normal' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`assignee` text,
	`thread_index_root` text,
	`message_count` integer DEFAULT 0 NOT NULL,
	`transfer_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_customer_message_at` integer,
	`first_response_at` integer,
	`resolved_at` integer,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tickets_status_idx` ON `tickets` (`status`);--> statement-breakpoint
CREATE INDEX `tickets_customer_idx` ON `tickets` (`customer_id`,`subject_key`);--> statement-breakpoint
CREATE INDEX `tickets_queue_idx` ON `tickets` (`queue`,`status`);--> statement-breakpoint
CREATE INDEX `tickets_thread_index_idx` ON `tickets` (`thread_index_root`);