-- Full-text search, written by hand: ent does not model FTS5 tables.
-- Each indexed row carries its item's id in `ref`; deletes find the row with
-- an indexed MATCH on it. The reports' own rowids are not used, because
-- VACUUM may renumber them.
-- Searches must restrict MATCH to the content columns, e.g.
-- `{message console_errors page_url reporter_email} : (…)`.
CREATE VIRTUAL TABLE `reports_fts` USING fts5(`ref`, `message`, `console_errors`, `page_url`, `reporter_email`, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TRIGGER `reports_fts_insert` AFTER INSERT ON `reports` BEGIN
  INSERT INTO `reports_fts` (`ref`, `message`, `console_errors`, `page_url`, `reporter_email`) VALUES (
    new.`id`, new.`message`,
    (SELECT group_concat(`value`, ' ') FROM json_tree(coalesce(new.`console_errors`, '[]')) WHERE `type` = 'text'),
    new.`page_url`, coalesce(new.`reporter_email`, ''));
END;
CREATE TRIGGER `reports_fts_delete` AFTER DELETE ON `reports` BEGIN
  DELETE FROM `reports_fts` WHERE `rowid` IN (SELECT `rowid` FROM `reports_fts` WHERE `reports_fts` MATCH 'ref : "' || old.`id` || '"');
END;
CREATE TRIGGER `reports_fts_update` AFTER UPDATE OF `message`, `console_errors`, `page_url`, `reporter_email` ON `reports` BEGIN
  DELETE FROM `reports_fts` WHERE `rowid` IN (SELECT `rowid` FROM `reports_fts` WHERE `reports_fts` MATCH 'ref : "' || old.`id` || '"');
  INSERT INTO `reports_fts` (`ref`, `message`, `console_errors`, `page_url`, `reporter_email`) VALUES (
    new.`id`, new.`message`,
    (SELECT group_concat(`value`, ' ') FROM json_tree(coalesce(new.`console_errors`, '[]')) WHERE `type` = 'text'),
    new.`page_url`, coalesce(new.`reporter_email`, ''));
END;
CREATE VIRTUAL TABLE `feedback_fts` USING fts5(`ref`, `message`, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TRIGGER `feedback_fts_insert` AFTER INSERT ON `feedback` BEGIN
  INSERT INTO `feedback_fts` (`ref`, `message`) VALUES (new.`id`, new.`message`);
END;
CREATE TRIGGER `feedback_fts_delete` AFTER DELETE ON `feedback` BEGIN
  DELETE FROM `feedback_fts` WHERE `rowid` IN (SELECT `rowid` FROM `feedback_fts` WHERE `feedback_fts` MATCH 'ref : "' || old.`id` || '"');
END;
CREATE TRIGGER `feedback_fts_update` AFTER UPDATE OF `message` ON `feedback` BEGIN
  DELETE FROM `feedback_fts` WHERE `rowid` IN (SELECT `rowid` FROM `feedback_fts` WHERE `feedback_fts` MATCH 'ref : "' || old.`id` || '"');
  INSERT INTO `feedback_fts` (`ref`, `message`) VALUES (new.`id`, new.`message`);
END;
