//! The store opens, configures and migrates a real SQLite file.

// These tests build old, foreign and newer files on purpose, so they open raw connections.
#![allow(clippy::disallowed_methods)]

use tunebench_core::store::{self, LATEST_VERSION};
use tunebench_core::ErrorCode;

use crate::support::{raw, temp_db};

#[test]
fn open_creates_a_fresh_database_at_the_latest_schema() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    assert_eq!(store::schema_version(&conn).unwrap(), LATEST_VERSION);
    assert!(db.path.exists(), "open() must create the file");
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in [
        "arm",
        "dataset",
        "example",
        "experiment",
        "fine_tune_job",
        "price",
        "provider",
        "result",
        "run",
        "scenario",
    ] {
        assert!(
            tables.iter().any(|x| x == t),
            "migration 1 must create {t}; got {tables:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_new_store_and_its_journal_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db.path), 0o600, "the store file");
    let wal = std::path::PathBuf::from(format!("{}-wal", db.path.display()));
    assert_eq!(mode(&wal), 0o600, "its write-ahead log");
}

#[test]
fn open_sets_wal_foreign_keys_and_busy_timeout() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i32 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1, "foreign keys must be enforced on every connection");
    let timeout: i32 = conn
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    assert!(timeout >= 1000, "busy timeout is {timeout} ms");
}

#[test]
fn reopening_an_up_to_date_database_changes_nothing() {
    let db = temp_db();
    drop(store::open(&db.path).unwrap());
    let conn = store::open(&db.path).unwrap();
    assert_eq!(store::schema_version(&conn).unwrap(), LATEST_VERSION);
}

#[test]
fn an_old_database_at_version_zero_is_migrated_and_keeps_its_other_tables() {
    let db = temp_db();
    {
        let raw = raw(&db.path);
        raw.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('kept');")
            .unwrap();
    }
    let conn = store::open(&db.path).unwrap();
    assert_eq!(store::schema_version(&conn).unwrap(), LATEST_VERSION);
    let kept: String = conn
        .query_row("SELECT t FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, "kept");
}

#[test]
fn a_database_from_a_newer_build_is_refused_with_a_clear_message() {
    let db = temp_db();
    {
        let raw = raw(&db.path);
        raw.pragma_update(None, "user_version", LATEST_VERSION + 5)
            .unwrap();
    }
    let err = store::open(&db.path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::SchemaTooNew);
    assert!(err.is_bad_input());
    let msg = err.to_string();
    assert!(msg.contains("newer"), "{msg}");
    assert!(
        msg.contains(&db.path.display().to_string()),
        "names the file: {msg}"
    );
    // Refusing must not have touched the file's version.
    let raw = raw(&db.path);
    let v: i32 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, LATEST_VERSION + 5);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_as_bad_input() {
    let db = temp_db();
    std::fs::write(
        &db.path,
        b"name,label\nthis is a csv file, not a database\n".repeat(20),
    )
    .unwrap();
    let err = store::open(&db.path).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
    assert!(
        err.to_string().contains("not a Tunebench database"),
        "{err}"
    );
}

#[test]
fn a_failed_migration_leaves_the_version_unchanged() {
    // A table that collides with migration 1 makes it fail half-way: the transaction must
    // roll back everything, leaving version 0 and no partial schema.
    let db = temp_db();
    {
        let raw = raw(&db.path);
        raw.execute_batch("CREATE TABLE price (x INTEGER);")
            .unwrap();
    }
    assert!(store::open(&db.path).is_err());
    let raw = raw(&db.path);
    let v: i32 = raw
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 0);
    let n: i32 = raw
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'dataset'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        n, 0,
        "the dataset table created before the failure must be rolled back"
    );
}

#[test]
fn resolve_path_prefers_the_flag_then_the_environment_then_the_data_dir() {
    use std::path::{Path, PathBuf};
    let flag = Path::new("/tmp/flag.db");
    assert_eq!(
        store::resolve_path(Some(flag), Some("/tmp/env.db")).unwrap(),
        flag
    );
    assert_eq!(
        store::resolve_path(None, Some("/tmp/env.db")).unwrap(),
        PathBuf::from("/tmp/env.db")
    );
    let default = store::resolve_path(None, Some("  ")).unwrap();
    assert!(
        default.ends_with("tunebench/tunebench.sqlite3"),
        "{default:?}"
    );
}

#[test]
fn the_dataset_list_of_a_new_store_is_empty() {
    let conn = store::open_in_memory().unwrap();
    assert!(store::dataset::list(&conn).unwrap().is_empty());
}

#[test]
fn a_version_1_database_gains_the_finish_reason_and_cache_write_columns() {
    let db = temp_db();
    {
        let raw = raw(&db.path);
        raw.execute_batch(include_str!("../../migrations/0001_init.sql"))
            .unwrap();
        raw.pragma_update(None, "user_version", 1).unwrap();
    }
    let conn = store::open(&db.path).unwrap();
    assert_eq!(store::schema_version(&conn).unwrap(), LATEST_VERSION);
    for (table, column) in [
        ("result", "finish_reason"),
        ("result", "cache_write_tokens"),
        ("response_cache", "cache_write_tokens"),
        ("response_cache", "finish_reason"),
    ] {
        let n: i64 = conn
            .query_row(
                &format!(
                    "SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = '{column}'"
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{table}.{column}");
    }
}

#[test]
fn a_version_2_fine_tune_job_row_is_carried_into_the_rebuilt_table() {
    let db = temp_db();
    {
        let raw = raw(&db.path);
        raw.execute_batch(include_str!("../../migrations/0001_init.sql"))
            .unwrap();
        raw.execute_batch(include_str!(
            "../../migrations/0002_finish_reason_and_cache_writes.sql"
        ))
        .unwrap();
        raw.execute_batch(
            "INSERT INTO provider (id, name, kind, base_url) VALUES (1, 'az', 'azure_openai', 'https://x');
             INSERT INTO fine_tune_job (id, provider_id, provider_job_id, base_model, training_file,
                 status, created_at, updated_at)
             VALUES (4, 1, 'ftjob-1', 'gpt-4.1-mini', 'file-1', 'validating_files', 't0', 't1'),
                    (5, 1, 'ftjob-2', 'gpt-4.1-mini', 'file-2', 'running', 't0', 't1');",
        )
        .unwrap();
        raw.pragma_update(None, "user_version", 2).unwrap();
    }
    let conn = store::open(&db.path).unwrap();
    let old = store::fine_tune::get(&conn, 4).unwrap();
    assert_eq!(old.trainer.as_str(), "azure_openai");
    assert_eq!(
        old.status.as_str(),
        "failed",
        "an unknown word is not a live job"
    );
    assert_eq!(old.provider_status.as_deref(), Some("validating_files"));
    assert_eq!(old.provider_job_id.as_deref(), Some("ftjob-1"));
    assert_eq!(
        store::fine_tune::get(&conn, 5).unwrap().status.as_str(),
        "running"
    );
    assert_eq!(store::fine_tune::live(&conn).unwrap().len(), 1);
}

#[test]
fn a_version_4_database_keeps_its_rows_and_gains_the_validation_split_and_searches() {
    let db = temp_db();
    {
        let raw = raw(&db.path);
        for sql in [
            include_str!("../../migrations/0001_init.sql"),
            include_str!("../../migrations/0002_finish_reason_and_cache_writes.sql"),
            include_str!("../../migrations/0003_fine_tune_jobs.sql"),
            include_str!("../../migrations/0004_local_provider.sql"),
        ] {
            raw.execute_batch(sql).unwrap();
        }
        raw.execute_batch(
            "INSERT INTO dataset (id, name, source_file, source_format, imported_at)
                 VALUES (1, 'd', 'd.csv', 'csv', 't');
             INSERT INTO example (id, dataset_id, ordinal, input, expected, split)
                 VALUES (7, 1, 0, 'in', 'out', 'train'), (8, 1, 1, 'in2', 'out2', 'test');
             INSERT INTO experiment (id, name, dataset_id, split, questions, created_at)
                 VALUES (3, 'e', 1, 'test', '{\"q\":1}', 't');",
        )
        .unwrap();
        raw.pragma_update(None, "user_version", 4).unwrap();
    }
    let conn = store::open(&db.path).unwrap();
    assert_eq!(store::schema_version(&conn).unwrap(), LATEST_VERSION);
    let split: String = conn
        .query_row("SELECT split FROM example WHERE id = 8", [], |r| r.get(0))
        .unwrap();
    assert_eq!(split, "test");
    conn.execute("UPDATE example SET split = 'validation' WHERE id = 7", [])
        .unwrap();
    let exp = store::experiment::get(&conn, 3).unwrap();
    assert_eq!((exp.name.as_str(), exp.split.as_str()), ("e", "test"));
    conn.execute(
        "INSERT INTO experiment (name, dataset_id, split, created_at) VALUES ('s', 1, 'validation', 't')",
        [],
    )
    .unwrap();
    let searches: i64 = conn
        .query_row("SELECT COUNT(*) FROM search", [], |r| r.get(0))
        .unwrap();
    assert_eq!(searches, 0);
}
