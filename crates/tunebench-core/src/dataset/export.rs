//! Exporting a split as JSONL or CSV (id, input, expected, split, then the metadata
//! columns, so importing the file again gives the same rows), or as OpenAI chat
//! fine-tuning JSONL with an optional system prompt. Rows stream from the store into a
//! temporary file beside `out`, renamed over it only once every row is written, so a failed
//! export never damages a file that was there. CSV cells that a spreadsheet would run as a
//! formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) get a leading `'`, as
//! OWASP recommends against CSV injection, unless `raw_values` asks for them as they are.

use std::io::{BufWriter, Write};
use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::mapping::{json_object, parse_metadata};
use super::record::value_text;
use super::SplitFilter;
use crate::store;
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    Jsonl,
    Csv,
    OpenaiChat,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportOptions {
    pub split: SplitFilter,
    pub format: ExportFormat,
    /// For OpenAI chat: a system turn put before every example.
    pub system: Option<String>,
    /// CSV: write cells that start like a formula as they are, without the leading `'`.
    #[serde(default)]
    pub raw_values: bool,
}

/// A CSV cell made safe to open in a spreadsheet: a `'` before a leading `=`, `+`, `-`, `@`,
/// tab or carriage return, so the cell is shown as text instead of run as a formula.
pub fn defuse_formula(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportOutcome {
    pub rows: u32,
    pub path: String,
}

/// Writes the rows of dataset `id` chosen by `opts` to `out`.
pub fn export(
    conn: &Connection,
    id: i32,
    opts: &ExportOptions,
    out: &Path,
) -> Result<ExportOutcome> {
    let name = store::dataset::name(conn, id)?;
    let split = opts.split.stored();
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tunebench-export-");
    // The finished file gets the usual mode (umask applied), not a temporary file's 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let temp = builder.tempfile_in(folder).map_err(|e| Error::io(out, e))?;
    let mut w = BufWriter::new(temp);
    let io = |e: std::io::Error| Error::io(out, e);
    let mut rows = 0u32;
    match opts.format {
        ExportFormat::Jsonl => {
            let with_ids = has_external_ids(conn, id, split)?;
            store::example::for_each(conn, id, split, |e| {
                let mut pairs: Vec<(String, Value)> = Vec::new();
                if with_ids {
                    pairs.push((
                        "id".into(),
                        e.external_id.map_or(Value::Null, Value::String),
                    ));
                }
                pairs.push(("input".into(), Value::String(e.input)));
                pairs.push(("expected".into(), Value::String(e.expected)));
                pairs.push(("split".into(), Value::String(export_split(&e.split))));
                pairs.extend(parse_metadata(&e.metadata));
                writeln!(w, "{}", json_object(&pairs)).map_err(io)?;
                rows += 1;
                Ok(())
            })?;
        }
        ExportFormat::OpenaiChat => {
            store::example::for_each(conn, id, split, |e| {
                let mut messages = Vec::new();
                if let Some(system) = opts.system.as_deref().filter(|s| !s.is_empty()) {
                    messages.push(json!({"role": "system", "content": system}));
                }
                messages.push(json!({"role": "user", "content": e.input}));
                messages.push(json!({"role": "assistant", "content": e.expected}));
                writeln!(w, "{}", json!({ "messages": messages })).map_err(io)?;
                rows += 1;
                Ok(())
            })?;
        }
        ExportFormat::Csv => {
            let with_ids = has_external_ids(conn, id, split)?;
            let meta = metadata_columns(conn, id, split)?;
            let mut csv = ::csv::Writer::from_writer(&mut w);
            let csv_err = |e: ::csv::Error| Error::Invalid(format!("{}: {e}", out.display()));
            let mut header: Vec<&str> = Vec::new();
            if with_ids {
                header.push("id");
            }
            header.extend(["input", "expected", "split"]);
            header.extend(meta.iter().map(String::as_str));
            csv.write_record(&header).map_err(csv_err)?;
            store::example::for_each(conn, id, split, |e| {
                let pairs = parse_metadata(&e.metadata);
                let mut record: Vec<String> = Vec::with_capacity(header.len());
                if with_ids {
                    record.push(e.external_id.unwrap_or_default());
                }
                record.extend([e.input, e.expected, export_split(&e.split)]);
                record.extend(meta.iter().map(|m| {
                    pairs
                        .iter()
                        .find(|(k, _)| k == m)
                        .map(|(_, v)| value_text(v))
                        .unwrap_or_default()
                }));
                if !opts.raw_values {
                    record = record.into_iter().map(defuse_formula).collect();
                }
                csv.write_record(&record).map_err(csv_err)?;
                rows += 1;
                Ok(())
            })?;
            csv.flush().map_err(io)?;
        }
    }
    if rows == 0 {
        // The temporary file goes away with `w`; a file already at `out` is untouched.
        let which = split.unwrap_or("any");
        return Err(Error::Invalid(format!(
            "dataset `{name}` has no {which} rows to export (split it first?)"
        )));
    }
    let temp = w.into_inner().map_err(|e| io(e.into_error()))?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist(out).map_err(|e| io(e.error))?;
    Ok(ExportOutcome {
        rows,
        path: out.display().to_string(),
    })
}

/// The split as written: empty for unassigned rows, so a re-import leaves them unassigned.
fn export_split(stored: &str) -> String {
    match stored {
        "train" | "test" => stored.to_string(),
        _ => String::new(),
    }
}

fn has_external_ids(conn: &Connection, id: i32, split: Option<&str>) -> Result<bool> {
    store::example::any_external_id(conn, id, split)
}

/// Every metadata key of the rows, in order of first appearance.
fn metadata_columns(conn: &Connection, id: i32, split: Option<&str>) -> Result<Vec<String>> {
    let mut cols: Vec<String> = Vec::new();
    store::example::for_each_metadata(conn, id, split, |m| {
        if m == "{}" {
            return;
        }
        for (k, _) in parse_metadata(m) {
            if !cols.contains(&k) && !["id", "input", "expected", "split"].contains(&k.as_str()) {
                cols.push(k);
            }
        }
    })?;
    Ok(cols)
}
