-- Create "users" table
CREATE TABLE "users" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "email" character varying NOT NULL, "name" character varying NOT NULL DEFAULT '', "password_hash" character varying NOT NULL, PRIMARY KEY ("id"));
-- Create index "users_email_key" to table: "users"
CREATE UNIQUE INDEX "users_email_key" ON "users" ("email");
-- Create "settings" table
CREATE TABLE "settings" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "instance_name" character varying NOT NULL DEFAULT 'Oopsie', "default_retention_days" bigint NULL, "latest_version" character varying NULL, "latest_release_url" character varying NULL, "version_checked_at" timestamptz NULL, "setup_completed_at" timestamptz NULL, PRIMARY KEY ("id"));
-- Create "api_tokens" table
CREATE TABLE "api_tokens" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "name" character varying NOT NULL, "token_hash" character varying NOT NULL, "token_prefix" character varying NOT NULL, "last_used_at" timestamptz NULL, "revoked_at" timestamptz NULL, "created_by_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "api_tokens_users_api_tokens" FOREIGN KEY ("created_by_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "api_tokens_token_hash_key" to table: "api_tokens"
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens" ("token_hash");
-- Create "projects" table
CREATE TABLE "projects" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" character varying NOT NULL, "slug" character varying NOT NULL, "allowed_domains" jsonb NOT NULL, "webhook_url" character varying NULL, "webhook_secret" character varying NULL, "webhook_format" character varying NOT NULL DEFAULT 'generic', "retention_days" bigint NULL, "rate_limit_per_minute" bigint NULL, PRIMARY KEY ("id"));
-- Create index "projects_slug_key" to table: "projects"
CREATE UNIQUE INDEX "projects_slug_key" ON "projects" ("slug");
-- Create "crash_groups" table
CREATE TABLE "crash_groups" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "fingerprint" character varying NOT NULL, "error_type" character varying NOT NULL, "error_message" text NOT NULL, "occurrence_count" bigint NOT NULL DEFAULT 0, "affected_users" bigint NOT NULL DEFAULT 0, "first_seen_at" timestamptz NOT NULL, "last_seen_at" timestamptz NOT NULL, "affected_versions" jsonb NOT NULL, "affected_platforms" jsonb NOT NULL, "status" character varying NOT NULL DEFAULT 'new', "resolution_notes" text NOT NULL DEFAULT '', "resolved_at" timestamptz NULL, "resolved_in_version" character varying NULL, "project_id" character varying NOT NULL, "assignee_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "crash_groups_projects_crash_groups" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "crash_groups_users_assigned_crash_groups" FOREIGN KEY ("assignee_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "crashgroup_last_seen_at" to table: "crash_groups"
CREATE INDEX "crashgroup_last_seen_at" ON "crash_groups" ("last_seen_at");
-- Create index "crashgroup_project_id_fingerprint" to table: "crash_groups"
CREATE UNIQUE INDEX "crashgroup_project_id_fingerprint" ON "crash_groups" ("project_id", "fingerprint");
-- Create index "crashgroup_project_id_last_seen_at" to table: "crash_groups"
CREATE INDEX "crashgroup_project_id_last_seen_at" ON "crash_groups" ("project_id", "last_seen_at");
-- Create index "crashgroup_project_id_occurrence_count" to table: "crash_groups"
CREATE INDEX "crashgroup_project_id_occurrence_count" ON "crash_groups" ("project_id", "occurrence_count");
-- Create index "crashgroup_project_id_status" to table: "crash_groups"
CREATE INDEX "crashgroup_project_id_status" ON "crash_groups" ("project_id", "status");
-- Create index "crashgroup_status" to table: "crash_groups"
CREATE INDEX "crashgroup_status" ON "crash_groups" ("status");
-- Create "public_keys" table
CREATE TABLE "public_keys" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "name" character varying NOT NULL, "key" character varying NOT NULL, "last_used_at" timestamptz NULL, "revoked_at" timestamptz NULL, "project_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "public_keys_projects_public_keys" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "public_keys_key_key" to table: "public_keys"
CREATE UNIQUE INDEX "public_keys_key_key" ON "public_keys" ("key");
-- Create index "publickey_project_id" to table: "public_keys"
CREATE INDEX "publickey_project_id" ON "public_keys" ("project_id");
-- Create "crash_reports" table
CREATE TABLE "crash_reports" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "error_type" character varying NOT NULL, "error_message" text NOT NULL, "stack_trace" jsonb NULL, "app_version" character varying NOT NULL, "platform" character varying NOT NULL, "os_version" character varying NULL, "device_info" jsonb NULL, "app_state" jsonb NULL, "breadcrumbs" jsonb NULL, "fingerprint" character varying NOT NULL, "severity" character varying NOT NULL DEFAULT 'error', "user_id" character varying NULL, "group_id" character varying NULL, "project_id" character varying NOT NULL, "public_key_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "crash_reports_crash_groups_crash_reports" FOREIGN KEY ("group_id") REFERENCES "crash_groups" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "crash_reports_projects_crash_reports" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "crash_reports_public_keys_crash_reports" FOREIGN KEY ("public_key_id") REFERENCES "public_keys" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "crashreport_app_version" to table: "crash_reports"
CREATE INDEX "crashreport_app_version" ON "crash_reports" ("app_version");
-- Create index "crashreport_created_at" to table: "crash_reports"
CREATE INDEX "crashreport_created_at" ON "crash_reports" ("created_at");
-- Create index "crashreport_fingerprint" to table: "crash_reports"
CREATE INDEX "crashreport_fingerprint" ON "crash_reports" ("fingerprint");
-- Create index "crashreport_group_id_created_at" to table: "crash_reports"
CREATE INDEX "crashreport_group_id_created_at" ON "crash_reports" ("group_id", "created_at");
-- Create index "crashreport_project_id_created_at" to table: "crash_reports"
CREATE INDEX "crashreport_project_id_created_at" ON "crash_reports" ("project_id", "created_at");
-- Create "feedback" table
CREATE TABLE "feedback" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "category" character varying NOT NULL, "message" text NOT NULL, "email" character varying NULL, "app_version" character varying NOT NULL, "platform" character varying NOT NULL, "os_version" character varying NULL, "device_info" jsonb NULL, "status" character varying NOT NULL DEFAULT 'open', "internal_notes" text NOT NULL DEFAULT '', "project_id" character varying NOT NULL, "public_key_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "feedback_projects_feedbacks" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "feedback_public_keys_feedbacks" FOREIGN KEY ("public_key_id") REFERENCES "public_keys" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "feedback_app_version" to table: "feedback"
CREATE INDEX "feedback_app_version" ON "feedback" ("app_version");
-- Create index "feedback_category" to table: "feedback"
CREATE INDEX "feedback_category" ON "feedback" ("category");
-- Create index "feedback_created_at" to table: "feedback"
CREATE INDEX "feedback_created_at" ON "feedback" ("created_at");
-- Create index "feedback_project_id_created_at" to table: "feedback"
CREATE INDEX "feedback_project_id_created_at" ON "feedback" ("project_id", "created_at");
-- Create index "feedback_project_id_status" to table: "feedback"
CREATE INDEX "feedback_project_id_status" ON "feedback" ("project_id", "status");
-- Create index "feedback_status" to table: "feedback"
CREATE INDEX "feedback_status" ON "feedback" ("status");
-- Create "report_groups" table
CREATE TABLE "report_groups" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "fingerprint" character varying NOT NULL, "page_url" text NOT NULL DEFAULT '', "error_message" text NOT NULL DEFAULT '', "report_count" bigint NOT NULL DEFAULT 0, "affected_users" bigint NOT NULL DEFAULT 0, "first_seen_at" timestamptz NOT NULL, "last_seen_at" timestamptz NOT NULL, "project_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "report_groups_projects_report_groups" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "reportgroup_project_id_fingerprint" to table: "report_groups"
CREATE UNIQUE INDEX "reportgroup_project_id_fingerprint" ON "report_groups" ("project_id", "fingerprint");
-- Create index "reportgroup_project_id_last_seen_at" to table: "report_groups"
CREATE INDEX "reportgroup_project_id_last_seen_at" ON "report_groups" ("project_id", "last_seen_at");
-- Create "reports" table
CREATE TABLE "reports" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "status" character varying NOT NULL DEFAULT 'new', "message" text NOT NULL, "category" character varying NOT NULL, "severity" character varying NOT NULL, "reporter_email" character varying NULL, "page_url" text NOT NULL DEFAULT '', "app_version" character varying NULL, "browser" character varying NOT NULL DEFAULT '', "os" character varying NOT NULL DEFAULT '', "user_context" jsonb NULL, "custom_metadata" jsonb NULL, "device_info" jsonb NULL, "timeline" jsonb NULL, "console_errors" jsonb NULL, "network_failures" jsonb NULL, "consent_given" boolean NOT NULL, "project_id" character varying NOT NULL, "public_key_id" character varying NULL, "group_id" character varying NULL, "assignee_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "reports_projects_reports" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "reports_public_keys_reports" FOREIGN KEY ("public_key_id") REFERENCES "public_keys" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "reports_report_groups_reports" FOREIGN KEY ("group_id") REFERENCES "report_groups" ("id") ON UPDATE NO ACTION ON DELETE SET NULL, CONSTRAINT "reports_users_assigned_reports" FOREIGN KEY ("assignee_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "report_assignee_id" to table: "reports"
CREATE INDEX "report_assignee_id" ON "reports" ("assignee_id");
-- Create index "report_created_at" to table: "reports"
CREATE INDEX "report_created_at" ON "reports" ("created_at");
-- Create index "report_group_id" to table: "reports"
CREATE INDEX "report_group_id" ON "reports" ("group_id");
-- Create index "report_project_id_created_at" to table: "reports"
CREATE INDEX "report_project_id_created_at" ON "reports" ("project_id", "created_at");
-- Create index "report_project_id_status" to table: "reports"
CREATE INDEX "report_project_id_status" ON "reports" ("project_id", "status");
-- Create index "report_status" to table: "reports"
CREATE INDEX "report_status" ON "reports" ("status");
-- Create "attachments" table
CREATE TABLE "attachments" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "filename" character varying NOT NULL, "mime_type" character varying NOT NULL, "size" bigint NOT NULL, "sha256" character varying NOT NULL, "storage_key" character varying NOT NULL, "crash_report_id" character varying NULL, "feedback_id" character varying NULL, "report_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "attachments_crash_reports_attachments" FOREIGN KEY ("crash_report_id") REFERENCES "crash_reports" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "attachments_feedback_attachments" FOREIGN KEY ("feedback_id") REFERENCES "feedback" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "attachments_reports_attachments" FOREIGN KEY ("report_id") REFERENCES "reports" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "attachment_crash_report_id" to table: "attachments"
CREATE INDEX "attachment_crash_report_id" ON "attachments" ("crash_report_id");
-- Create index "attachment_created_at" to table: "attachments"
CREATE INDEX "attachment_created_at" ON "attachments" ("created_at");
-- Create index "attachment_feedback_id" to table: "attachments"
CREATE INDEX "attachment_feedback_id" ON "attachments" ("feedback_id");
-- Create index "attachment_report_id" to table: "attachments"
CREATE INDEX "attachment_report_id" ON "attachments" ("report_id");
-- Create index "attachments_storage_key_key" to table: "attachments"
CREATE UNIQUE INDEX "attachments_storage_key_key" ON "attachments" ("storage_key");
-- Create "comments" table
CREATE TABLE "comments" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "body" character varying NOT NULL, "crash_group_id" character varying NULL, "feedback_id" character varying NULL, "report_id" character varying NULL, "author_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "comments_crash_groups_comments" FOREIGN KEY ("crash_group_id") REFERENCES "crash_groups" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "comments_feedback_comments" FOREIGN KEY ("feedback_id") REFERENCES "feedback" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "comments_reports_comments" FOREIGN KEY ("report_id") REFERENCES "reports" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "comments_users_comments" FOREIGN KEY ("author_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- Create index "comment_crash_group_id_created_at" to table: "comments"
CREATE INDEX "comment_crash_group_id_created_at" ON "comments" ("crash_group_id", "created_at");
-- Create index "comment_feedback_id_created_at" to table: "comments"
CREATE INDEX "comment_feedback_id_created_at" ON "comments" ("feedback_id", "created_at");
-- Create index "comment_report_id_created_at" to table: "comments"
CREATE INDEX "comment_report_id_created_at" ON "comments" ("report_id", "created_at");
-- Create "refresh_tokens" table
CREATE TABLE "refresh_tokens" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "token_hash" character varying NOT NULL, "family_id" character varying NOT NULL, "expires_at" timestamptz NOT NULL, "rotated_at" timestamptz NULL, "revoked_at" timestamptz NULL, "user_agent" character varying NOT NULL DEFAULT '', "user_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "refresh_tokens_users_refresh_tokens" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "refresh_tokens_token_hash_key" to table: "refresh_tokens"
CREATE UNIQUE INDEX "refresh_tokens_token_hash_key" ON "refresh_tokens" ("token_hash");
-- Create index "refreshtoken_expires_at" to table: "refresh_tokens"
CREATE INDEX "refreshtoken_expires_at" ON "refresh_tokens" ("expires_at");
-- Create index "refreshtoken_family_id" to table: "refresh_tokens"
CREATE INDEX "refreshtoken_family_id" ON "refresh_tokens" ("family_id");
