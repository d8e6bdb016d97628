-- Imports from other registries (or repositories of this one), run by this region's
-- replication service.
--
-- import_jobs       `request` is the validated request with inline credentials removed;
--                   `credentials` holds them sealed (SecretBox), so a job resumed after a
--                   restart can still log in, and no reader of `request` sees them;
--                   `state` queued → running → succeeded | failed; `progress` the counts
--                   (bytes and blobs done/total, blobs mounted); `attempts` the tries so far;
--                   `next_attempt_at` when a job waiting after a retryable failure may run
--                   again; `lease_until` until when the replica running it holds it (renewed
--                   as it goes): a queued or running job whose lease ran out is claimed by
--                   whichever replica claims it first, and starts over (its blobs already in
--                   the store are mounted, not fetched again); `context` who asked.
-- credential_sets   what imports log in to upstream registries with; `secret` sealed.

create table import_jobs (
  id uuid primary key,
  request jsonb not null,
  credentials text,
  context jsonb not null default '{}'::jsonb,
  state text not null check (state in ('queued', 'running', 'succeeded', 'failed')),
  progress jsonb not null,
  digest text,
  attempts integer not null default 0,
  error_reason text,
  error_message text,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz not null default now(),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);

create index import_jobs_pending_idx on import_jobs (next_attempt_at)
  where state in ('queued', 'running');

create table credential_sets (
  name text collate "C" primary key,
  kind text not null check (kind in ('password', 'token')),
  username text,
  secret text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
