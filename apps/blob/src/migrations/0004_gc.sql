-- Garbage collection (docs/architecture.md, "Garbage collection").
--
-- blobs.state               'live', or 'doomed': the collector decided nothing references the
--                           blob. Every reader treats a doomed blob as absent; the collector
--                           then deletes its bytes and its row. An upload or a link of the
--                           same digest before that makes it live again.
-- repository_blobs.unreferenced_since
--                           when the collector first saw the link with no manifest of its
--                           repository referencing it; cleared when it sees a reference again
--                           or the link is made again (upload, mount, replication). The grace
--                           period counts from the later of this and the link's creation.
-- gc_jobs                   collections run on demand (`POST /api/v1/gc`) or by the background
--                           schedule: one running at a time per region, leased by the replica
--                           that runs it (taken over when the lease runs out), with counts.

alter table blobs add column state text not null default 'live'
  check (state in ('live', 'doomed'));
alter table blobs add column doomed_at timestamptz;
create index blobs_doomed_idx on blobs (doomed_at) where state = 'doomed';

alter table repository_blobs add column unreferenced_since timestamptz;

create table gc_jobs (
  id uuid primary key,
  dry_run boolean not null,
  trigger text not null check (trigger in ('api', 'schedule')),
  status text not null check (status in ('running', 'succeeded', 'failed')),
  progress jsonb not null,
  cursor text not null default '',
  error text,
  lease_until timestamptz not null default now(),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);

-- one running collection per region: a second start finds the first
create unique index gc_jobs_one_running_idx on gc_jobs ((true)) where status = 'running';
create index gc_jobs_created_at_idx on gc_jobs (created_at);

-- upload_leftovers  upload sessions' objects in the store (`_uploads/<id>/`) with no session
--                   row, first seen by a collection at `seen_at` (a cancel whose cleanup failed,
--                   a crash between the two): removed by a later collection once seen long
--                   enough ago that no session being opened can own them.
create table upload_leftovers (
  upload_id uuid primary key,
  seen_at timestamptz not null default now()
);
