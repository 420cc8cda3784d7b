-- Add column "fingerprint_ignore" to table: "projects"
ALTER TABLE `projects` ADD COLUMN `fingerprint_ignore` json NOT NULL DEFAULT '[]';
