-- Locks (ACR's changeable attributes) as registry state, settled by the clock in every region.
--
-- lock_changes        every change of the attributes of a repository (`target` 'repository',
--                     `name` ''), a tag (`name` the tag) or a manifest (`name` the digest): the
--                     whole set after the change and its clock reading. The attributes in force
--                     at reading H are those of the newest change before H (none: all true), the
--                     same in every region once the same changes arrived, whatever their order.
--                     The reading is part of the key, so a change applied twice is one row; the
--                     key also serves "newest change of an item" (and "at H") as one index range.
--                     No foreign key: a peer's lock may arrive before what it locks.
-- tag_writes          every write of a tag this region knows of, made here or applied from a
--                     peer, whether or not it holds the tag now: a set (`digest`) or a delete
--                     (null). A lock change that arrives after writes it refuses takes them back
--                     to the tag's newest permitted write, which only this history knows.
-- manifest_pushes     every push of a manifest this region knows of (a push of the same bytes
--                     again is one more), stored or refused by a lock: a lock on the repository
--                     arriving late removes a manifest none of whose pushes it permits, and
--                     `manifests.hlc` is the newest push the locks permit, as where the lock came
--                     first. Pushes older than a delete of the manifest go with it (the tombstone
--                     keeps them out from then on).

create table lock_changes (
  repository text collate "C" not null,
  target text not null check (target in ('repository', 'tag', 'manifest')),
  name text collate "C" not null,
  delete_enabled boolean not null,
  write_enabled boolean not null,
  read_enabled boolean not null,
  list_enabled boolean not null,
  hlc text collate "C" not null,
  primary key (repository, target, name, hlc)
);

create table tag_writes (
  repository text collate "C" not null,
  tag text collate "C" not null,
  hlc text collate "C" not null,
  digest text,
  primary key (repository, tag, hlc)
);

-- the tags whose history points to a manifest, when it is stored
create index tag_writes_digest_idx on tag_writes (repository, digest) where digest is not null;

insert into tag_writes (repository, tag, hlc, digest)
select repository, name, hlc, digest from tags;
insert into tag_writes (repository, tag, hlc, digest)
select repository, name, hlc, null from tag_tombstones
on conflict do nothing;

create table manifest_pushes (
  repository text collate "C" not null,
  digest text not null,
  hlc text collate "C" not null,
  primary key (repository, digest, hlc)
);

insert into manifest_pushes (repository, digest, hlc)
select repository, digest, hlc from manifests;
