-- The last successful login of each identity from each address (key `pair:<address> <name>`,
-- as login_failures' pair keys): a pair that logged in lately is known, and the budgets
-- against spraying and distributed guessing never refuse it. Rows older than the time a
-- success keeps its address known are pruned as new successes come in.
create table login_successes (
  key text primary key,
  succeeded_at timestamptz not null default now()
);

create index login_successes_succeeded_at_idx on login_successes (succeeded_at);
