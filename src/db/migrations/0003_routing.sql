CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`email` text,
	`skills` text DEFAULT '[]' NOT NULL,
	`capacity` integer,
	`available` integer DEFAULT true NOT NULL,
	`last_assigned_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `queue_members` (
	`queue` text NOT NULL,
	`agent` text NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`queue`, `agent`),
	FOREIGN KEY (`queue`) REFERENCES `queues`(`name`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `queues` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`strategy` text DEFAULT 'pull' NOT NULL,
	`release_policy` text DEFAULT 'unstarted' NOT NULL,
	`pointer` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ticket_leases` (
	`ticket_id` integer PRIMARY KEY NOT NULL,
	`agent` text NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ticket_leases_agent_idx` ON `ticket_leases` (`agent`);