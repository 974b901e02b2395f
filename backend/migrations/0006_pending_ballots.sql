-- skipcheck schema, version 6: anonymous answers wait, sealed, until k of
-- them can be counted at once.
--
-- sealed: the answers, padded to a fixed size and encrypted with the
-- server's key, which is not in the database; id: random. no person, no
-- time. the rows of a round are opened, added to anonymous_tallies in one
-- statement and deleted in the same transaction as its k-th ballot.
create table pending_ballots (
    id text primary key,
    round_id text not null references rounds (id) on delete cascade,
    sealed text not null
);

create index pending_ballots_round on pending_ballots (round_id);
