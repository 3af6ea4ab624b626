-- Every ARM resource (features, providers, resource groups, clusters, extensions, operations) is one row:
-- its JSON body plus what the API needs to find, list and guard it. Written for SQLite and PostgreSQL alike.
CREATE TABLE resources (
  id          VARCHAR(1024) PRIMARY KEY,  -- the ARM id, lower-cased (ARM ids are case-insensitive)
  kind        VARCHAR(64)   NOT NULL,
  parent_id   VARCHAR(1024),
  body        TEXT          NOT NULL,
  etag        VARCHAR(64)   NOT NULL,
  created_at  BIGINT        NOT NULL,
  modified_at BIGINT        NOT NULL
);
CREATE INDEX resources_kind_parent ON resources (kind, parent_id);

CREATE TABLE server_settings (
  name  VARCHAR(128) PRIMARY KEY,
  value TEXT         NOT NULL
);
