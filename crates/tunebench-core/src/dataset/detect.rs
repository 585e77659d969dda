//! Recognising a file's format and encoding from its content, not its name: spreadsheet
//! magic numbers, binary bytes, JSON's first character, and the CSV delimiter that gives
//! every record the same number of fields. A name that contradicts the content is refused.

use std::io::Read;

use serde::{Deserialize, Serialize};

use super::encoding::{self, TextEncoding};
use super::input::InputFile;
use crate::{Error, Result};

/// The formats Tunebench imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Csv,
    Tsv,
    Jsonl,
    Json,
    Xlsx,
    Xls,
    Ods,
    OpenaiChat,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::OpenaiChat => "openai-chat",
        }
    }

    pub fn is_sheet(self) -> bool {
        matches!(self, Format::Xlsx | Format::Xls | Format::Ods)
    }

    fn family(self) -> Family {
        match self {
            Format::Csv | Format::Tsv => Family::Delimited,
            Format::Jsonl | Format::Json | Format::OpenaiChat => Family::Json,
            Format::Xlsx | Format::Xls | Format::Ods => Family::Sheet,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Delimited,
    Json,
    Sheet,
}

/// What detection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Detected {
    pub format: Format,
    /// The text encoding (UTF-8 for workbooks, which carry their own).
    pub encoding: TextEncoding,
    /// The field delimiter, for CSV/TSV.
    pub delimiter: u8,
}

const HEAD_BYTES: usize = 64 * 1024;

pub(crate) fn detect(input: &InputFile, requested: Option<Format>) -> Result<Detected> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    input
        .open()?
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| input.io_error(e))?;
    if head.is_empty() {
        return Err(Error::bad_file(&input.name, "", "the file is empty"));
    }
    if let Some(sheet) = sheet_kind(&head) {
        if requested.is_none() {
            check_extension(input, sheet)?;
        }
        return match requested.map(Format::family) {
            Some(Family::Delimited | Family::Json) => Err(Error::bad_file(
                &input.name,
                "",
                format!(
                    "--format {} was asked for, but the file is a {} workbook",
                    requested.map_or("", Format::as_str),
                    sheet.as_str().to_uppercase()
                ),
            )),
            _ => Ok(Detected {
                format: sheet,
                encoding: TextEncoding::Utf8,
                delimiter: b',',
            }),
        };
    }
    if requested.map(Format::family) == Some(Family::Sheet) {
        return Err(Error::bad_file(
            &input.name,
            "",
            "is not an XLSX, XLS or ODS workbook (no spreadsheet signature in its first bytes)",
        ));
    }
    let encoding = match encoding::from_bom(&head) {
        Some(e) => e,
        None => {
            if looks_binary(&head) {
                return Err(Error::bad_file(
                    &input.name,
                    "",
                    "looks like a binary file, not CSV, TSV, JSON, JSONL or a spreadsheet",
                ));
            }
            let whole = input.open()?;
            if encoding::is_utf8(whole).map_err(|e| input.io_error(e))? {
                TextEncoding::Utf8
            } else {
                TextEncoding::Windows1252
            }
        }
    };
    let mut text = String::new();
    encoding::decoding(&head[..], encoding)
        .and_then(|mut r| {
            let mut bytes = Vec::new();
            r.read_to_end(&mut bytes)?;
            text = String::from_utf8_lossy(&bytes).into_owned();
            Ok(())
        })
        .map_err(|e| input.io_error(e))?;
    let truncated = head.len() == HEAD_BYTES;
    let content = content_format(&text, truncated);
    if requested.is_none() {
        check_extension(input, content)?;
    }
    let format = match requested {
        Some(Format::Tsv) => Format::Tsv,
        Some(Format::Csv) if content == Format::Tsv => Format::Csv,
        Some(f) => f,
        None => content,
    };
    let delimiter = match format {
        Format::Tsv => b'\t',
        Format::Csv if content == Format::Csv => sniff_delimiter(&text, truncated),
        _ => b',',
    };
    Ok(Detected {
        format,
        encoding,
        delimiter,
    })
}

/// A workbook's format from its signature: ZIP (XLSX, or ODS by its mimetype entry) or OLE2 (XLS).
fn sheet_kind(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"PK\x03\x04") {
        let ods = b"application/vnd.oasis.opendocument.spreadsheet";
        let is_ods = head.windows(ods.len()).take(200).any(|w| w == ods);
        Some(if is_ods { Format::Ods } else { Format::Xlsx })
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(Format::Xls)
    } else {
        None
    }
}

/// NUL bytes, or more than 1 % control characters, mean this is not text.
fn looks_binary(head: &[u8]) -> bool {
    let control = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F)
        .count();
    head.contains(&0) || control * 100 > head.len()
}

/// The text format the content shows.
fn content_format(text: &str, truncated: bool) -> Format {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        return Format::Json;
    }
    if trimmed.starts_with('{') {
        let first = trimmed.lines().next().unwrap_or("");
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str(first) {
            if m.get("messages").is_some_and(serde_json::Value::is_array) {
                return Format::OpenaiChat;
            }
        }
        return Format::Jsonl;
    }
    if sniff_delimiter(text, truncated) == b'\t' {
        Format::Tsv
    } else {
        Format::Csv
    }
}

/// The delimiter among `, \t ; |` that splits the first records into the same number (>1)
/// of fields, preferring more fields; a comma when none does.
fn sniff_delimiter(text: &str, truncated: bool) -> u8 {
    let mut best = (b',', 0usize, false);
    for d in [b',', b'\t', b';', b'|'] {
        let mut rdr = ::csv::ReaderBuilder::new()
            .delimiter(d)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut counts: Vec<usize> = rdr
            .byte_records()
            .take(21)
            .map_while(|r| r.ok().map(|r| r.len()))
            .collect();
        if truncated && counts.len() > 1 {
            counts.pop(); // the last record may be cut by the sample's end
        }
        let Some(&first) = counts.first() else {
            continue;
        };
        let consistent = counts.iter().all(|&c| c == first);
        let better = (consistent, first) > (best.2, best.1);
        if first > 1 && better {
            best = (d, first, consistent);
        }
    }
    best.0
}

/// Refuses a file whose extension names another family than its content.
fn check_extension(input: &InputFile, content: Format) -> Result<()> {
    let Some(ext) = input.extension() else {
        return Ok(());
    };
    let named = match ext.as_str() {
        "csv" | "tsv" | "tab" => Family::Delimited,
        "json" | "jsonl" | "ndjson" => Family::Json,
        "xlsx" | "xlsm" | "xls" | "ods" => Family::Sheet,
        _ => return Ok(()),
    };
    if named == content.family() {
        return Ok(());
    }
    let looks = match content.family() {
        Family::Delimited => "delimited text (CSV/TSV)",
        Family::Json => "JSON",
        Family::Sheet => "a spreadsheet",
    };
    Err(Error::bad_file(
        &input.name,
        "",
        format!(
            "the extension says .{ext} but the content looks like {looks}; rename the file \
             or pass --format to say how to read it"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_win_when_they_split_every_line_evenly() {
        assert_eq!(sniff_delimiter("a;b;c\n1;\"x, y\";3\n4;5;6\n", false), b';');
    }

    #[test]
    fn a_quoted_comma_does_not_fool_the_sniffer() {
        assert_eq!(
            sniff_delimiter("input,expected\n\"a; b; c\",x\n", false),
            b','
        );
    }

    #[test]
    fn an_object_with_messages_is_openai_chat() {
        let line = r#"{"messages":[{"role":"user","content":"hi"}]}"#;
        assert_eq!(content_format(line, false), Format::OpenaiChat);
        assert_eq!(content_format("{\"input\":1}\n", false), Format::Jsonl);
        assert_eq!(content_format(" [ {} ]", false), Format::Json);
    }
}
