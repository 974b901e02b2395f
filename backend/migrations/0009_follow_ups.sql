-- skipcheck schema, version 9: what a meeting leaves behind.
--
-- meeting_notes: the leader's private notes for one meeting. Only the leader
-- of that meeting's round ever reads them: no admin route, no export but the
-- leader's own.
create table meeting_notes (
    meeting_id text primary key references meetings (id) on delete cascade,
    body text not null,
    updated_at bigint not null
);

-- action_items: follow-ups from a meeting, shown again in every later
-- briefing with the same person until closed. owner: who does it. shared: the
-- employee sees it (title, due date, status) on their next check-in.
-- due_on: a calendar day, YYYY-MM-DD, or null.
create table action_items (
    id text primary key,
    meeting_id text not null references meetings (id) on delete cascade,
    person_id text not null references people (id) on delete cascade,
    leader_id text not null references accounts (id) on delete cascade,
    title text not null,
    owner text not null check (owner in ('leader', 'employee', 'manager')),
    due_on text,
    status text not null check (status in ('open', 'done', 'dropped')),
    shared bigint not null default 0,
    created_at bigint not null,
    -- 1, 2, 3… within the meeting: the order they were added in.
    position bigint not null,
    closed_at bigint,
    outcome text not null default ''
);

create index action_items_leader on action_items (leader_id, status, due_on);
create index action_items_person on action_items (person_id, status);
