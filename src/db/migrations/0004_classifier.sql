CREATE TABLE `classifier_models` (
	`version` text PRIMARY KEY NOT NULL,
	`file` text NOT NULL,
	`active` integer DEFAULT false NOT NULL,
	`examples` integer NOT NULL,
	`held_out` integer NOT NULL,
	`held_out_accuracy` real,
	`calibration` text NOT NULL,
	`categories` text NOT NULL,
	`trained_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `training_examples` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`text` text NOT NULL,
	`category` text NOT NULL,
	`source` text NOT NULL,
	`ticket_id` integer,
	`created_by` text DEFAULT 'system' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `training_examples_ticket_uq` ON `training_examples` (`source`,`ticket_id`);--> statement-breakpoint
CREATE INDEX `training_examples_category_idx` ON `training_examples` (`category`);