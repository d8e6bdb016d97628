-- The blob service's schema (`blob`) in the region's database. Runs with search_path = blob.
--
-- blobs             every blob whose bytes this region's store holds at blobKey(digest).
--                   A row is written only after the bytes are in place, and never changed:
--                   replication asks "does this region have it?" here, GC finds candidates
--                   here (created_at gives it a grace period for blobs still being linked).
-- repository_blobs  which repositories see which blobs (uploaded or mounted into them).
--                   Deleting a blob from a repository removes only the link; bytes go with GC.
-- uploads           open upload sessions. A row untouched for the idle timeout is expired:
--                   every query treats it as absent and the sweeper removes it with its bytes.

create table blobs (
  digest text primary key,
  size bigint not null check (size >= 0),
  created_at timestamptz not null default now()
);

create table repository_blobs (
  repository text not null,
  digest text not null references blobs (digest),
  created_at timestamptz not null default now(),
  primary key (repository, digest)
);
-- "does any repository see this digest" (automatic mounts) and GC's "is it referenced"
create index repository_blobs_digest_idx on repository_blobs (digest);

create table uploads (
  id uuid primary key,
  repository text not null,
  "offset" bigint not null check ("offset" >= 0),
  state jsonb not null,
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- the sweeper walks sessions oldest first
create index uploads_updated_at_idx on uploads (updated_at);

-- libs/database's outbox table (outboxTableSql), as of this migration
create table if not exists outbox (
  seq bigserial primary key,
  event_id uuid not null unique,
  subject text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);
