-- Create index "report_project_id_created_at_id" to table: "reports"
CREATE INDEX "report_project_id_created_at_id" ON "reports" ("project_id", "created_at", "id");
-- Replaced by the index above, which also holds the id.
DROP INDEX "report_project_id_created_at";
