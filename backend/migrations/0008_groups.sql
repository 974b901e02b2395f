-- skipcheck schema, version 8: anonymous answers are counted per group of the
-- round's breakdown, the group fixed when the answer is written.
--
-- round_groups: 'all' (the whole round, level 0), the team under one of the
-- leader's direct reports (level 1) or one level further (level 2); group_id
-- is 'all' or the manager's person id. A ballot goes to the smallest group
-- that reaches k as planned when it is written, and stays there. ballots:
-- ballots given to this group; counted: those folded into its counts (always
-- a multiple of k: the rest wait, sealed, in pending_ballots).
create table round_groups (
    round_id text not null references rounds (id) on delete cascade,
    group_id text not null,
    parent_id text,
    level bigint not null check (level between 0 and 2),
    manager_id text references people (id) on delete set null,
    label text not null default '',
    ballots bigint not null default 0,
    counted bigint not null default 0,
    primary key (round_id, group_id)
);

-- The counts: per round, group, question and value, and nothing else.
create table group_tallies (
    round_id text not null references rounds (id) on delete cascade,
    group_id text not null,
    question_id text not null,
    answer text not null,
    count bigint not null,
    primary key (round_id, group_id, question_id, answer)
);

alter table pending_ballots add column group_id text not null default 'all';

-- What was counted before groups: the whole round.
insert into round_groups (round_id, group_id, parent_id, level, manager_id, label, ballots, counted)
select id, 'all', null, 0, null, '', ballots, released_n from rounds where ballots > 0;

insert into group_tallies (round_id, group_id, question_id, answer, count)
select round_id, 'all', question_id, answer, count from released_tallies;

drop table released_tallies;
drop table anonymous_tallies;
