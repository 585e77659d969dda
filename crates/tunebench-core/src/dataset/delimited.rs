//! CSV and TSV: records read one at a time with the `csv` crate, a header row (or col1,
//! col2, ... without one), every record as wide as the header, no field over
//! [`MAX_FIELD_BYTES`](super::MAX_FIELD_BYTES) and no record over
//! [`MAX_RECORD_BYTES`](super::MAX_RECORD_BYTES), so memory stays bounded.

use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use csv::{ByteRecord, ReaderBuilder};

use super::record::{Cells, Place, Sink};
use super::{MAX_FIELD_BYTES, MAX_RECORD_BYTES};
use crate::{Error, Result};

pub(crate) fn read(
    file: &str,
    r: impl Read,
    delimiter: u8,
    no_header: bool,
    sink: &mut dyn Sink,
) -> Result<()> {
    let guard = RecordGuard::new(r);
    let since_record = guard.since_record.clone();
    let quotes = guard.quotes.clone();
    let too_long = guard.too_long.clone();
    let mut rdr = ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(guard);
    let mut rec = ByteRecord::new();
    let mut columns: Option<Vec<String>> = None;
    let mut last_span = (0u64, 0u64);
    loop {
        let start = rdr.position().line();
        since_record.store(0, Ordering::Relaxed);
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let place = Place::Line(start).describe();
                let msg = if too_long.load(Ordering::Relaxed) {
                    format!(
                        "a record is longer than the {} MiB limit (an unterminated quoted field?)",
                        MAX_RECORD_BYTES >> 20
                    )
                } else {
                    format!("cannot read the record: {e}")
                };
                return Err(Error::bad_file(file, place, msg));
            }
        }
        let line = rec.position().map_or(start, |p| p.line());
        let end = rdr.position().line();
        last_span = (line, end);
        let place = Place::Line(line);
        let fields = texts(file, &place, &rec, columns.as_deref())?;
        match &columns {
            None if no_header => {
                let names: Vec<String> = (1..=fields.len()).map(|i| format!("col{i}")).collect();
                sink.header(names.clone())?;
                columns = Some(names);
            }
            None => {
                let names = header_names(file, &place, fields)?;
                sink.header(names.clone())?;
                columns = Some(names);
                continue;
            }
            Some(_) => {}
        }
        let width = columns.as_ref().map_or(0, Vec::len);
        if fields.len() != width {
            let hint = if end > line + 1 {
                format!(
                    " (the record runs to line {}: an unterminated quoted field?)",
                    end - 1
                )
            } else {
                String::new()
            };
            return Err(Error::bad_file(
                file,
                place.describe(),
                format!(
                    "{} field{}, but the header has {width} columns{hint}",
                    fields.len(),
                    if fields.len() == 1 { "" } else { "s" }
                ),
            ));
        }
        if sink.record(place, Cells::Text(fields))? == super::record::Flow::Stop {
            return Ok(());
        }
    }
    let (line, end) = last_span;
    if quotes.load(Ordering::Relaxed) % 2 == 1 && end > line + 1 {
        return Err(Error::bad_file(
            file,
            Place::Line(line).describe(),
            "unterminated quoted field: its closing quote is missing, so it runs to the end of the file",
        ));
    }
    Ok(())
}

/// The record's fields as UTF-8 text, none bigger than the field limit.
fn texts(
    file: &str,
    place: &Place,
    rec: &ByteRecord,
    columns: Option<&[String]>,
) -> Result<Vec<String>> {
    rec.iter()
        .enumerate()
        .map(|(i, f)| {
            let name = columns
                .and_then(|c| c.get(i).cloned())
                .unwrap_or_else(|| format!("col{}", i + 1));
            if f.len() > MAX_FIELD_BYTES {
                return Err(Error::bad_file(
                    file,
                    place.field(&name),
                    format!(
                        "{} bytes in one field is over the {} MiB limit",
                        f.len(),
                        MAX_FIELD_BYTES >> 20
                    ),
                ));
            }
            String::from_utf8(f.to_vec())
                .map_err(|_| Error::bad_file(file, place.field(&name), "not valid UTF-8 text"))
        })
        .collect()
}

/// Header names, trimmed; an empty one becomes colN; duplicates are refused.
pub(crate) fn header_names(file: &str, place: &Place, fields: Vec<String>) -> Result<Vec<String>> {
    let names: Vec<String> = fields
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let t = f.trim();
            if t.is_empty() {
                format!("col{}", i + 1)
            } else {
                t.to_string()
            }
        })
        .collect();
    for (i, n) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|m| m == n) {
            return Err(Error::bad_file(
                file,
                place.describe(),
                format!(
                    "duplicate column name `{n}` (columns {} and {}); rename one",
                    j + 1,
                    i + 1
                ),
            ));
        }
    }
    Ok(names)
}

/// Counts bytes since the last record and quote characters, and fails a read once one
/// record has grown past the record limit.
struct RecordGuard<R> {
    inner: R,
    since_record: Arc<AtomicU64>,
    quotes: Arc<AtomicU64>,
    too_long: Arc<AtomicBool>,
}

impl<R> RecordGuard<R> {
    fn new(inner: R) -> Self {
        RecordGuard {
            inner,
            since_record: Arc::default(),
            quotes: Arc::default(),
            too_long: Arc::default(),
        }
    }
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // The csv reader buffers ahead, so allow one buffer's worth of slack.
        if self.since_record.load(Ordering::Relaxed) > (MAX_RECORD_BYTES + (1 << 16)) as u64 {
            self.too_long.store(true, Ordering::Relaxed);
            return Err(io::Error::other("record too long"));
        }
        let n = self.inner.read(buf)?;
        self.since_record.fetch_add(n as u64, Ordering::Relaxed);
        let q = buf[..n].iter().filter(|&&b| b == b'"').count();
        self.quotes.fetch_add(q as u64, Ordering::Relaxed);
        Ok(n)
    }
}
