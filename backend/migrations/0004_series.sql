-- skipcheck schema, version 4: series, rotation and scheduling.

-- when a person first appeared in the directory (0 for people from before
-- this version): new joiners get their first skip-level early.
alter table people add column joined_at bigint not null default 0;

-- a leader's series of skip-levels (or peer 1:1s). it makes one round per
-- calendar quarter, holding that quarter's meetings.
create table series (
    id text primary key,
    org_id text not null references organisations (id) on delete cascade,
    leader_id text not null references accounts (id) on delete cascade,
    kind text not null check (kind in ('skip_level', 'peer')),
    name text not null,
    template_key text not null,
    cadence text not null check (cadence in ('weekly', 'quarterly', 'peer')),
    -- skip-level: the deepest level below the leader to include; null = all
    depth bigint,
    -- teams to include, as a json array of names; [] = every team
    teams text not null default '[]',
    -- weekly: people a week; peer: weeks between two peer 1:1s
    per_week bigint not null default 1,
    interval_weeks bigint not null default 4,
    created_at bigint not null
);

create index series_leader on series (leader_id);

-- a round of a series covers one quarter; opens_at and closes_at are its
-- check-in window. rounds from before this version have no series.
alter table rounds add column series_id text references series (id) on delete cascade;
alter table rounds add column opens_at bigint not null default 0;
alter table rounds add column closes_at bigint not null default 0;
create index rounds_series on rounds (series_id, opens_at);

-- how long a meeting lasts, for calendars
alter table meetings add column duration_minutes bigint not null default 30;

-- proposals the leader skipped: not proposed again within that round
create table rotation_skips (
    round_id text not null references rounds (id) on delete cascade,
    person_id text not null references people (id) on delete cascade,
    primary key (round_id, person_id)
);
