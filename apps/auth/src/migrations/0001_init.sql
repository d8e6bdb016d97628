-- The auth service's schema.
--
-- Every identity, role assignment, scope map, token, refresh token, public signing key and
-- registry setting is one record, keyed by (kind, id), stored whole as the `auth.changed.v1`
-- event that announced it carries it. Records replicate to every region and are settled
-- there by the highest hybrid logical clock reading (`hlc`), so storing them whole makes a
-- local change and an applied one the same write. A deleted record stays as a tombstone
-- (record null) with the clock of its deletion, so a late event cannot bring it back.
-- Secrets appear only as argon2id hashes (refresh tokens: sha256, see access-tokens).
create table records (
  kind text not null,
  id text collate "C" not null,
  record jsonb,
  hlc text not null,
  updated_at timestamptz not null default now(),
  primary key (kind, id)
);

-- revoking an identity's refresh tokens finds them by subject
create index records_refresh_token_subject_idx
  on records ((record ->> 'subject'))
  where kind = 'refresh-token' and record is not null;

-- This region's private signing keys. They never leave the region and never appear in an
-- event; their public halves are `signing-key` records.
create table signing_secrets (
  kid text primary key,
  private_jwk jsonb not null,
  created_at timestamptz not null default now()
);

-- Failed logins, one row per failure and per key (`identity:<name>`, `addr:<address>`), so
-- every replica of the service counts the same failures. Rows older than the window are
-- pruned as new failures come in.
create table login_failures (
  key text not null,
  failed_at timestamptz not null default now()
);

create index login_failures_key_idx on login_failures (key, failed_at);
create index login_failures_failed_at_idx on login_failures (failed_at);

-- libs/database outboxTableSql (a unit test keeps the two the same)
create table if not exists outbox (
  seq bigserial primary key,
  event_id uuid not null unique,
  subject text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);
