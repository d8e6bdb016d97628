-- Purge jobs (`acr purge` on demand): one row per job, written by the runner as it goes.
--
-- purge_jobs   `request` is the validated request; `status` running → succeeded | failed;
--              `progress` the counts; `items` every tag and manifest decided, in order
--              ({repository, kind, tag?, digest, action, reason}); `done_repositories` the
--              repositories finished, so a job picked up again after a restart of the
--              service resumes after them instead of starting over; `context` who asked
--              (the actor the deletes' events name); `lease_until` until when the replica
--              running it holds it: it renews the lease after each repository, and gives it
--              up when it shuts down; a running job whose lease ran out (its replica died)
--              is taken over by whichever replica claims it first, and resumes.

create table purge_jobs (
  id uuid primary key,
  request jsonb not null,
  context jsonb not null default '{}'::jsonb,
  status text not null check (status in ('running', 'succeeded', 'failed')),
  progress jsonb not null,
  items jsonb not null default '[]'::jsonb,
  done_repositories text[] collate "C" not null default '{}',
  error text,
  lease_until timestamptz not null default now(),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);

create index purge_jobs_running_idx on purge_jobs (lease_until) where status = 'running';
