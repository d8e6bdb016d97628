-- Cache rules (the pull-through cache), this region's: a pull of a repository matching
-- `target` that the region does not have is fetched from `source` and stored as a push.
--
-- cache_rules   `source` `host[:port]/repository` or `host[:port]/namespace/*`; `target` a
--               repository or `namespace/*` of this registry (no two rules' targets
--               overlap, checked by the service); `credential_set` the set it logs in
--               with (a name in credential_sets, absent: anonymous); `tag_ttl` as given
--               (`1h`) and `tag_ttl_seconds`, how long a cached tag is served before it is
--               checked upstream again.

create table cache_rules (
  name text collate "C" primary key,
  source text not null,
  target text collate "C" not null unique,
  credential_set text collate "C",
  tag_ttl text not null,
  tag_ttl_seconds integer not null check (tag_ttl_seconds >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
