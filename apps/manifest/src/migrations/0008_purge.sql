-- Purge jobs (`acr purge` on demand): one row per job, written by the runner as it goes.
--
-- purge_jobs   `request` is the validated request; `status` running → succeeded | failed;
--              `progress` the counts; `items` every tag and manifest decided, in order
--              ({repository, kind, tag?, digest, action, reason}); `done_repositories` the
--              repositories finished, so a job picked up again after a restart of the
--              service resumes after them instead of starting over.

create table purge_jobs (
  id uuid primary key,
  request jsonb not null,
  status text not null check (status in ('running', 'succeeded', 'failed')),
  progress jsonb not null,
  items jsonb not null default '[]'::jsonb,
  done_repositories text[] collate "C" not null default '{}',
  error text,
  created_at timestamptz not null default now(),
  finished_at timestamptz
);

create index purge_jobs_running_idx on purge_jobs (created_at) where status = 'running';
