//! Importing a file: a preview for the mapping dialog, then the import itself. A reading
//! thread parses and maps rows into bounded batches; this thread writes them with one
//! prepared statement inside ONE transaction, so an error or a cancel leaves nothing.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::detect::{detect, Detected, Format};
use super::encoding;
use super::input::{Counting, InputFile};
use super::mapping::{ColumnMap, Mapper, NewExample};
use super::record::{Cells, Flow, Place, Sink};
use super::report::{ReportBuilder, ValidationReport};
use super::{delimited, jsonl, sheet, ImportOptions};
use crate::store;
use crate::{Error, Result};

/// Rows per batch handed from the reading thread to the writer.
const BATCH_ROWS: usize = 2048;
/// Batches in flight between the threads (bounds memory).
const BATCHES_IN_FLIGHT: usize = 4;
/// Rows shown by a preview.
const PREVIEW_ROWS: usize = 20;
/// The SQLite page cache during an import, in KiB (negative = KiB for `cache_size`).
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// The name the built-in sample is imported under (made unique if taken).
pub const SAMPLE_NAME: &str = "spamassassin_spam_ham";
static SAMPLE_CSV: &[u8] = include_bytes!("../../assets/sample/spamassassin_spam_ham.csv");

/// What the mapping dialog shows before an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Preview {
    pub file: String,
    pub format: Format,
    pub encoding: String,
    /// The workbook's sheets (empty for text formats).
    pub sheets: Vec<String>,
    /// The sheet previewed.
    pub sheet: Option<String>,
    pub columns: Vec<String>,
    /// The detected mapping, or `None` with `mapping_error` saying why.
    pub mapping: Option<ColumnMap>,
    pub mapping_error: Option<String>,
    /// The first rows, each aligned with `columns`.
    pub rows: Vec<Vec<String>>,
}

/// How far an import has got.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportProgress {
    pub rows: u32,
    pub bytes: f64,
    pub total_bytes: f64,
    /// 0 to 100.
    pub percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportOutcome {
    pub dataset_id: i32,
    pub name: String,
    pub format: Format,
    pub rows: u32,
    pub column_map: ColumnMap,
    pub report: ValidationReport,
}

/// Reads the start of `path` for the mapping dialog: format, encoding, sheets, columns,
/// the detected mapping and the first rows. Nothing is stored.
pub fn preview(path: &Path, opts: &ImportOptions) -> Result<Preview> {
    preview_input(&InputFile::path(path), opts)
}

fn preview_input(input: &InputFile, opts: &ImportOptions) -> Result<Preview> {
    let det = detect(input, opts.format)?;
    let sheets = if det.format.is_sheet() {
        sheet::sheet_names(input, det.format)?
    } else {
        Vec::new()
    };
    let mut sink = PreviewSink::default();
    let sheet = read(input, &det, opts, Arc::default(), &mut sink)?;
    let columns = sink.columns();
    let (mapping, mapping_error) = match ColumnMap::detect(&input.name, &columns, opts) {
        Ok(m) => (Some(m), None),
        Err(e) => (None, Some(e.to_string())),
    };
    Ok(Preview {
        file: input.name.clone(),
        format: det.format,
        encoding: det.encoding.label().to_string(),
        sheets,
        sheet,
        rows: sink.records.iter().map(|c| c.texts(&columns)).collect(),
        columns,
        mapping,
        mapping_error,
    })
}

#[derive(Default)]
struct PreviewSink {
    header: Option<Vec<String>>,
    records: Vec<Cells>,
}

impl PreviewSink {
    /// The header, else every JSON key in order of first appearance.
    fn columns(&self) -> Vec<String> {
        match &self.header {
            Some(h) => h.clone(),
            None => key_union(self.records.iter()),
        }
    }
}

impl Sink for PreviewSink {
    fn header(&mut self, columns: Vec<String>) -> Result<()> {
        self.header = Some(columns);
        Ok(())
    }

    fn record(&mut self, _: Place, cells: Cells) -> Result<Flow> {
        self.records.push(cells);
        Ok(if self.records.len() >= PREVIEW_ROWS {
            Flow::Stop
        } else {
            Flow::Continue
        })
    }
}

/// Every JSON key of `records`, in order of first appearance.
fn key_union<'c>(records: impl Iterator<Item = &'c Cells>) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for keys in records.filter_map(Cells::keys) {
        for k in keys {
            if !cols.contains(&k) {
                cols.push(k);
            }
        }
    }
    cols
}

/// Runs the right reader over `input`; returns the sheet read, for workbooks.
fn read(
    input: &InputFile,
    det: &Detected,
    opts: &ImportOptions,
    bytes: Arc<AtomicU64>,
    sink: &mut dyn Sink,
) -> Result<Option<String>> {
    let name = input.name.as_str();
    if det.format.is_sheet() {
        let sheet = sheet::read(
            input,
            det.format,
            opts.sheet.as_deref(),
            opts.no_header,
            sink,
        )?;
        return Ok(Some(sheet));
    }
    let raw = Counting::new(input.open()?, bytes);
    let text = encoding::decoding(raw, det.encoding).map_err(|e| input.io_error(e))?;
    match det.format {
        Format::Jsonl => jsonl::read_lines(name, text, false, sink)?,
        Format::OpenaiChat => jsonl::read_lines(name, text, true, sink)?,
        Format::Json => jsonl::read_array(name, text, sink)?,
        _ => delimited::read(name, text, det.delimiter, opts.no_header, sink)?,
    }
    Ok(None)
}

/// Imports `path` into a new dataset in one transaction. `on_progress` is called as rows
/// are stored; setting `cancel` stops the import and stores nothing.
pub fn import(
    conn: &Connection,
    path: &Path,
    opts: &ImportOptions,
    on_progress: &mut dyn FnMut(&ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportOutcome> {
    import_input(conn, &InputFile::path(path), opts, on_progress, cancel)
}

/// Imports the built-in SpamAssassin spam/ham sample (2,250 labelled e-mails, public domain).
pub fn import_sample(
    conn: &Connection,
    on_progress: &mut dyn FnMut(&ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportOutcome> {
    let input = InputFile::bytes("spamassassin_spam_ham.csv", SAMPLE_CSV);
    import_input(conn, &input, &ImportOptions::default(), on_progress, cancel)
}

fn unique_name(conn: &Connection, input: &InputFile, opts: &ImportOptions) -> Result<String> {
    if let Some(name) = &opts.name {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("the dataset name is empty".into()));
        }
        if store::dataset::name_taken(conn, name)? {
            return Err(Error::Invalid(format!(
                "a dataset named `{name}` already exists; choose another name"
            )));
        }
        return Ok(name.to_string());
    }
    let stem = input.stem();
    let mut name = stem.clone();
    let mut n = 2;
    while store::dataset::name_taken(conn, &name)? {
        name = format!("{stem} ({n})");
        n += 1;
    }
    Ok(name)
}

/// What the reading thread hands back when it has read the whole file.
struct ReadDone {
    map: Option<ColumnMap>,
    header: bool,
    report: ReportBuilder,
    sheet: Option<String>,
}

fn import_input(
    conn: &Connection,
    input: &InputFile,
    opts: &ImportOptions,
    on_progress: &mut dyn FnMut(&ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportOutcome> {
    let det = detect(input, opts.format)?;
    let total = input.len()? as f64;
    let name = unique_name(conn, input, opts)?;
    let bytes = Arc::new(AtomicU64::new(0));
    let old_cache = store::set_cache_size(conn, -IMPORT_CACHE_KIB)?;
    let outcome = std::thread::scope(|scope| {
        let (tx, rx) = sync_channel::<Vec<NewExample>>(BATCHES_IN_FLIGHT);
        let reading_bytes = bytes.clone();
        let reader = scope.spawn(move || {
            let mut sink = ImportSink::new(&input.name, opts, tx, cancel);
            let sheet = read(input, &det, opts, reading_bytes, &mut sink)?;
            sink.finish()?;
            Ok::<_, Error>(ReadDone {
                header: sink.columns.is_some(),
                map: sink.mapper.map(|m| m.map().clone()),
                report: sink.report,
                sheet,
            })
        });
        let written = write(
            conn,
            &name,
            input,
            &det,
            rx,
            &bytes,
            total,
            on_progress,
            cancel,
        );
        // A failed write drops the receiver, which stops the reader; join it either way.
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the file reader failed".into())));
        match (written, read) {
            (Err(e), _) => Err(e),
            (Ok(_), Err(e)) => Err(e),
            (Ok(w), Ok(r)) => Ok((w, r)),
        }
    });
    let restored = store::set_cache_size(conn, old_cache);
    let ((tx_done, dataset_id, rows), read) = outcome?;
    restored?;
    let file = &input.name;
    let (Some(map), true) = (read.map, rows > 0) else {
        let place = read
            .sheet
            .map(|s| format!("sheet `{s}`"))
            .unwrap_or_default();
        let msg = if read.header {
            "the file has a header but no rows"
        } else {
            "the file has no rows"
        };
        return Err(Error::bad_file(file, place, msg));
    };
    let report = read.report.finish(det.encoding.label());
    let map_json = serde_json::to_string(&map).unwrap_or_else(|_| "{}".into());
    let report_json = serde_json::to_string(&report).unwrap_or_else(|_| "{}".into());
    store::dataset::set_contents(conn, dataset_id, rows, &map_json, &report_json)?;
    tx_done.commit()?;
    on_progress(&ImportProgress {
        rows,
        bytes: total,
        total_bytes: total,
        percent: 100.0,
    });
    Ok(ImportOutcome {
        dataset_id,
        name,
        format: det.format,
        rows,
        column_map: map,
        report,
    })
}

/// Receives batches and stores them; returns the open transaction, dataset id and rows.
fn write<'c>(
    conn: &'c Connection,
    name: &str,
    input: &InputFile,
    det: &Detected,
    rx: std::sync::mpsc::Receiver<Vec<NewExample>>,
    bytes: &AtomicU64,
    total: f64,
    on_progress: &mut dyn FnMut(&ImportProgress),
    cancel: &AtomicBool,
) -> Result<(rusqlite::Transaction<'c>, i32, u32)> {
    let tx = conn.unchecked_transaction()?;
    let dataset_id = store::dataset::insert(
        &tx,
        &store::dataset::NewDataset {
            name,
            source_file: &input.name,
            source_format: det.format.as_str(),
        },
    )?;
    let mut rows: u32 = 0;
    let mut last_percent = -1.0;
    {
        let mut ins = store::example::Inserter::new(&tx, dataset_id)?;
        for batch in rx {
            for ex in &batch {
                ins.insert(i64::from(rows), ex)?;
                rows += 1;
            }
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled("import"));
            }
            let done = bytes.load(Ordering::Relaxed) as f64;
            let percent = if total > 0.0 {
                (done / total * 100.0).min(99.9)
            } else {
                0.0
            };
            if percent - last_percent >= 0.5 {
                last_percent = percent;
                on_progress(&ImportProgress {
                    rows,
                    bytes: done,
                    total_bytes: total,
                    percent,
                });
            }
        }
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(Error::Cancelled("import"));
    }
    Ok((tx, dataset_id, rows))
}

/// The reading thread's end: maps records to rows, feeds the report, sends batches.
struct ImportSink<'a> {
    file: &'a str,
    opts: &'a ImportOptions,
    columns: Option<Vec<String>>,
    mapper: Option<Mapper>,
    /// Keyed records held back until the mapping is decided.
    pending: Vec<(Place, Cells)>,
    report: ReportBuilder,
    batch: Vec<NewExample>,
    tx: SyncSender<Vec<NewExample>>,
    cancel: &'a AtomicBool,
}

impl<'a> ImportSink<'a> {
    fn new(
        file: &'a str,
        opts: &'a ImportOptions,
        tx: SyncSender<Vec<NewExample>>,
        cancel: &'a AtomicBool,
    ) -> Self {
        ImportSink {
            file,
            opts,
            columns: None,
            mapper: None,
            pending: Vec::new(),
            report: ReportBuilder::new(),
            batch: Vec::with_capacity(BATCH_ROWS),
            tx,
            cancel,
        }
    }

    /// Decides the mapping of keyed records from the keys of those held back, then stores them.
    fn map_pending(&mut self) -> Result<()> {
        let columns = key_union(self.pending.iter().map(|(_, c)| c));
        let map = ColumnMap::detect(self.file, &columns, self.opts)?;
        self.mapper = Some(Mapper::new(map, None));
        for (place, cells) in std::mem::take(&mut self.pending) {
            self.store(place, cells)?;
        }
        Ok(())
    }

    fn store(&mut self, place: Place, cells: Cells) -> Result<()> {
        let Some(mapper) = &self.mapper else {
            return Ok(());
        };
        let ex = mapper.example(self.file, &place, cells)?;
        self.report.add(&ex.input, &ex.expected, ex.split);
        self.batch.push(ex);
        if self.batch.len() >= BATCH_ROWS {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled("import"));
            }
            self.flush()?;
        }
        Ok(())
    }

    /// Called after the last record: maps what is held back and sends the last batch.
    fn finish(&mut self) -> Result<()> {
        if self.mapper.is_none() && !self.pending.is_empty() {
            self.map_pending()?;
        }
        self.flush()
    }

    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_ROWS));
        // The writer hung up: it failed or was cancelled, and says which.
        self.tx.send(batch).map_err(|_| Error::Cancelled("import"))
    }
}

impl Sink for ImportSink<'_> {
    fn header(&mut self, columns: Vec<String>) -> Result<()> {
        self.columns = Some(columns);
        Ok(())
    }

    fn record(&mut self, place: Place, cells: Cells) -> Result<Flow> {
        if self.mapper.is_none() {
            if let Some(columns) = &self.columns {
                let map = ColumnMap::detect(self.file, columns, self.opts)?;
                self.mapper = Some(Mapper::new(map, Some(columns)));
            } else {
                // Keyed records: decide the mapping on the same first rows a preview shows.
                self.pending.push((place, cells));
                if self.pending.len() >= PREVIEW_ROWS {
                    self.map_pending()?;
                }
                return Ok(Flow::Continue);
            }
        }
        self.store(place, cells)?;
        Ok(Flow::Continue)
    }
}
