-- The replication service's schema: what it has applied, where each image is ready, and the
-- last error of each peer link. Events go out through the outbox like every service's.

create table if not exists outbox (
  seq bigserial primary key,
  event_id uuid not null unique,
  subject text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);

-- One row per peer event this region has applied: a redelivered event finds its row and
-- changes nothing, so each source push yields exactly one replication.completed here.
create table applied_events (
  event_id uuid primary key,
  source_region text not null,
  name text not null,
  applied_at timestamptz not null default now()
);

-- One replication.failed per source event and region: retries go on silently after it.
create table reported_failures (
  event_id uuid primary key,
  attempts integer not null,
  reported_at timestamptz not null default now()
);

-- Where each pushed manifest is ready, pending or failed, per region (this one and peers).
create table image_status (
  repository text not null,
  digest text not null,
  region text not null,
  state text not null check (state in ('ready', 'pending', 'failed')),
  since timestamptz not null,
  pushed_at timestamptz not null,
  source_region text not null,
  lag_ms integer,
  last_error text,
  primary key (repository, digest, region)
);

-- The last thing that went wrong with each peer (connection, copy, apply).
create table peer_errors (
  region text primary key,
  error text not null,
  at timestamptz not null
);
