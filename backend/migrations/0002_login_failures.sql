-- failed logins, to slow down password guessing. kept in the database, not in
-- process memory, so every instance behind a load balancer sees the same count.
create table login_failures (
    email text not null,
    at bigint not null
);

create index login_failures_email on login_failures (email, at);
