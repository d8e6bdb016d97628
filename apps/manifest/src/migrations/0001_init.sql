-- The manifest service's schema. Names are compared and listed in byte order (collate "C"),
-- as the distribution spec's lexical order of tags and repositories means, whatever the
-- database's collation; the primary keys then serve the paged listings directly.
--
-- A repository exists from its first manifest push until it is deleted; deleting its last
-- manifest leaves it listed with no tags (as distribution does).

create table repositories (
  name text collate "C" primary key,
  created_at timestamptz not null default now()
);

-- The exact bytes pushed (at most 4 MiB), with what parsing them told: the referrers API
-- reads subject, artifact_type and annotations; `refs` holds what must be present for the
-- manifest to be pullable, {blobs:[{digest,size}], manifests:[digest]}, which replication
-- copies to other regions.
create table manifests (
  repository text collate "C" not null references repositories (name) on delete cascade,
  digest text not null,
  media_type text not null,
  size integer not null,
  body bytea not null,
  subject text,
  artifact_type text,
  annotations jsonb,
  refs jsonb not null,
  created_at timestamptz not null default now(),
  primary key (repository, digest)
);

create index manifests_subject_idx on manifests (repository, subject) where subject is not null;

-- `hlc` is the hybrid logical clock reading of the write that set the tag (the one its
-- event carries): the order in which writes from different regions are settled.
create table tags (
  repository text collate "C" not null,
  name text collate "C" not null,
  digest text not null,
  hlc text not null,
  updated_at timestamptz not null default now(),
  primary key (repository, name),
  foreign key (repository, digest) references manifests (repository, digest) on delete cascade
);

create index tags_digest_idx on tags (repository, digest);

-- libs/database outboxTableSql (a unit test keeps the two the same)
create table if not exists outbox (
  seq bigserial primary key,
  event_id uuid not null unique,
  subject text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);
