-- The webhook service's schema: the webhooks of every region (replicated, last writer by HLC
-- wins; a deleted webhook stays as a tombstone so an older change arriving late cannot bring
-- it back), the deliveries the event consumer records before it acknowledges an event, the
-- log of every attempt, and the push notifications held while an image is quarantined.

create table webhooks (
  name text collate "C" primary key,
  -- the configuration as webhook.changed.v1 carries it; null once deleted
  record jsonb,
  region text,
  hlc text not null,
  updated_at timestamptz not null default now()
);

create index webhooks_region_idx on webhooks (region) where record is not null;

-- One event to one webhook. `body` is rendered once, so every attempt sends the same bytes.
-- `lease_until` is set while a process is sending it; a process killed mid-attempt leaves a
-- lease that expires, and the delivery is taken again.
create table deliveries (
  seq bigserial unique,
  id uuid primary key,
  webhook text collate "C" not null,
  event_id uuid not null,
  action text not null,
  content_type text not null,
  body text not null,
  state text not null default 'pending' check (state in ('pending', 'succeeded', 'dead')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  last_error text,
  redelivery_of uuid,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);

-- An event redelivered by JetStream after a crash records nothing twice.
create unique index deliveries_event_idx on deliveries (webhook, event_id)
  where redelivery_of is null;
create index deliveries_due_idx on deliveries (next_attempt_at) where state = 'pending';
create index deliveries_log_idx on deliveries (webhook, seq desc);

create table attempts (
  delivery_id uuid not null references deliveries (id) on delete cascade,
  attempt integer not null,
  started_at timestamptz not null,
  duration_ms integer not null,
  request jsonb not null,
  response jsonb,
  error text,
  primary key (delivery_id, attempt)
);

-- `push` notifications of images that were ready here but quarantined: sent when the image
-- passes (quarantine.changed.v1), dropped when it fails.
create table held_pushes (
  repository text collate "C" not null,
  digest text not null,
  event_id uuid not null,
  event jsonb not null,
  held_at timestamptz not null default now(),
  primary key (repository, digest, event_id)
);

-- libs/database outboxTableSql (a unit test keeps the two the same)
create table if not exists outbox (
  seq bigserial primary key,
  event_id uuid not null unique,
  subject text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);
