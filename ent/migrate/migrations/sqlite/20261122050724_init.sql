-- Create "api_tokens" table
CREATE TABLE `api_tokens` (`id` text NOT NULL, `created_at` datetime NOT NULL, `name` text NOT NULL, `token_hash` text NOT NULL, `token_prefix` text NOT NULL, `last_used_at` datetime NULL, `revoked_at` datetime NULL, `created_by_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `api_tokens_users_api_tokens` FOREIGN KEY (`created_by_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX `api_tokens_token_hash_key` ON `api_tokens` (`token_hash`);
-- Create "attachments" table
CREATE TABLE `attachments` (`id` text NOT NULL, `created_at` datetime NOT NULL, `filename` text NOT NULL, `mime_type` text NOT NULL, `size` integer NOT NULL, `sha256` text NOT NULL, `storage_key` text NOT NULL, `crash_report_id` text NULL, `feedback_id` text NULL, `report_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `attachments_crash_reports_attachments` FOREIGN KEY (`crash_report_id`) REFERENCES `crash_reports` (`id`) ON DELETE CASCADE, CONSTRAINT `attachments_feedback_attachments` FOREIGN KEY (`feedback_id`) REFERENCES `feedback` (`id`) ON DELETE CASCADE, CONSTRAINT `attachments_reports_attachments` FOREIGN KEY (`report_id`) REFERENCES `reports` (`id`) ON DELETE CASCADE);
-- Create index "attachments_storage_key_key" to table: "attachments"
CREATE UNIQUE INDEX `attachments_storage_key_key` ON `attachments` (`storage_key`);
-- Create index "attachment_report_id" to table: "attachments"
CREATE INDEX `attachment_report_id` ON `attachments` (`report_id`);
-- Create index "attachment_feedback_id" to table: "attachments"
CREATE INDEX `attachment_feedback_id` ON `attachments` (`feedback_id`);
-- Create index "attachment_crash_report_id" to table: "attachments"
CREATE INDEX `attachment_crash_report_id` ON `attachments` (`crash_report_id`);
-- Create index "attachment_created_at" to table: "attachments"
CREATE INDEX `attachment_created_at` ON `attachments` (`created_at`);
-- Create "comments" table
CREATE TABLE `comments` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `body` text NOT NULL, `crash_group_id` text NULL, `feedback_id` text NULL, `report_id` text NULL, `author_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `comments_crash_groups_comments` FOREIGN KEY (`crash_group_id`) REFERENCES `crash_groups` (`id`) ON DELETE CASCADE, CONSTRAINT `comments_feedback_comments` FOREIGN KEY (`feedback_id`) REFERENCES `feedback` (`id`) ON DELETE CASCADE, CONSTRAINT `comments_reports_comments` FOREIGN KEY (`report_id`) REFERENCES `reports` (`id`) ON DELETE CASCADE, CONSTRAINT `comments_users_comments` FOREIGN KEY (`author_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Create index "comment_report_id_created_at" to table: "comments"
CREATE INDEX `comment_report_id_created_at` ON `comments` (`report_id`, `created_at`);
-- Create index "comment_crash_group_id_created_at" to table: "comments"
CREATE INDEX `comment_crash_group_id_created_at` ON `comments` (`crash_group_id`, `created_at`);
-- Create index "comment_feedback_id_created_at" to table: "comments"
CREATE INDEX `comment_feedback_id_created_at` ON `comments` (`feedback_id`, `created_at`);
-- Create "crash_groups" table
CREATE TABLE `crash_groups` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `fingerprint` text NOT NULL, `error_type` text NOT NULL, `error_message` text NOT NULL, `occurrence_count` integer NOT NULL DEFAULT (0), `affected_users` integer NOT NULL DEFAULT (0), `first_seen_at` datetime NOT NULL, `last_seen_at` datetime NOT NULL, `affected_versions` json NOT NULL, `affected_platforms` json NOT NULL, `status` text NOT NULL DEFAULT ('new'), `resolution_notes` text NOT NULL DEFAULT (''), `resolved_at` datetime NULL, `resolved_in_version` text NULL, `project_id` text NOT NULL, `assignee_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `crash_groups_projects_crash_groups` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE, CONSTRAINT `crash_groups_users_assigned_crash_groups` FOREIGN KEY (`assignee_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Create index "crashgroup_project_id_fingerprint" to table: "crash_groups"
CREATE UNIQUE INDEX `crashgroup_project_id_fingerprint` ON `crash_groups` (`project_id`, `fingerprint`);
-- Create index "crashgroup_project_id_status" to table: "crash_groups"
CREATE INDEX `crashgroup_project_id_status` ON `crash_groups` (`project_id`, `status`);
-- Create index "crashgroup_project_id_last_seen_at" to table: "crash_groups"
CREATE INDEX `crashgroup_project_id_last_seen_at` ON `crash_groups` (`project_id`, `last_seen_at`);
-- Create index "crashgroup_project_id_occurrence_count" to table: "crash_groups"
CREATE INDEX `crashgroup_project_id_occurrence_count` ON `crash_groups` (`project_id`, `occurrence_count`);
-- Create index "crashgroup_status" to table: "crash_groups"
CREATE INDEX `crashgroup_status` ON `crash_groups` (`status`);
-- Create index "crashgroup_last_seen_at" to table: "crash_groups"
CREATE INDEX `crashgroup_last_seen_at` ON `crash_groups` (`last_seen_at`);
-- Create "crash_reports" table
CREATE TABLE `crash_reports` (`id` text NOT NULL, `created_at` datetime NOT NULL, `error_type` text NOT NULL, `error_message` text NOT NULL, `stack_trace` json NULL, `app_version` text NOT NULL, `platform` text NOT NULL, `os_version` text NULL, `device_info` json NULL, `app_state` json NULL, `breadcrumbs` json NULL, `fingerprint` text NOT NULL, `severity` text NOT NULL DEFAULT ('error'), `user_id` text NULL, `group_id` text NULL, `project_id` text NOT NULL, `public_key_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `crash_reports_crash_groups_crash_reports` FOREIGN KEY (`group_id`) REFERENCES `crash_groups` (`id`) ON DELETE SET NULL, CONSTRAINT `crash_reports_projects_crash_reports` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE, CONSTRAINT `crash_reports_public_keys_crash_reports` FOREIGN KEY (`public_key_id`) REFERENCES `public_keys` (`id`) ON DELETE SET NULL);
-- Create index "crashreport_project_id_created_at" to table: "crash_reports"
CREATE INDEX `crashreport_project_id_created_at` ON `crash_reports` (`project_id`, `created_at`);
-- Create index "crashreport_group_id_created_at" to table: "crash_reports"
CREATE INDEX `crashreport_group_id_created_at` ON `crash_reports` (`group_id`, `created_at`);
-- Create index "crashreport_fingerprint" to table: "crash_reports"
CREATE INDEX `crashreport_fingerprint` ON `crash_reports` (`fingerprint`);
-- Create index "crashreport_app_version" to table: "crash_reports"
CREATE INDEX `crashreport_app_version` ON `crash_reports` (`app_version`);
-- Create index "crashreport_created_at" to table: "crash_reports"
CREATE INDEX `crashreport_created_at` ON `crash_reports` (`created_at`);
-- Create "feedback" table
CREATE TABLE `feedback` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `category` text NOT NULL, `message` text NOT NULL, `email` text NULL, `app_version` text NOT NULL, `platform` text NOT NULL, `os_version` text NULL, `device_info` json NULL, `status` text NOT NULL DEFAULT ('open'), `internal_notes` text NOT NULL DEFAULT (''), `project_id` text NOT NULL, `public_key_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `feedback_projects_feedbacks` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE, CONSTRAINT `feedback_public_keys_feedbacks` FOREIGN KEY (`public_key_id`) REFERENCES `public_keys` (`id`) ON DELETE SET NULL);
-- Create index "feedback_project_id_status" to table: "feedback"
CREATE INDEX `feedback_project_id_status` ON `feedback` (`project_id`, `status`);
-- Create index "feedback_project_id_created_at" to table: "feedback"
CREATE INDEX `feedback_project_id_created_at` ON `feedback` (`project_id`, `created_at`);
-- Create index "feedback_status" to table: "feedback"
CREATE INDEX `feedback_status` ON `feedback` (`status`);
-- Create index "feedback_category" to table: "feedback"
CREATE INDEX `feedback_category` ON `feedback` (`category`);
-- Create index "feedback_app_version" to table: "feedback"
CREATE INDEX `feedback_app_version` ON `feedback` (`app_version`);
-- Create index "feedback_created_at" to table: "feedback"
CREATE INDEX `feedback_created_at` ON `feedback` (`created_at`);
-- Create "projects" table
CREATE TABLE `projects` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `slug` text NOT NULL, `allowed_domains` json NOT NULL, `webhook_url` text NULL, `webhook_secret` text NULL, `webhook_format` text NOT NULL DEFAULT ('generic'), `retention_days` integer NULL, `rate_limit_per_minute` integer NULL, PRIMARY KEY (`id`));
-- Create index "projects_slug_key" to table: "projects"
CREATE UNIQUE INDEX `projects_slug_key` ON `projects` (`slug`);
-- Create "public_keys" table
CREATE TABLE `public_keys` (`id` text NOT NULL, `created_at` datetime NOT NULL, `name` text NOT NULL, `key` text NOT NULL, `last_used_at` datetime NULL, `revoked_at` datetime NULL, `project_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `public_keys_projects_public_keys` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE);
-- Create index "public_keys_key_key" to table: "public_keys"
CREATE UNIQUE INDEX `public_keys_key_key` ON `public_keys` (`key`);
-- Create index "publickey_project_id" to table: "public_keys"
CREATE INDEX `publickey_project_id` ON `public_keys` (`project_id`);
-- Create "refresh_tokens" table
CREATE TABLE `refresh_tokens` (`id` text NOT NULL, `created_at` datetime NOT NULL, `token_hash` text NOT NULL, `family_id` text NOT NULL, `expires_at` datetime NOT NULL, `rotated_at` datetime NULL, `revoked_at` datetime NULL, `user_agent` text NOT NULL DEFAULT (''), `user_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `refresh_tokens_users_refresh_tokens` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE);
-- Create index "refresh_tokens_token_hash_key" to table: "refresh_tokens"
CREATE UNIQUE INDEX `refresh_tokens_token_hash_key` ON `refresh_tokens` (`token_hash`);
-- Create index "refreshtoken_family_id" to table: "refresh_tokens"
CREATE INDEX `refreshtoken_family_id` ON `refresh_tokens` (`family_id`);
-- Create index "refreshtoken_expires_at" to table: "refresh_tokens"
CREATE INDEX `refreshtoken_expires_at` ON `refresh_tokens` (`expires_at`);
-- Create "reports" table
CREATE TABLE `reports` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `status` text NOT NULL DEFAULT ('new'), `message` text NOT NULL, `category` text NOT NULL, `severity` text NOT NULL, `reporter_email` text NULL, `page_url` text NOT NULL DEFAULT (''), `app_version` text NULL, `browser` text NOT NULL DEFAULT (''), `os` text NOT NULL DEFAULT (''), `user_context` json NULL, `custom_metadata` json NULL, `device_info` json NULL, `timeline` json NULL, `console_errors` json NULL, `network_failures` json NULL, `consent_given` bool NOT NULL, `project_id` text NOT NULL, `public_key_id` text NULL, `group_id` text NULL, `assignee_id` text NULL, PRIMARY KEY (`id`), CONSTRAINT `reports_projects_reports` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE, CONSTRAINT `reports_public_keys_reports` FOREIGN KEY (`public_key_id`) REFERENCES `public_keys` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_report_groups_reports` FOREIGN KEY (`group_id`) REFERENCES `report_groups` (`id`) ON DELETE SET NULL, CONSTRAINT `reports_users_assigned_reports` FOREIGN KEY (`assignee_id`) REFERENCES `users` (`id`) ON DELETE SET NULL);
-- Create index "report_project_id_created_at" to table: "reports"
CREATE INDEX `report_project_id_created_at` ON `reports` (`project_id`, `created_at`);
-- Create index "report_project_id_status" to table: "reports"
CREATE INDEX `report_project_id_status` ON `reports` (`project_id`, `status`);
-- Create index "report_status" to table: "reports"
CREATE INDEX `report_status` ON `reports` (`status`);
-- Create index "report_created_at" to table: "reports"
CREATE INDEX `report_created_at` ON `reports` (`created_at`);
-- Create index "report_group_id" to table: "reports"
CREATE INDEX `report_group_id` ON `reports` (`group_id`);
-- Create index "report_assignee_id" to table: "reports"
CREATE INDEX `report_assignee_id` ON `reports` (`assignee_id`);
-- Create "report_groups" table
CREATE TABLE `report_groups` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `fingerprint` text NOT NULL, `page_url` text NOT NULL DEFAULT (''), `error_message` text NOT NULL DEFAULT (''), `report_count` integer NOT NULL DEFAULT (0), `affected_users` integer NOT NULL DEFAULT (0), `first_seen_at` datetime NOT NULL, `last_seen_at` datetime NOT NULL, `project_id` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `report_groups_projects_report_groups` FOREIGN KEY (`project_id`) REFERENCES `projects` (`id`) ON DELETE CASCADE);
-- Create index "reportgroup_project_id_fingerprint" to table: "report_groups"
CREATE UNIQUE INDEX `reportgroup_project_id_fingerprint` ON `report_groups` (`project_id`, `fingerprint`);
-- Create index "reportgroup_project_id_last_seen_at" to table: "report_groups"
CREATE INDEX `reportgroup_project_id_last_seen_at` ON `report_groups` (`project_id`, `last_seen_at`);
-- Create "settings" table
CREATE TABLE `settings` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `instance_name` text NOT NULL DEFAULT ('Oopsie'), `default_retention_days` integer NULL, `latest_version` text NULL, `latest_release_url` text NULL, `version_checked_at` datetime NULL, `setup_completed_at` datetime NULL, PRIMARY KEY (`id`));
-- Create "users" table
CREATE TABLE `users` (`id` text NOT NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `email` text NOT NULL, `name` text NOT NULL DEFAULT (''), `password_hash` text NOT NULL, PRIMARY KEY (`id`));
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX `users_email_key` ON `users` (`email`);
