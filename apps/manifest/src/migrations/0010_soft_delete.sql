-- Soft delete (issue 14): while the registry's `soft-delete` setting ({"enabled",
-- "retentionDays"} in `settings`) is on, every manifest a delete removes from this region's
-- copy (a user's, retention's, a purge's, a repository delete, a peer region's delete applied
-- here) is kept here, restorable, until `expires_at`.
--
-- restorable_manifests  the deleted manifest as it was: its exact bytes, media type, refs and
--                       subject, and the tags that pointed to it with the clock readings of
--                       their writes ([{"name", "hlc"}]); `deleted_hlc` is the delete's
--                       reading, against which a restore tells a tag written since. One row
--                       per (repository, digest): a second delete of the same bytes replaces
--                       the first. No foreign key: the repository itself may be gone.
--
-- Kept exact by triggers, whatever path makes the change:
--   * while a row exists, `blob_references` holds its blobs with `restorable = true`, so
--     garbage collection frees none of them; the rows go with it (restore, expiry);
--   * a manifest stored again (a restore, a push of the same bytes here or in a peer region)
--     is no longer deleted: its row goes in the same transaction.

create table restorable_manifests (
  repository text collate "C" not null,
  digest text not null,
  media_type text not null,
  size integer not null,
  body bytea not null,
  subject text,
  refs jsonb not null,
  tags jsonb not null,
  deleted_hlc text collate "C" not null,
  deleted_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (repository, digest)
);

-- the sweeper's scan: the soonest expiring first
create index restorable_manifests_expires_at_idx on restorable_manifests (expires_at);

create function restorable_blob_references() returns trigger language plpgsql
  set search_path from current as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    delete from blob_references
    where repository = old.repository and manifest = old.digest and restorable;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into blob_references (repository, manifest, digest, restorable)
    select distinct new.repository, new.digest, b ->> 'digest', true
    from jsonb_array_elements(new.refs -> 'blobs') b
    on conflict do nothing;
  end if;
  return null;
end $$;

create trigger restorable_manifests_blob_references
  after insert or update of refs or delete on restorable_manifests
  for each row execute function restorable_blob_references();

create function manifest_stored_again() returns trigger language plpgsql
  set search_path from current as $$
begin
  delete from restorable_manifests where repository = new.repository and digest = new.digest;
  return null;
end $$;

create trigger manifests_restorable_stored_again after insert on manifests
  for each row execute function manifest_stored_again();
