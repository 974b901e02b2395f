-- skipcheck schema, version 11: leaders' own templates. owner_id: the leader
-- whose copy it is; null for the built-in templates every leader starts from.
-- Every save is a new version (a new row): rounds keep the version they were
-- opened with, so old answers keep the questions as they were asked.
alter table templates add column owner_id text references accounts (id) on delete cascade;
