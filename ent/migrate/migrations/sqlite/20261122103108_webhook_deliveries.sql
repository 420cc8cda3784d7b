-- Create "webhook_deliveries" table
CREATE TABLE `webhook_deliveries` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `event` text NOT NULL, `item_id` text NOT NULL DEFAULT (''), `status` text NOT NULL DEFAULT ('pending'), `attempts` integer NOT NULL DEFAULT (0), `response_code` integer NULL, `last_error` text NULL, `delivered_at` datetime NULL, `project_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `webhook_deliveries_projects_webhook_deliveries` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE);
-- Create index "webhookdelivery_project_id_created_at" to table: "webhook_deliveries"
CREATE INDEX `webhookdelivery_project_id_created_at` ON `webhook_deliveries` (`project_id`, `created_at`);
