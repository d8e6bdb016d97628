-- Scrub jobs (`POST /api/v1/scrub`): one row per job, written by the runner as it goes.
--
-- scrub_jobs   `request` the validated request; `state` queued → running → succeeded | failed;
--              `progress` blobs and bytes checked of the totals counted when the job began;
--              `counts` ok, corrupt, missing, repaired, unrepairable; `items` every blob found
--              wrong, in digest order; `after_digest` the last blob checked: blobs are taken in
--              digest order, so a job picked up again after a restart resumes after it instead
--              of starting over; `lease_until` until when the replica running it holds it (it
--              renews the lease as it goes and gives it up when it shuts down; a job whose lease
--              ran out is taken over by whichever replica claims it first).
--
-- At most one job is queued or running per region (scrub_jobs_one_active): a second start
-- finds the first instead of reading the store twice over.

create table scrub_jobs (
  id uuid primary key,
  request jsonb not null,
  state text not null check (state in ('queued', 'running', 'succeeded', 'failed')),
  progress jsonb not null,
  counts jsonb not null,
  items jsonb not null default '[]'::jsonb,
  after_digest text,
  error text,
  lease_until timestamptz not null default now(),
  created_at timestamptz not null default now(),
  finished_at timestamptz
);

create unique index scrub_jobs_one_active on scrub_jobs ((true))
  where state in ('queued', 'running');
