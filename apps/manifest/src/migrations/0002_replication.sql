-- What geo-replication needs to settle writes from several regions the same way everywhere.
--
-- Every write carries a hybrid logical clock reading (libs/contracts hlc.ts) whose text sorts
-- in clock order byte by byte, so hlc columns compare with collate "C", whatever the
-- database's collation (a locale collation may skip the `.` and `-` of a reading).
--
-- manifests.hlc      the newest push of the manifest (a push of the same bytes raises it); ''
--                    for manifests stored before replication existed: older than any reading.
-- *_tombstones       a delete and its reading, kept after the row is gone, so an older event
--                    that arrives late (a push, a tag) never brings back what was deleted.
--                    A newer write goes through: deletes are settled by the clock like tags.

alter table tags alter column hlc type text collate "C";

alter table manifests add column hlc text collate "C" not null default '';
alter table manifests alter column hlc drop default;

create table tag_tombstones (
  repository text collate "C" not null,
  name text collate "C" not null,
  hlc text collate "C" not null,
  primary key (repository, name)
);

create table manifest_tombstones (
  repository text collate "C" not null,
  digest text not null,
  hlc text collate "C" not null,
  primary key (repository, digest)
);

create table repository_tombstones (
  name text collate "C" primary key,
  hlc text collate "C" not null
);
