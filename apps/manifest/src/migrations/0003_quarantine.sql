-- Quarantine (ACR's pattern): while the registry's quarantine setting is on, every push is
-- quarantined until a scan (or an external scanner) decides it; a quarantined or failed image
-- is not served to pulls except to quarantine readers.
--
-- settings    registry-wide settings of the manifest service, one row per name; `hlc` is the
--             clock reading of the change, so the newest change wins in every region.
-- quarantine  the state of one manifest: quarantined, passed or failed, and the clock reading
--             of the change that set it (pushes and decisions from every region settle by it).
--             No row: quarantine was off when the manifest was pushed. No foreign key: a
--             peer's decision may arrive before its push is applied here.

create table settings (
  name text collate "C" primary key,
  value jsonb not null,
  hlc text collate "C" not null
);

create table quarantine (
  repository text collate "C" not null,
  digest text not null,
  state text not null check (state in ('quarantined', 'passed', 'failed')),
  details text,
  hlc text collate "C" not null,
  updated_at timestamptz not null default now(),
  primary key (repository, digest)
);
