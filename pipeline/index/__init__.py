"""Index: per-document results -> Parquet tables + search database (+ exports).

tables (schemas, rows and a streaming writer), search (SQLite FTS5: build, query,
export for search engines). Importing this package imports pyarrow.
"""

from pipeline.index.tables import (
    CHUNKS_SCHEMA,
    INDEX_DIR,
    SCHEMA_VERSION,
    SCHEMAS,
    TableWriter,
    describe_schemas,
    index_dir,
    read_table,
    tables,
    write_tables,
)

__all__ = [
    "CHUNKS_SCHEMA",
    "INDEX_DIR",
    "SCHEMAS",
    "SCHEMA_VERSION",
    "TableWriter",
    "describe_schemas",
    "index_dir",
    "read_table",
    "tables",
    "write_tables",
]
