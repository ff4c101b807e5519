// SPDX-License-Identifier: MIT
#include "postgresschema.h"

using namespace Qt::StringLiterals;

namespace Inspector {

QString postgresHeadSchemaSql()
{
    return uR"sql(
CREATE TABLE IF NOT EXISTS migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE TABLE IF NOT EXISTS memories (
    id TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    namespace TEXT NOT NULL,
    domain TEXT NOT NULL,
    status TEXT NOT NULL,
    tags TEXT[] DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    search_vector TSVECTOR,
    project_id TEXT,
    branch TEXT,
    file_path TEXT,
    source TEXT,
    tombstoned_at BIGINT,
    expires_at BIGINT,
    is_summary BOOLEAN DEFAULT FALSE,
    source_memory_ids JSONB,
    consolidation_timestamp BIGINT
);
CREATE OR REPLACE FUNCTION memories_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english', COALESCE(NEW.content, '')), 'A') ||
        setweight(to_tsvector('english', COALESCE(array_to_string(NEW.tags, ' '), '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS memories_search_vector_trigger ON memories;
CREATE TRIGGER memories_search_vector_trigger
    BEFORE INSERT OR UPDATE ON memories
    FOR EACH ROW EXECUTE FUNCTION memories_search_vector_update();
CREATE INDEX IF NOT EXISTS memories_search_idx ON memories USING GIN (search_vector);
CREATE INDEX IF NOT EXISTS memories_namespace_idx ON memories (namespace);
CREATE INDEX IF NOT EXISTS memories_updated_idx ON memories (updated_at DESC);
CREATE INDEX IF NOT EXISTS memories_status_idx ON memories (status);
CREATE INDEX IF NOT EXISTS memories_created_idx ON memories (created_at DESC);
CREATE INDEX IF NOT EXISTS memories_project_idx ON memories (project_id);
CREATE INDEX IF NOT EXISTS memories_project_branch_idx ON memories (project_id, branch);
CREATE INDEX IF NOT EXISTS memories_file_path_idx ON memories (file_path);
CREATE INDEX IF NOT EXISTS memories_tombstoned_idx ON memories (tombstoned_at) WHERE tombstoned_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS memories_expires_idx ON memories (expires_at) WHERE expires_at IS NOT NULL;
INSERT INTO migrations (version, description) VALUES (1, 'Initial memories table with FTS and indexes')
    ON CONFLICT (version) DO NOTHING;
)sql"_s;
}

QString postgresVectorSchemaSql()
{
    return uR"sql(
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS memory_vectors (
    id TEXT PRIMARY KEY,
    embedding vector(384),
    created_at BIGINT NOT NULL DEFAULT EXTRACT(EPOCH FROM NOW())::BIGINT
);
CREATE INDEX IF NOT EXISTS memory_vectors_embedding_idx ON memory_vectors
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
)sql"_s;
}

QString postgresSplitSchemaSql()
{
    return uR"sql(
CREATE TABLE IF NOT EXISTS memories_schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE TABLE IF NOT EXISTS memories (
    id TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    namespace TEXT NOT NULL,
    domain_org TEXT,
    domain_project TEXT,
    domain_repo TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    tags TEXT[] NOT NULL DEFAULT '{}',
    source TEXT,
    embedding JSONB,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    tombstoned_at BIGINT,
    project_id TEXT,
    branch TEXT,
    file_path TEXT
);
CREATE INDEX IF NOT EXISTS idx_memories_created_at ON memories (created_at);
CREATE INDEX IF NOT EXISTS idx_memories_tags ON memories USING GIN (tags);
INSERT INTO memories_schema_migrations (version, description) VALUES
    (1, 'Create memories table'), (2, 'Add indexes'), (3, 'Add tags GIN index'), (4, 'Add tombstoned_at'),
    (5, 'Add facet columns')
    ON CONFLICT (version) DO NOTHING;
)sql"_s;
}

} // namespace Inspector
