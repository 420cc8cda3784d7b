-- Modify "projects" table
ALTER TABLE "projects" ADD COLUMN "fingerprint_ignore" jsonb NOT NULL DEFAULT '[]';
