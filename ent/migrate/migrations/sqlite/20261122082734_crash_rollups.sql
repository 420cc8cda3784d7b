-- Create "crash_day_users" table
CREATE TABLE `crash_day_users` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `day` datetime NOT NULL, `user_id` text NOT NULL, `project_id` text NOT NULL, CONSTRAINT `crash_day_users_projects_crash_day_users` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE);
-- Create index "crashdayuser_project_id_day_user_id" to table: "crash_day_users"
CREATE UNIQUE INDEX `crashdayuser_project_id_day_user_id` ON `crash_day_users` (`project_id`, `day`, `user_id`);
-- Create "crash_hours" table
CREATE TABLE `crash_hours` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `hour` datetime NOT NULL, `dimension` text NOT NULL, `key` text NOT NULL DEFAULT (''), `occurrences` integer NOT NULL, `project_id` text NOT NULL, CONSTRAINT `crash_hours_projects_crash_hours` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE);
-- Create index "crashhour_project_id_dimension_hour_key" to table: "crash_hours"
CREATE UNIQUE INDEX `crashhour_project_id_dimension_hour_key` ON `crash_hours` (`project_id`, `dimension`, `hour`, `key`);
