-- skipcheck schema, version 10: the broad themes a leader shares with
-- managers after a round.
--
-- round_themes: the leader's draft, one row per theme, in order.
-- theme_shares: what was sent to one manager and when: a copy of the themes
-- as they stood (JSON list of texts), so a later edit changes nothing sent.
-- A manager reads only these, on their page for the round.
create table round_themes (
    round_id text not null references rounds (id) on delete cascade,
    position bigint not null,
    body text not null,
    primary key (round_id, position)
);

create table theme_shares (
    id text primary key,
    round_id text not null references rounds (id) on delete cascade,
    manager_id text not null references people (id) on delete cascade,
    themes text not null,
    sent_at bigint not null
);

create index theme_shares_manager on theme_shares (round_id, manager_id, sent_at);
