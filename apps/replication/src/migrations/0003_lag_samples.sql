-- The lag history: each peer link's lag and backlog, sampled once per interval by every
-- replica of the replication service. A sample's time is the start of its interval, so the
-- replicas' samples of one interval collide and the first one written is kept. Samples older
-- than a day are deleted as new ones are written.
create table lag_samples (
  peer text not null,
  sampled_at timestamptz not null,
  lag_ms bigint not null,
  pending bigint not null,
  connected boolean not null,
  primary key (peer, sampled_at)
);
create index lag_samples_sampled_at on lag_samples (sampled_at);
