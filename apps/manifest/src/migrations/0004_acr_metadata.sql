-- What ACR's data-plane API (`/acr/v1`) lists: tags with their creation and last update time,
-- ordered by time, paged by keyset over many thousand tags.
--
-- tags.created_at        when the tag first pointed anywhere; tags stored before this column
--                        existed take their last update as the best reading there is.
-- tags_updated_idx       `_tags?orderby=timedesc|timeasc`: one index range per page, the
--                        name breaking ties between tags set in the same microsecond.
-- manifests_created_idx  `_manifests?orderby=…`, the same way by push time.

alter table tags add column created_at timestamptz;
update tags set created_at = updated_at;
alter table tags alter column created_at set not null;
alter table tags alter column created_at set default now();

create index tags_updated_idx on tags (repository, updated_at, name);
create index manifests_created_idx on manifests (repository, created_at, digest);
