-- Retention of untagged manifests (ACR's policy): while the registry's `retention` setting
-- ({"enabled", "days"} in `settings`) is on, the sweeper deletes manifests that have had no
-- tag for longer than `days`.
--
-- manifests.untagged_since  since when the manifest has had no tag; null while a tag points to
--                           it. Kept right by triggers whatever path writes tags (pushes,
--                           replicated writes, deletes, lock take-backs): set when a manifest
--                           is stored, cleared when a tag comes to point to it, set again when
--                           its last tag goes. Manifests untagged before this migration count
--                           from their push (so the policy applies to them too).

alter table manifests add column untagged_since timestamptz;

update manifests m set untagged_since = m.created_at
where not exists (
  select 1 from tags t where t.repository = m.repository and t.digest = m.digest
);

-- the sweep's scan: the longest-untagged first
create index manifests_untagged_since_idx on manifests (untagged_since)
  where untagged_since is not null;

create function manifest_stored_untagged() returns trigger language plpgsql
  set search_path from current as $$
begin
  if not exists (
    select 1 from tags t where t.repository = new.repository and t.digest = new.digest
  ) then
    new.untagged_since := coalesce(new.untagged_since, now());
  end if;
  return new;
end $$;

create trigger manifests_untagged_since before insert on manifests
  for each row execute function manifest_stored_untagged();

create function tag_moved_untagged_since() returns trigger language plpgsql
  set search_path from current as $$
begin
  if tg_op in ('INSERT', 'UPDATE') then
    update manifests set untagged_since = null
    where repository = new.repository and digest = new.digest and untagged_since is not null;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    update manifests set untagged_since = now()
    where repository = old.repository and digest = old.digest and untagged_since is null
      and not exists (
        select 1 from tags t where t.repository = old.repository and t.digest = old.digest
      );
  end if;
  return null;
end $$;

create trigger tags_untagged_since after insert or update of digest or delete on tags
  for each row execute function tag_moved_untagged_since();
