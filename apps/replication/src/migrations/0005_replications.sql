-- Replications: the regions of this registry, registry state every region keeps a copy of and
-- changes at runtime (replications.service.ts). Every region's replication service consumes
-- the live rows' regions but its own; a region whose own row is a tombstone is standalone.
--
-- replications   `nats_domain` the JetStream domain its events stream is reached through;
--                `storage_type` filesystem or s3 with its non-secret fields (`storage_path`;
--                `s3_*`); `sealed_secret` the S3 secret access key sealed under
--                MERIDIAN_CREDENTIALS_SECRET_KEY (`plain:` only on a loopback-only system);
--                `clock` the hybrid clock reading of the change, newest wins in every region
--                (a seed from the environment reads 0 and loses to any change made through the
--                API); `deleted` a tombstone, kept so a removal survives restarts and merges.

create table replications (
  region text collate "C" primary key,
  nats_domain text not null,
  storage_type text not null check (storage_type in ('filesystem', 's3')),
  storage_path text,
  s3_endpoint text,
  s3_bucket text,
  s3_region text,
  s3_access_key_id text,
  s3_force_path_style boolean,
  sealed_secret text,
  clock text collate "C" not null,
  deleted boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
