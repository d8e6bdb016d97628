-- The scan service's schema. Findings are kept per image manifest digest with the packages
-- they were matched from, so a change of the advisory database re-matches every image without
-- reading its layers again (`fingerprint` names the database the findings came from). A
-- report ties a pushed manifest (an image, or an index of platform images) to its images.

create table images (
  digest text primary key,
  os jsonb,
  packages jsonb not null,
  -- what could not be read (layers, files, package databases), one line each
  read_errors jsonb not null,
  -- the image is blocked from passing quarantine: a layer could not be read
  unreadable boolean not null,
  findings jsonb not null,
  fingerprint text not null,
  scanned_at timestamptz not null default now(),
  matched_at timestamptz not null default now()
);

create table reports (
  repository text collate "C" not null,
  digest text not null,
  media_type text not null,
  tag text,
  -- the scanned images in order: [digest] for an image, the platform images of an index
  images jsonb not null,
  report_digest text,
  sbom_digest text,
  scanned_at timestamptz not null default now(),
  primary key (repository, digest)
);

create index reports_images_idx on reports using gin (images jsonb_path_ops);

-- libs/database outboxTableSql (a unit test keeps the two the same)
create table if not exists outbox (
  seq bigserial primary key,
  event_id uuid not null unique,
  subject text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);
