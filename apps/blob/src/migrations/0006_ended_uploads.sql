-- Upload sessions the gateway opened on its own (apps/gateway upload-states.ts) have no row in
-- `uploads` until their first chunk, and many never have one: a monolithic PUT ends them. What
-- tells such a session apart from one that ended is this table.
--
-- ended_uploads   one row per session that ended (completed or cancelled) while the client may
--                 still hold a valid `_state` for it. A session whose row is here is unknown to
--                 the registry, whatever its `_state` says. Rows older than the idle timeout
--                 are deleted by the upload sweeper: by then every `_state` of theirs has expired.

create table ended_uploads (
  id uuid primary key,
  ended_at timestamptz not null default now()
);
-- the sweeper deletes the oldest first
create index ended_uploads_ended_at_idx on ended_uploads (ended_at);
