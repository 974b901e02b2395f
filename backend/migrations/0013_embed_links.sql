-- skipcheck schema, version 13: personal links made by the intranet widget's
-- identity exchange. a new emailed link (a reissue, a reminder) replaces the
-- emailed ones only, so a check-in open in the intranet keeps saving.
alter table links add column embedded bigint not null default 0;
