//! XLSX, XLS and ODS workbooks through calamine: one sheet (the first unless named), its
//! first row as the header, and every cell as the text a person sees in the spreadsheet
//! (whole numbers without ".0", 15 significant digits, dates as YYYY-MM-DD[ HH:MM[:SS]]).
//! Unlike the text formats, a sheet is loaded whole by calamine (a sheet holds at most
//! 1,048,576 rows), so its memory grows with the sheet.

use std::io::BufReader;

use calamine::{open_workbook_from_rs, Data, Ods, Reader, Sheets, Xls, Xlsx};

use super::delimited::header_names;
use super::detect::Format;
use super::input::{ByteSource, InputFile};
use super::record::{Cells, Flow, Place, Sink};
use super::MAX_FIELD_BYTES;
use crate::{Error, Result};

type Book = Sheets<BufReader<Box<dyn ByteSource>>>;

fn open(input: &InputFile, format: Format) -> Result<Book> {
    let rs = BufReader::new(input.open()?);
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

/// Loads one sheet (the first unless named): its name and cells.
fn load(
    input: &InputFile,
    format: Format,
    sheet: Option<&str>,
) -> Result<(String, calamine::Range<Data>)> {
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
    let range = book.worksheet_range(&name).map_err(|e| {
        Error::bad_file(
            file,
            format!("sheet `{name}`"),
            format!("cannot read the sheet: {e}"),
        )
    })?;
    Ok((name, range))
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
    let (name, range) = guarded(input, || load(input, format, sheet))?;
    let first_row = range.start().map_or(1, |(r, _)| u64::from(r) + 1);
    let mut columns: Option<usize> = None;
    for (i, row) in range.rows().enumerate() {
        let place = Place::Row(name.clone(), first_row + i as u64);
        let texts: Vec<String> = row.iter().map(cell_text).collect();
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
            continue; // a blank row in a sheet is layout, not data
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
                continue;
            }
        }
        if sink.record(place, Cells::Text(texts))? == Flow::Stop {
            break;
        }
    }
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
