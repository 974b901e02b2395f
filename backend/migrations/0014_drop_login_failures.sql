-- Login attempts are now limited in memory, per client address and per
-- email from that address (src/auth/limits.rs): a lock per email let anyone
-- who knew a leader's email lock them out. The old table held emails; it goes.
drop table if exists login_failures;
