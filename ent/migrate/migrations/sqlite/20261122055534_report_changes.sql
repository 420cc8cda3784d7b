-- Create "report_changes" table
CREATE TABLE `report_changes` (`id` text NOT NULL, `created_at` datetime NOT NULL, `field` text NOT NULL, `from_value` text NOT NULL DEFAULT (''), `to_value` text NOT NULL DEFAULT (''), `report_id` text NOT NULL, `actor_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `report_changes_reports_changes` FOREIGN KEY (`report_id`) REFERENCES `reports` (`id`) ON DELETE CASCADE, CONSTRAINT `report_changes_users_report_changes` FOREIGN KEY (`actor_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Create index "reportchange_report_id_created_at" to table: "report_changes"
CREATE INDEX `reportchange_report_id_created_at` ON `report_changes` (`report_id`, `created_at`);
