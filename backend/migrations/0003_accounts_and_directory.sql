-- skipcheck schema, version 3: first run, invited accounts, and a directory
-- that is imported again and again.

-- a person's team, as the csv names it; and whether they are still in the
-- directory. people who leave the file become inactive, never deleted: their
-- past meetings stay.
alter table people add column team text not null default '';
alter table people add column active bigint not null default 1;

-- an account's own name: an admin need not be in the directory. an invited
-- account has password_hash '' until its one-time link is used; '' never
-- verifies. reset_requested_at: when the person last asked for a new
-- password ("forgot password"), for an admin to see and answer.
alter table accounts add column name text not null default '';
alter table accounts add column reset_requested_at bigint;

-- one-time links to set a password: 256 random bits, stored only as sha-256,
-- removed when used or when a newer link is made for the same account.
create table account_links (
    token_hash text primary key,
    account_id text not null references accounts (id) on delete cascade,
    purpose text not null check (purpose in ('invite', 'reset')),
    expires_at bigint not null,
    created_at bigint not null
);

create index account_links_account on account_links (account_id);
create index sessions_account on sessions (account_id);
create index people_org_email on people (org_id, email);

-- the one-time setup: its single row is the lock that lets only one first
-- admin in, even when two requests race on two instances.
create table first_run (
    id bigint primary key check (id = 1),
    done_at bigint not null
);
