-- skipcheck schema, version 7: a leader can stop a series. its rounds and
-- meetings stay; it proposes no one and schedules nothing more.
alter table series add column stopped_at bigint;
