-- Running totals of what the region's store holds, and the quotas on them. Triggers keep the
-- totals in the transaction of every change to `blobs` and `repository_blobs`, whatever path
-- makes it (upload, mount, replication link, delete, GC), so reading usage never scans.
--
-- store_usage       one row: bytes and count of the blobs the store holds, each counted once.
-- repository_usage  per repository: bytes and count of the blobs it sees (uploaded, mounted or
--                   linked into it), each counted once. Per-repository quotas are measured on
--                   these bytes: layers count from their upload, before a manifest names them.
-- repository_quotas the quota set on a repository through the management API.
-- quota_levels      the highest threshold (80, 100 percent) last announced for a quota ('' is
--                   the store's, MERIDIAN_STORAGE_QUOTA_BYTES), so a crossing is announced
--                   once; falling back below a threshold lowers it, and the next crossing is
--                   announced again.

create table store_usage (
  one boolean primary key default true check (one),
  bytes bigint not null,
  blobs bigint not null
);

insert into store_usage (bytes, blobs) select coalesce(sum(size), 0), count(*) from blobs;

create table repository_usage (
  repository text primary key,
  bytes bigint not null,
  blobs bigint not null
);

insert into repository_usage (repository, bytes, blobs)
select l.repository, sum(b.size), count(*)
from repository_blobs l join blobs b on b.digest = l.digest
group by l.repository;

create table repository_quotas (
  repository text primary key,
  bytes bigint not null check (bytes >= 0),
  updated_at timestamptz not null default now()
);

create table quota_levels (
  quota text primary key,
  level smallint not null check (level in (0, 80, 100))
);

create function count_store_blob() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    update blob.store_usage set bytes = bytes + new.size, blobs = blobs + 1;
  else
    update blob.store_usage set bytes = bytes - old.size, blobs = blobs - 1;
  end if;
  return null;
end
$$;

create trigger blobs_count_usage
  after insert or delete on blobs
  for each row execute function count_store_blob();

create function count_repository_blob() returns trigger language plpgsql as $$
declare
  blob_size bigint;
begin
  if tg_op = 'INSERT' then
    select size into blob_size from blob.blobs where digest = new.digest;
    insert into blob.repository_usage (repository, bytes, blobs)
    values (new.repository, blob_size, 1)
    on conflict (repository) do update
      set bytes = blob.repository_usage.bytes + excluded.bytes,
          blobs = blob.repository_usage.blobs + 1;
  else
    select size into blob_size from blob.blobs where digest = old.digest;
    update blob.repository_usage
    set bytes = bytes - coalesce(blob_size, 0), blobs = blobs - 1
    where repository = old.repository;
  end if;
  return null;
end
$$;

create trigger repository_blobs_count_usage
  after insert or delete on repository_blobs
  for each row execute function count_repository_blob();
