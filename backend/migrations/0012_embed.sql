-- skipcheck schema, version 12: the check-in embedded in an intranet.

-- the origins that may frame the widget and call its api (one per line), and
-- the widget's theme as json.
create table embed_settings (
    org_id text primary key references organisations (id) on delete cascade,
    origins text not null default '',
    theme text not null default '{}',
    updated_at bigint not null
);

-- the secrets an intranet signs its viewers' identity with (hs256). at most
-- two at once, so a secret can be replaced without a gap. stored as given:
-- whoever reads this table can sign identities (see the threat model).
create table embed_secrets (
    id text primary key,
    org_id text not null references organisations (id) on delete cascade,
    secret text not null,
    created_at bigint not null
);

create index embed_secrets_org on embed_secrets (org_id, created_at);
