//! XLSX, XLS and ODS workbooks through calamine: one sheet (the first unless named), its
//! first row as the header, and every cell as the text a person sees in the spreadsheet
//! (whole numbers without ".0", 15 significant digits, dates as YYYY-MM-DD[ HH:MM[:SS]]).
//! Unlike the text formats, a sheet is loaded whole (a sheet holds at most 1,048,576
//! rows), so its memory grows with the sheet. A workbook from elsewhere can claim far more
//! than it holds, so before anything is allocated: a zipped workbook (XLSX, ODS) may unpack
//! to at most [`MAX_UNZIPPED_BYTES`], each part no more than it declares, and an XLSX
//! sheet's used range, declared or seen in its cells, may span at most [`MAX_SHEET_CELLS`];
//! so may every used range an XLS workbook declares (its reader reserves room for it).

use std::io::{BufReader, Read, Seek, SeekFrom};

use calamine::{open_workbook_from_rs, Cell, Data, Ods, Reader, Sheets, Xls, Xlsx};

use super::delimited::header_names;
use super::detect::Format;
use super::input::{ByteSource, InputFile};
use super::record::{Cells, Flow, Place, Sink};
use super::MAX_FIELD_BYTES;
use crate::{Error, Result};

type Book = Sheets<BufReader<Box<dyn ByteSource>>>;

/// The most a zipped workbook may unpack to, all its parts together: 1 GiB.
pub const MAX_UNZIPPED_BYTES: u64 = 1 << 30;

/// The most cells an XLSX sheet's used range may span: 20 million (a full 1,048,576-row
/// sheet of 19 columns).
pub const MAX_SHEET_CELLS: u64 = 20_000_000;

/// Unpacks every part of a zipped workbook without keeping it, refusing a workbook whose
/// parts declare more than [`MAX_UNZIPPED_BYTES`] together, or a part that unpacks to more
/// than it declares (a zip bomb), before any reader trusts the sizes.
fn check_unzipped_size(input: &InputFile, rs: &mut dyn ByteSource) -> Result<()> {
    let file = input.name.as_str();
    let damaged = |e: String| Error::bad_file(file, "", format!("the workbook is damaged: {e}"));
    let Ok(mut zip) = zip::ZipArchive::new(&mut *rs) else {
        // Not a zip at all (an encrypted workbook, another format): the reader says why.
        rs.seek(SeekFrom::Start(0)).map_err(|e| input.io_error(e))?;
        return Ok(());
    };
    let mut parts = Vec::with_capacity(zip.len());
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| damaged(e.to_string()))?;
        declared = declared.saturating_add(part.size());
        let name = part.name().map_err(|e| damaged(e.to_string()))?.to_string();
        parts.push((name, part.size()));
    }
    if declared > MAX_UNZIPPED_BYTES {
        return Err(Error::bad_file(
            file,
            "",
            format!(
                "the workbook unpacks to {} bytes, over the limit of {} bytes ({} GiB)",
                crate::money::count(declared as f64),
                crate::money::count(MAX_UNZIPPED_BYTES as f64),
                MAX_UNZIPPED_BYTES >> 30
            ),
        ));
    }
    for (i, (name, size)) in parts.iter().enumerate() {
        let mut part = zip.by_index(i).map_err(|e| damaged(e.to_string()))?;
        let got = std::io::copy(&mut (&mut part).take(size + 1), &mut std::io::sink())
            .map_err(|e| damaged(format!("part {name}: {e}")))?;
        if got > *size {
            return Err(damaged(format!(
                "part {name}: File is larger than its declared uncompressed size of {} bytes",
                crate::money::count(*size as f64)
            )));
        }
    }
    drop(zip);
    rs.seek(SeekFrom::Start(0)).map_err(|e| input.io_error(e))?;
    Ok(())
}

fn open(input: &InputFile, format: Format) -> Result<Book> {
    let mut source = input.open()?;
    if matches!(format, Format::Xlsx | Format::Ods) {
        check_unzipped_size(input, source.as_mut())?;
    }
    if matches!(format, Format::Xls) {
        check_xls_dimensions(input, source.as_mut())?;
    }
    let rs = BufReader::new(source);
    let bad = |e: String| {
        Error::bad_file(
            &input.name,
            "",
            format!("cannot read it as {}: {e}", format.as_str().to_uppercase()),
        )
    };
    Ok(match format {
        Format::Xls => {
            Sheets::Xls(open_workbook_from_rs::<Xls<_>, _>(rs).map_err(|e| bad(e.to_string()))?)
        }
        Format::Ods => {
            Sheets::Ods(open_workbook_from_rs::<Ods<_>, _>(rs).map_err(|e| bad(e.to_string()))?)
        }
        _ => Sheets::Xlsx(open_workbook_from_rs::<Xlsx<_>, _>(rs).map_err(|e| bad(e.to_string()))?),
    })
}

/// Runs calamine code that may panic on a damaged file (its XLS reader indexes slices by
/// offsets read from the file), turning a panic into an error naming the file.
fn guarded<T>(input: &InputFile, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::bad_file(
            &input.name,
            "",
            "the workbook is damaged: it could not be read",
        ))
    })
}

/// The workbook's sheet names, in order.
pub(crate) fn sheet_names(input: &InputFile, format: Format) -> Result<Vec<String>> {
    guarded(input, || Ok(open(input, format)?.sheet_names()))
}

/// A loaded sheet: calamine's grid, or (XLSX) only the cells that hold a value, in row
/// order, with the used range's first column and width.
enum Grid {
    Dense(calamine::Range<Data>),
    Sparse {
        cells: Vec<Cell<Data>>,
        first_col: u32,
        width: usize,
    },
}

impl Grid {
    /// Calls `f` with each row's 1-based number and cell texts, blank rows possibly left
    /// out, until `f` says stop.
    fn for_each_row(&self, mut f: impl FnMut(u64, Vec<String>) -> Result<Flow>) -> Result<()> {
        match self {
            Grid::Dense(range) => {
                let first_row = range.start().map_or(1, |(r, _)| u64::from(r) + 1);
                for (i, row) in range.rows().enumerate() {
                    if f(first_row + i as u64, row.iter().map(cell_text).collect())? == Flow::Stop {
                        break;
                    }
                }
            }
            Grid::Sparse {
                cells,
                first_col,
                width,
            } => {
                for row in cells.chunk_by(|a, b| a.get_position().0 == b.get_position().0) {
                    let mut texts = vec![String::new(); *width];
                    for c in row {
                        texts[(c.get_position().1 - first_col) as usize] = cell_text(c.get_value());
                    }
                    let number = u64::from(row[0].get_position().0) + 1;
                    if f(number, texts)? == Flow::Stop {
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A cell's name as a spreadsheet writes it (`A1`, `XFD1048576`), from 0-based indexes.
fn cell_name((row, col): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

/// Refuses a used range from `start` to `end` (0-based, inclusive) of more than
/// [`MAX_SHEET_CELLS`] cells; `what` says whether the sheet declares it or holds it.
fn check_area(
    file: &str,
    sheet: &str,
    what: &str,
    start: (u32, u32),
    end: (u32, u32),
) -> Result<()> {
    let span = |a: u32, b: u32| u64::from(b.saturating_sub(a)) + 1;
    let cells = span(start.0, end.0) * span(start.1, end.1);
    if cells > MAX_SHEET_CELLS {
        let place = if sheet.is_empty() {
            String::new()
        } else {
            format!("sheet `{sheet}`")
        };
        return Err(Error::bad_file(
            file,
            place,
            format!(
                "{what} {}:{}, which spans {} cells, over the limit of {} cells",
                cell_name(start),
                cell_name(end),
                crate::money::count(cells as f64),
                crate::money::count(MAX_SHEET_CELLS as f64)
            ),
        ));
    }
    Ok(())
}

/// Reads every DIMENSIONS record of an XLS workbook's stream, as calamine will when it
/// opens the workbook, and refuses a declared used range over [`MAX_SHEET_CELLS`] (or one
/// that ends before it starts) before calamine reserves memory for it: one changed byte in
/// a real file was enough to make it ask for 600 GB.
fn check_xls_dimensions(input: &InputFile, rs: &mut dyn ByteSource) -> Result<()> {
    let file = input.name.as_str();
    let stream = match cfb::CompoundFile::open(&mut *rs) {
        Ok(mut book) => {
            let mut bytes = Vec::new();
            let read = ["Workbook", "Book"]
                .iter()
                .find_map(|name| book.open_stream(name).ok())
                .map(|mut s| s.read_to_end(&mut bytes));
            read.is_some_and(|r| r.is_ok()).then_some(bytes)
        }
        Err(_) => None,
    };
    rs.seek(SeekFrom::Start(0)).map_err(|e| input.io_error(e))?;
    // Not a compound file, or no readable workbook stream: calamine says why.
    let Some(stream) = stream else {
        return Ok(());
    };
    let u16_at = |b: &[u8], i: usize| u32::from(u16::from_le_bytes([b[i], b[i + 1]]));
    let u32_at = |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let kind = u16_at(&stream, at);
        let len = u16_at(&stream, at + 2) as usize;
        let Some(data) = stream.get(at + 4..at + 4 + len) else {
            break;
        };
        at += 4 + len;
        if kind != 0x0200 {
            continue;
        }
        // [MS-XLS] 2.4.90: first row, one past the last row, first column, one past the
        // last column (rows are 16-bit before BIFF8), read as calamine reads them.
        let (first_row, rows_end, mut first_col, cols_end) = match len {
            10 => (
                u16_at(data, 0),
                u16_at(data, 2),
                u16_at(data, 4),
                u16_at(data, 6),
            ),
            14 | 16 => (
                u32_at(data, 0),
                u32_at(data, 4),
                u16_at(data, 8),
                u16_at(data, 10),
            ),
            _ => continue,
        };
        if first_col > 0xFF || cols_end < first_col {
            first_col = 0;
        }
        if rows_end == 0 || cols_end == 0 {
            continue;
        }
        let (start, end) = ((first_row, first_col), (rows_end - 1, cols_end - 1));
        if end.0 < start.0 || end.1 < start.1 {
            return Err(Error::bad_file(
                file,
                "",
                format!(
                    "the workbook is damaged: a sheet's declared used range {}:{} ends before it starts",
                    cell_name(start),
                    cell_name(end)
                ),
            ));
        }
        check_area(file, "", "a sheet declares a used range of", start, end)?;
    }
    Ok(())
}

/// Streams an XLSX sheet's cells, keeping only those with a value, and refuses a used range
/// (declared, or seen so far) over [`MAX_SHEET_CELLS`] before it grows.
fn xlsx_cells<RS: Read + Seek>(book: &mut Xlsx<RS>, file: &str, name: &str) -> Result<Grid> {
    let unreadable = |e: calamine::XlsxError| {
        Error::bad_file(
            file,
            format!("sheet `{name}`"),
            format!("cannot read the sheet: {e}"),
        )
    };
    let mut reader = book.worksheet_cells_reader(name).map_err(unreadable)?;
    let declared = reader.dimensions();
    check_area(
        file,
        name,
        "its declared used range is",
        declared.start,
        declared.end,
    )?;
    let mut cells: Vec<Cell<Data>> = Vec::new();
    let (mut start, mut end) = ((u32::MAX, u32::MAX), (0u32, 0u32));
    while let Some(cell) = reader.next_cell().map_err(unreadable)? {
        if matches!(cell.get_value(), calamine::DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        start = (start.0.min(r), start.1.min(c));
        end = (end.0.max(r), end.1.max(c));
        check_area(file, name, "its cells fill the range", start, end)?;
        cells.push(Cell::new((r, c), Data::from(cell.get_value().clone())));
    }
    // Rows come in order in the file; a file that mixes them up is still read right.
    cells.sort_by_key(Cell::get_position);
    let first_col = if cells.is_empty() { 0 } else { start.1 };
    let width = if cells.is_empty() {
        0
    } else {
        (end.1 - start.1) as usize + 1
    };
    Ok(Grid::Sparse {
        cells,
        first_col,
        width,
    })
}

/// Loads one sheet (the first unless named): its name and cells.
fn load(input: &InputFile, format: Format, sheet: Option<&str>) -> Result<(String, Grid)> {
    let file = input.name.as_str();
    let mut book = open(input, format)?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| {
                Error::bad_file(
                    file,
                    format!("sheet `{s}`"),
                    format!("no such sheet; the workbook has: {}", names.join(", ")),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::bad_file(file, "", "the workbook has no sheets"))?,
    };
    if let Sheets::Xlsx(xlsx) = &mut book {
        let grid = xlsx_cells(xlsx, file, &name)?;
        return Ok((name, grid));
    }
    let range = book.worksheet_range(&name).map_err(|e| {
        Error::bad_file(
            file,
            format!("sheet `{name}`"),
            format!("cannot read the sheet: {e}"),
        )
    })?;
    Ok((name, Grid::Dense(range)))
}

/// Reads one sheet. Returns the sheet read.
pub(crate) fn read(
    input: &InputFile,
    format: Format,
    sheet: Option<&str>,
    no_header: bool,
    sink: &mut dyn Sink,
) -> Result<String> {
    let file = input.name.as_str();
    let (name, grid) = guarded(input, || load(input, format, sheet))?;
    let mut columns: Option<usize> = None;
    grid.for_each_row(|number, texts| {
        let place = Place::Row(name.clone(), number);
        if let Some((j, _)) = texts
            .iter()
            .enumerate()
            .find(|(_, t)| t.len() > MAX_FIELD_BYTES)
        {
            return Err(Error::bad_file(
                file,
                place.field(&format!("col{}", j + 1)),
                format!("one cell is over the {} MiB limit", MAX_FIELD_BYTES >> 20),
            ));
        }
        if texts.iter().all(|t| t.trim().is_empty()) {
            return Ok(Flow::Continue); // a blank row in a sheet is layout, not data
        }
        if columns.is_none() {
            let names = if no_header {
                (1..=texts.len()).map(|k| format!("col{k}")).collect()
            } else {
                header_names(file, &place, texts.clone())?
            };
            columns = Some(names.len());
            sink.header(names)?;
            if !no_header {
                return Ok(Flow::Continue);
            }
        }
        sink.record(place, Cells::Text(texts))
    })?;
    Ok(name)
}

/// A cell as the spreadsheet displays it.
pub(crate) fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.is_datetime() => date_text(&t, dt.as_f64() < 1.0),
            _ => number_text(dt.as_f64()),
        },
    }
}

/// A date as YYYY-MM-DD, with HH:MM (and :SS when not zero) when it has a time of day; a
/// time alone (a serial under one day) as HH:MM:SS.
fn date_text(t: &chrono::NaiveDateTime, time_only: bool) -> String {
    use chrono::{Datelike, Timelike};
    let (h, m, s) = (t.hour(), t.minute(), t.second());
    let date = format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day());
    match (time_only, h + m + s) {
        (true, _) => format!("{h:02}:{m:02}:{s:02}"),
        (false, 0) => date,
        (false, _) if s == 0 => format!("{date} {h:02}:{m:02}"),
        _ => format!("{date} {h:02}:{m:02}:{s:02}"),
    }
}

/// A number the way a spreadsheet shows it: no ".0" on whole numbers, 15 significant digits.
pub(crate) fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    format!("{rounded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_spreadsheet_shows_them() {
        assert_eq!(number_text(3.0), "3");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-2.5), "-2.5");
    }
}
