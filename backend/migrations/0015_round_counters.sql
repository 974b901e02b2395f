-- A round's ballot count is the number of its ballots, and what has been
-- released is the sum of its groups' counted ballots. The counters kept on
-- the round's row made every submission to a round wait for the one before
-- it, on that row's lock.
alter table rounds drop column ballots;
alter table rounds drop column released_n;
