-- Running totals per repository, for the usage API. Triggers keep them in the transaction of
-- every change to `manifests` and `tags`, whatever path makes it (push, replicated write,
-- delete, repository delete), so reading usage never scans the manifests.
--
-- repository_usage      per repository: manifest and tag counts, and `bytes`, the size of the
--                       distinct blobs (configs and layers) its manifests reference, each
--                       counted once however many manifests share it. A deleted repository's
--                       row stays at zero, and is used again if the name is pushed again.
-- repository_blob_refs  which blobs a repository's manifests reference, and by how many of
--                       them: a blob adds to `bytes` when its first reference comes and leaves
--                       with its last.

create table repository_usage (
  repository text collate "C" primary key,
  bytes bigint not null default 0,
  manifests bigint not null default 0,
  tags bigint not null default 0
);

create table repository_blob_refs (
  repository text collate "C" not null,
  digest text not null,
  size bigint not null,
  manifests integer not null check (manifests > 0),
  primary key (repository, digest)
);

insert into repository_blob_refs (repository, digest, size, manifests)
select m.repository, b.digest, max(b.size), count(distinct m.digest)
from manifests m,
  jsonb_to_recordset(m.refs -> 'blobs') as b (digest text, size bigint)
group by m.repository, b.digest;

insert into repository_usage (repository, bytes, manifests, tags)
select r.name,
  coalesce((select sum(size) from repository_blob_refs where repository = r.name), 0),
  (select count(*) from manifests where repository = r.name),
  (select count(*) from tags where repository = r.name)
from repositories r;

create function count_manifest() returns trigger language plpgsql as $$
declare
  delta bigint;
begin
  if tg_op = 'INSERT' then
    with refs as (
      select distinct b.digest, b.size
      from jsonb_to_recordset(new.refs -> 'blobs') as b (digest text, size bigint)
    ), added as (
      insert into manifest.repository_blob_refs (repository, digest, size, manifests)
      select new.repository, digest, size, 1 from refs
      on conflict (repository, digest) do update
        set manifests = manifest.repository_blob_refs.manifests + 1
      returning size, manifests
    )
    select coalesce(sum(size) filter (where manifests = 1), 0) into delta from added;
    insert into manifest.repository_usage (repository, bytes, manifests)
    values (new.repository, delta, 1)
    on conflict (repository) do update
      set bytes = manifest.repository_usage.bytes + excluded.bytes,
          manifests = manifest.repository_usage.manifests + 1;
  else
    with refs as (
      select distinct b.digest
      from jsonb_to_recordset(old.refs -> 'blobs') as b (digest text, size bigint)
    ), counted as (
      update manifest.repository_blob_refs r set manifests = r.manifests - 1
      from refs
      where r.repository = old.repository and r.digest = refs.digest and r.manifests > 1
      returning r.digest
    ), released as (
      delete from manifest.repository_blob_refs r
      using refs
      where r.repository = old.repository and r.digest = refs.digest and r.manifests = 1
      returning r.size
    )
    select coalesce(sum(size), 0) into delta from released;
    update manifest.repository_usage
    set bytes = bytes - delta, manifests = manifests - 1
    where repository = old.repository;
  end if;
  return null;
end
$$;

create trigger manifests_count_usage
  after insert or delete on manifests
  for each row execute function count_manifest();

create function count_tag() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into manifest.repository_usage (repository, tags) values (new.repository, 1)
    on conflict (repository) do update set tags = manifest.repository_usage.tags + 1;
  else
    update manifest.repository_usage set tags = tags - 1 where repository = old.repository;
  end if;
  return null;
end
$$;

create trigger tags_count_usage
  after insert or delete on tags
  for each row execute function count_tag();
