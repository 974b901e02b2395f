-- skipcheck schema, version 1.
--
-- one text for sqlite and postgres (through sqlx's any driver): ids are random
-- text, times are unix seconds, json is text. no table that holds anonymous
-- answers has a person, a check-in, a timestamp or an insertion order.

create table organisations (
    id text primary key,
    name text not null,
    -- the anonymity threshold k given to new rounds; never below 3
    k_threshold bigint not null default 5 check (k_threshold >= 3),
    created_at bigint not null
);

-- the directory: reporting lines give levels
create table people (
    id text primary key,
    org_id text not null references organisations (id) on delete cascade,
    name text not null,
    email text not null,
    title text not null default '',
    manager_id text references people (id) on delete set null,
    unique (org_id, email)
);

create table accounts (
    id text primary key,
    org_id text not null references organisations (id) on delete cascade,
    -- the leader's own place in the directory
    person_id text references people (id) on delete set null,
    email text not null unique,
    -- argon2id, phc string
    password_hash text not null,
    is_admin bigint not null default 0,
    is_leader bigint not null default 0,
    created_at bigint not null
);

-- opaque session tokens, stored only as sha-256
create table sessions (
    token_hash text primary key,
    account_id text not null references accounts (id) on delete cascade,
    expires_at bigint not null
);

-- a template is never edited in place: a change is a new version
create table templates (
    id text primary key,
    org_id text not null references organisations (id) on delete cascade,
    template_key text not null,
    version bigint not null,
    name text not null,
    -- shared::Template as json
    body text not null,
    created_at bigint not null,
    unique (org_id, template_key, version)
);

create table rounds (
    id text primary key,
    org_id text not null references organisations (id) on delete cascade,
    leader_id text not null references accounts (id) on delete cascade,
    template_id text not null references templates (id),
    name text not null,
    cadence text not null check (cadence in ('weekly', 'quarterly')),
    k_threshold bigint not null check (k_threshold >= 3),
    -- anonymous ballots cast so far; bumped under this row's lock so each
    -- submission sees its own exact count
    ballots bigint not null default 0,
    -- the ballot count at which the figures the leader sees were taken: always
    -- a multiple of k, so figures move only in steps of k people
    released_n bigint not null default 0,
    created_at bigint not null
);

create table meetings (
    id text primary key,
    round_id text not null references rounds (id) on delete cascade,
    person_id text not null references people (id) on delete cascade,
    scheduled_at bigint not null,
    unique (round_id, person_id)
);

-- personal links: an employee's invite to one meeting, or a manager's
-- perception form for one round. the token itself is never stored.
create table links (
    token_hash text primary key,
    kind text not null check (kind in ('invite', 'manager')),
    round_id text not null references rounds (id) on delete cascade,
    person_id text not null references people (id) on delete cascade,
    meeting_id text references meetings (id) on delete cascade,
    expires_at bigint not null
);

-- confidential answers, with the name: only the meeting's leader reads them
create table checkins (
    meeting_id text primary key references meetings (id) on delete cascade,
    -- what the employee has typed so far (json answers)
    draft text not null,
    -- what the leader reads: the last submitted version, if any
    submitted text,
    updated_at bigint not null,
    submitted_at bigint
);

-- "may this person answer anonymously once": holds no answer
create table ballots (
    round_id text not null references rounds (id) on delete cascade,
    person_id text not null references people (id) on delete cascade,
    primary key (round_id, person_id)
);

-- anonymous answers, as counts only: one row per (question, answer value),
-- so no row ever stands for one person
create table anonymous_tallies (
    round_id text not null references rounds (id) on delete cascade,
    question_id text not null,
    answer text not null,
    count bigint not null,
    primary key (round_id, question_id, answer)
);

-- the tallies as they stood at rounds.released_n: what the leader sees
create table released_tallies (
    round_id text not null references rounds (id) on delete cascade,
    question_id text not null,
    answer text not null,
    count bigint not null,
    primary key (round_id, question_id, answer)
);

-- what each manager believes their team's morale is, with their name
create table manager_estimates (
    round_id text not null references rounds (id) on delete cascade,
    manager_id text not null references people (id) on delete cascade,
    morale bigint not null check (morale between 1 and 10),
    updated_at bigint not null,
    primary key (round_id, manager_id)
);

create index meetings_person on meetings (person_id);
create index people_manager on people (manager_id);
create index rounds_leader on rounds (leader_id);
