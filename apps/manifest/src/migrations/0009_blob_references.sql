-- Which blobs the region's manifests reference, one row per (repository, manifest, blob):
-- the blob service's garbage collector reads this table (and only this one) to decide that
-- a blob is unreferenced, inside the transaction that dooms the blob (docs/architecture.md,
-- "Garbage collection"). A trigger keeps it exact in the transaction of every manifest
-- insert and delete, whatever path makes it (push, replicated write, delete, retention,
-- purge, repository delete).
--
-- restorable  false: a stored manifest references the blob. true: a deleted manifest that
--             soft delete keeps restorable does; GC frees neither.

create table blob_references (
  repository text collate "C" not null,
  manifest text not null,
  digest text not null,
  restorable boolean not null default false,
  primary key (repository, manifest, digest, restorable)
);

-- GC's "does anything reference this blob (in this repository)?"
create index blob_references_digest_idx on blob_references (digest, repository);

insert into blob_references (repository, manifest, digest)
select distinct m.repository, m.digest, b ->> 'digest'
from manifests m, jsonb_array_elements(m.refs -> 'blobs') b;

create function manifest_blob_references() returns trigger language plpgsql
  set search_path from current as $$
begin
  if tg_op = 'INSERT' then
    insert into blob_references (repository, manifest, digest)
    select distinct new.repository, new.digest, b ->> 'digest'
    from jsonb_array_elements(new.refs -> 'blobs') b
    on conflict do nothing;
  else
    delete from blob_references
    where repository = old.repository and manifest = old.digest and not restorable;
  end if;
  return null;
end $$;

create trigger manifests_blob_references after insert or delete on manifests
  for each row execute function manifest_blob_references();
