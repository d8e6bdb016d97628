-- Deleted links: which repositories this region deleted a blob from.
--
-- repository_blob_tombstones  a link removed by a DELETE of the blob here (blob.deleted.v1).
--                             A peer region may still hold the blob in the same repository
--                             (blob deletes are not replicated): a miss here that has a
--                             tombstone is answered as "deleted here", and the gateway never
--                             serves it from a peer. A repository that sees the blob again
--                             (upload, mount, replication link) loses the tombstone: the
--                             trigger below keeps "a link and its tombstone never coexist"
--                             for every way a link is made.

create table repository_blob_tombstones (
  repository text not null,
  digest text not null,
  deleted_at timestamptz not null default now(),
  primary key (repository, digest)
);

create function clear_blob_tombstone() returns trigger language plpgsql as $$
begin
  delete from blob.repository_blob_tombstones
  where repository = new.repository and digest = new.digest;
  return null;
end
$$;

create trigger repository_blobs_clear_tombstone
  after insert on repository_blobs
  for each row execute function clear_blob_tombstone();
