-- Create "crash_days" table
CREATE TABLE `crash_days` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `day` datetime NOT NULL, `dimension` text NOT NULL, `key` text NOT NULL, `occurrences` integer NOT NULL, `project_id` text NOT NULL, CONSTRAINT `crash_days_projects_crash_days` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE);
-- Create index "crashday_project_id_dimension_day_key" to table: "crash_days"
CREATE UNIQUE INDEX `crashday_project_id_dimension_day_key` ON `crash_days` (`project_id`, `dimension`, `day`, `key`);
-- Create "crash_users" table
CREATE TABLE `crash_users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `user_id` text NOT NULL, `last_seen_at` datetime NOT NULL, `project_id` text NOT NULL, CONSTRAINT `crash_users_projects_crash_users` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE);
-- Create index "crashuser_project_id_user_id" to table: "crash_users"
CREATE UNIQUE INDEX `crashuser_project_id_user_id` ON `crash_users` (`project_id`, `user_id`);
-- Create index "crashuser_project_id_last_seen_at" to table: "crash_users"
CREATE INDEX `crashuser_project_id_last_seen_at` ON `crash_users` (`project_id`, `last_seen_at`);
-- Replaced by crash_users: who crashed last when, not who crashed on which day.
DROP TABLE "crash_day_users";
