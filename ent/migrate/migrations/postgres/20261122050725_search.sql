-- Full-text search, written by hand: ent does not model generated columns.
-- Reports: the message weighs most, then console-error text (every string in
-- the console_errors documents), then page URL and reporter email, matched as
-- written (the simple configuration) rather than stemmed. PostgreSQL's parser
-- keeps a URL or an email as one token, so their words ("cart" in
-- https://shop.example/cart, "ada" in ada@example.com) are indexed as well,
-- as SQLite's FTS5 does.
ALTER TABLE "reports" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english'::regconfig, "message"), 'A') ||
  setweight(jsonb_to_tsvector('english'::regconfig, coalesce("console_errors", '[]'::jsonb), '["string"]'), 'B') ||
  setweight(to_tsvector('simple'::regconfig,
    "page_url" || ' ' || translate("page_url", '/:.?=&#@_-+%', '            ') || ' ' ||
    coalesce("reporter_email", '') || ' ' || translate(coalesce("reporter_email", ''), '@.+_-', '     ')), 'C')
) STORED;
CREATE INDEX "reports_search_idx" ON "reports" USING GIN ("search_vector");
-- Feedback: the message.
ALTER TABLE "feedback" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (
  to_tsvector('english'::regconfig, "message")
) STORED;
CREATE INDEX "feedback_search_idx" ON "feedback" USING GIN ("search_vector");
