-- Waiting answers are looked up by their group (to open k of them, and to
-- see whether k wait), not by their round alone: index both, which serves
-- the round's lookups too.
drop index pending_ballots_round;
create index pending_ballots_group on pending_ballots (round_id, group_id);
