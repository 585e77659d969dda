//! The JSON file format of the price catalog (`{"format": "tunebench-prices", "version": 1,
//! "prices": [...]}`), read with every problem named by file, entry and field.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::{Origin, PriceEntry, PriceKind, TrainingUnit};
use crate::{Error, Result};

/// The `format` value of a price file.
pub const FORMAT: &str = "tunebench-prices";
/// The version this build reads and writes.
pub const VERSION: u64 = 1;

const FIELDS: &[&str] = &[
    "provider",
    "model_pattern",
    "kind",
    "input",
    "cached_input",
    "cache_write",
    "output",
    "batch_multiplier",
    "training",
    "training_unit",
    "hosting_per_hour",
    "retirement_date",
    "source",
    "as_of",
    "origin",
];

/// Parses and validates a price file. Entries without an `origin` get `default_origin`.
pub fn parse(name: &str, text: &str, default_origin: Origin) -> Result<Vec<PriceEntry>> {
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        Error::bad_file(
            name,
            format!("line {}, column {}", e.line(), e.column()),
            format!("not valid JSON: {e}"),
        )
    })?;
    let top = doc
        .as_object()
        .ok_or_else(|| Error::bad_file(name, "", "expected a JSON object with a `prices` array"))?;
    if let Some(format) = top.get("format") {
        if format.as_str() != Some(FORMAT) {
            return Err(Error::bad_file(
                name,
                "field `format`",
                format!("expected {FORMAT:?}, found {format}"),
            ));
        }
    }
    if let Some(version) = top.get("version") {
        if version.as_u64() != Some(VERSION) {
            return Err(Error::bad_file(
                name,
                "field `version`",
                format!("this build reads version {VERSION}, found {version}"),
            ));
        }
    }
    let prices = top
        .get("prices")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::bad_file(name, "field `prices`", "expected an array of entries"))?;
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(prices.len());
    for (i, item) in prices.iter().enumerate() {
        let at = |field: &str, msg: String| {
            Error::bad_file(name, format!("prices[{i}], field `{field}`"), msg)
        };
        let obj = item.as_object().ok_or_else(|| {
            Error::bad_file(
                name,
                format!("prices[{i}]"),
                format!("expected an object, found {item}"),
            )
        })?;
        if let Some(unknown) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(at(
                unknown,
                format!("unknown field (known: {})", FIELDS.join(", ")),
            ));
        }
        let entry = entry(obj, default_origin, &at)?;
        let key = (
            entry.provider.clone(),
            entry.model_pattern.clone(),
            entry.kind,
            entry.origin,
        );
        if !seen.insert(key) {
            return Err(at(
                "model_pattern",
                format!(
                    "{} `{}` ({:?}) appears twice in the file",
                    entry.provider, entry.model_pattern, entry.kind
                ),
            ));
        }
        out.push(entry);
    }
    Ok(out)
}

fn entry(
    obj: &Map<String, Value>,
    default_origin: Origin,
    at: &dyn Fn(&str, String) -> Error,
) -> Result<PriceEntry> {
    let text = |field: &str, required: bool| -> Result<Option<String>> {
        match obj.get(field) {
            None | Some(Value::Null) if required => Err(at(field, "required".into())),
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => {
                Err(at(field, "must not be empty".into()))
            }
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(other) => Err(at(field, format!("expected a string, found {other}"))),
        }
    };
    let price = |field: &str, max: f64| -> Result<Option<f64>> {
        match obj.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(x) if x.is_finite() && (0.0..=max).contains(&x) => Ok(Some(x)),
                _ => Err(at(
                    field,
                    format!("{n} is out of range (expected 0 to {max})"),
                )),
            },
            Some(other) => Err(at(
                field,
                format!("expected a number or null, found {other}"),
            )),
        }
    };
    let date = |field: &str, required: bool| -> Result<Option<String>> {
        let Some(s) = text(field, required)? else {
            return Ok(None);
        };
        chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|e| at(field, format!("{s:?} is not a YYYY-MM-DD date ({e})")))?;
        Ok(Some(s))
    };
    let pattern = text("model_pattern", true)?.unwrap_or_default();
    if pattern.chars().any(char::is_whitespace) {
        return Err(at(
            "model_pattern",
            format!("{pattern:?} contains whitespace"),
        ));
    }
    let kind = match text("kind", true)?.as_deref() {
        Some("base") => PriceKind::Base,
        Some("fine_tuned") => PriceKind::FineTuned,
        other => {
            return Err(at(
                "kind",
                format!("expected \"base\" or \"fine_tuned\", found {other:?}"),
            ))
        }
    };
    let training_unit = match text("training_unit", false)?.as_deref() {
        None => None,
        Some("per_1m_tokens") => Some(TrainingUnit::PerMillionTokens),
        Some("per_hour") => Some(TrainingUnit::PerHour),
        Some(other) => {
            return Err(at(
                "training_unit",
                format!("expected \"per_1m_tokens\" or \"per_hour\", found {other:?}"),
            ))
        }
    };
    let origin = match text("origin", false)?.as_deref() {
        None => default_origin,
        Some("seed") => Origin::Seed,
        Some("custom") => Origin::Custom,
        Some(other) => {
            return Err(at(
                "origin",
                format!("expected \"seed\" or \"custom\", found {other:?}"),
            ))
        }
    };
    let big = 1e6;
    let training = price("training", big)?;
    if training.is_some() && training_unit.is_none() {
        return Err(at(
            "training_unit",
            "required when `training` is set (\"per_1m_tokens\" or \"per_hour\")".into(),
        ));
    }
    let batch_multiplier = price("batch_multiplier", 1.0)?;
    if batch_multiplier == Some(0.0) {
        return Err(at(
            "batch_multiplier",
            "must be above 0 (0.5 = half price)".into(),
        ));
    }
    Ok(PriceEntry {
        provider: text("provider", true)?.unwrap_or_default(),
        model_pattern: pattern,
        kind,
        input: price("input", big)?,
        cached_input: price("cached_input", big)?,
        cache_write: price("cache_write", big)?,
        output: price("output", big)?,
        batch_multiplier,
        training,
        training_unit,
        hosting_per_hour: price("hosting_per_hour", big)?,
        retirement_date: date("retirement_date", false)?,
        source: text("source", true)?.unwrap_or_default(),
        as_of: date("as_of", true)?.unwrap_or_default(),
        origin,
    })
}

/// Checks one entry by the rules of the file format; the error names `name` and the field.
pub fn validate(name: &str, entry: &PriceEntry) -> Result<()> {
    let text = serde_json::json!({ "prices": [entry] }).to_string();
    parse(name, &text, entry.origin).map(|_| ())
}

/// Writes entries as a price file that [`parse`] reads back to the same entries.
pub fn render(entries: &[PriceEntry]) -> Result<String> {
    let doc = serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "prices": entries,
    });
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .map_err(|e| Error::Internal(format!("price catalog could not be written as JSON: {e}")))
}
