-- skipcheck schema, version 5: email by smtp, optional.

-- an organisation's smtp server, set on the admin's settings page. the
-- server's environment (SKIPCHECK_SMTP_*) is used when there is no row.
-- the password is stored as given: whoever reads this table can send mail
-- as skipcheck (see the readme).
create table smtp_settings (
    org_id text primary key references organisations (id) on delete cascade,
    host text not null,
    port bigint not null,
    username text not null default '',
    password text not null default '',
    from_address text not null,
    tls text not null check (tls in ('starttls', 'tls', 'none')),
    updated_at bigint not null
);

-- every email skipcheck tried to send, with its outcome. never the body:
-- an invitation holds a personal link.
create table mail_log (
    id text primary key,
    org_id text not null references organisations (id) on delete cascade,
    kind text not null,
    recipient text not null,
    subject text not null,
    sent_at bigint not null,
    outcome text not null
);

create index mail_log_org on mail_log (org_id, sent_at);

-- a manager has one page per round, even when two meetings of their team
-- are scheduled at the same moment.
create unique index links_manager_once on links (round_id, person_id) where kind = 'manager';
