-- Create "crash_group_users" table
CREATE TABLE "crash_group_users" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "user_id" character varying NOT NULL, "group_id" character varying NOT NULL, "project_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "crash_group_users_crash_groups_users" FOREIGN KEY ("group_id") REFERENCES "crash_groups" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "crash_group_users_projects_crash_group_users" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "crashgroupuser_group_id_user_id" to table: "crash_group_users"
CREATE UNIQUE INDEX "crashgroupuser_group_id_user_id" ON "crash_group_users" ("group_id", "user_id");
-- Create "report_group_users" table
CREATE TABLE "report_group_users" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "user_key" character varying NOT NULL, "project_id" character varying NOT NULL, "group_id" character varying NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "report_group_users_projects_report_group_users" FOREIGN KEY ("project_id") REFERENCES "projects" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "report_group_users_report_groups_users" FOREIGN KEY ("group_id") REFERENCES "report_groups" ("id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "reportgroupuser_group_id_user_key" to table: "report_group_users"
CREATE UNIQUE INDEX "reportgroupuser_group_id_user_key" ON "report_group_users" ("group_id", "user_key");
