-- Store of record of the delegate broker. Secrets are stored only as SHA-256 hashes.
CREATE TABLE accounts (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL
);

CREATE TABLE admin_keys (
  id          text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES accounts (id),
  hash        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL
);

CREATE TABLE tokens (
  id            text PRIMARY KEY,
  account_id    text NOT NULL REFERENCES accounts (id),
  name          text NOT NULL,
  project       text,
  hash          text NOT NULL UNIQUE,
  status        text NOT NULL CHECK (status IN ('ACTIVE', 'REVOKED')),
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  UNIQUE (account_id, name)
);
-- Serves the catch-up query of nodes that missed a revocation broadcast.
CREATE INDEX tokens_revoked_at ON tokens (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE profiles (
  account_id         text NOT NULL REFERENCES accounts (id),
  name               text NOT NULL,
  approval_required  boolean NOT NULL,
  startup_script     text,
  created_at         timestamptz NOT NULL,
  PRIMARY KEY (account_id, name)
);

CREATE TABLE delegates (
  id          text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES accounts (id),
  name        text NOT NULL,
  type        text NOT NULL,
  profile     text NOT NULL,
  project     text,
  status      text NOT NULL CHECK (status IN ('ACTIVE', 'PENDING_APPROVAL')),
  token_name  text NOT NULL,
  created_at  timestamptz NOT NULL,
  UNIQUE (account_id, name)
);

-- A rejected delegate name is refused from then on (a tombstone that survives restarts).
CREATE TABLE rejected_delegates (
  account_id   text NOT NULL REFERENCES accounts (id),
  name         text NOT NULL,
  rejected_at  timestamptz NOT NULL,
  PRIMARY KEY (account_id, name)
);

CREATE TABLE audit_events (
  seq         bigserial PRIMARY KEY,
  account_id  text,
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  action      text NOT NULL,
  target      text NOT NULL
);
CREATE INDEX audit_events_by_account ON audit_events (account_id, seq DESC);
