//! Which column is the input, the expected output, the id and the split: detected from the
//! usual names or chosen by the person; every other column is kept per row as metadata.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::Deserialize;
use serde_json::Value;

use super::record::{Cells, Place};
use super::{ImportOptions, Split};
use crate::{Error, Result};

const INPUT_NAMES: &[&str] = &["input", "prompt", "question", "text", "query"];
const EXPECTED_NAMES: &[&str] = &[
    "expected",
    "label",
    "answer",
    "output",
    "completion",
    "target",
];
const ID_NAMES: &[&str] = &["id"];
const SPLIT_NAMES: &[&str] = &["split"];

/// The roles of a file's columns, stored with the dataset.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColumnMap {
    pub input: String,
    pub expected: Option<String>,
    pub id: Option<String>,
    /// A column of train/test values that the import honours.
    pub split: Option<String>,
    /// Every other column, kept per row as metadata.
    pub metadata: Vec<String>,
}

impl ColumnMap {
    /// Detects the mapping of `columns`, with the person's choices in `opts` winning.
    pub(crate) fn detect(
        file: &str,
        columns: &[String],
        opts: &ImportOptions,
    ) -> Result<ColumnMap> {
        let find = |names: &[&str]| {
            names.iter().find_map(|n| {
                columns
                    .iter()
                    .find(|c| c.trim().eq_ignore_ascii_case(n))
                    .cloned()
            })
        };
        let chosen = |col: &Option<String>, flag: &str| -> Result<Option<String>> {
            match col {
                None => Ok(None),
                Some(c) if columns.contains(c) => Ok(Some(c.clone())),
                Some(c) => Err(Error::bad_file(
                    file,
                    "",
                    format!(
                        "column `{c}` ({flag}) is not in the file; its columns are: {}",
                        columns.join(", ")
                    ),
                )),
            }
        };
        let positional = opts.no_header && columns.first().is_some_and(|c| c == "col1");
        let input = match chosen(&opts.input_col, "--input-col")? {
            Some(c) => c,
            None => find(INPUT_NAMES)
                .or_else(|| positional.then(|| "col1".to_string()))
                .ok_or_else(|| {
                    Error::bad_file(
                        file,
                        "",
                        format!(
                            "no input column: none of {} is among its columns ({}); choose one \
                             with --input-col",
                            INPUT_NAMES.join(", "),
                            columns.join(", ")
                        ),
                    )
                })?,
        };
        let expected = match chosen(&opts.expected_col, "--expected-col")? {
            Some(c) => Some(c),
            None => find(EXPECTED_NAMES)
                .or_else(|| (positional && columns.len() > 1).then(|| "col2".to_string()))
                .filter(|c| *c != input),
        };
        let id = chosen(&opts.id_col, "--id-col")?
            .or_else(|| find(ID_NAMES))
            .filter(|c| *c != input && Some(c) != expected.as_ref());
        let split = find(SPLIT_NAMES)
            .filter(|c| *c != input && Some(c) != expected.as_ref() && Some(c) != id.as_ref());
        let mapped = [Some(&input), expected.as_ref(), id.as_ref(), split.as_ref()];
        let metadata = columns
            .iter()
            .filter(|c| !mapped.contains(&Some(*c)))
            .cloned()
            .collect();
        Ok(ColumnMap {
            input,
            expected,
            id,
            split,
            metadata,
        })
    }
}

/// One row ready to store.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewExample {
    pub external_id: Option<String>,
    pub input: String,
    pub expected: String,
    /// A JSON object of the unmapped columns.
    pub metadata: String,
    pub split: Split,
}

/// Turns records into [`NewExample`]s under one [`ColumnMap`].
pub(crate) struct Mapper {
    map: ColumnMap,
    /// For positional records: where each role sits.
    slots: Option<Slots>,
}

/// Column indices of (input, expected, id, split), and of each metadata column with its name.
type Slots = ([Option<usize>; 4], Vec<(usize, String)>);

impl Mapper {
    pub fn new(map: ColumnMap, columns: Option<&[String]>) -> Mapper {
        let slots = columns.map(|cols| {
            let at = |c: Option<&String>| c.and_then(|c| cols.iter().position(|x| x == c));
            let fixed = [
                at(Some(&map.input)),
                at(map.expected.as_ref()),
                at(map.id.as_ref()),
                at(map.split.as_ref()),
            ];
            let meta = map
                .metadata
                .iter()
                .filter_map(|m| at(Some(m)).map(|i| (i, m.clone())))
                .collect();
            (fixed, meta)
        });
        Mapper { map, slots }
    }

    pub fn map(&self) -> &ColumnMap {
        &self.map
    }

    pub fn example(&self, file: &str, place: &Place, cells: Cells) -> Result<NewExample> {
        let (input, expected, id, split, metadata) = match (cells, &self.slots) {
            (Cells::Text(mut v), Some((fixed, meta))) => {
                let pairs: Vec<(&str, &str)> = meta
                    .iter()
                    .filter_map(|(i, name)| v.get(*i).map(|x| (name.as_str(), x.as_str())))
                    .collect();
                let metadata = json_object(&pairs);
                let mut take = |i: Option<usize>| i.and_then(|i| v.get_mut(i)).map(std::mem::take);
                (
                    take(fixed[0]),
                    take(fixed[1]),
                    take(fixed[2]),
                    take(fixed[3]),
                    metadata,
                )
            }
            (Cells::Json(pairs), _) => {
                let (mut input, mut expected, mut id, mut split) = (None, None, None, None);
                let mut meta = Vec::new();
                for (k, v) in pairs {
                    if k == self.map.input {
                        input = Some(into_text(v));
                    } else if Some(&k) == self.map.expected.as_ref() {
                        expected = Some(into_text(v));
                    } else if Some(&k) == self.map.id.as_ref() {
                        id = Some(into_text(v));
                    } else if Some(&k) == self.map.split.as_ref() {
                        split = Some(into_text(v));
                    } else {
                        meta.push((k, v));
                    }
                }
                (input, expected, id, split, json_object(&meta))
            }
            (Cells::Text(_), None) => {
                return Err(Error::bad_file(
                    file,
                    place.describe(),
                    "record without a header",
                ))
            }
        };
        let split = match split.as_deref().map(str::trim) {
            None | Some("") => Split::Unassigned,
            Some(s) => parse_split(s).ok_or_else(|| {
                Error::bad_file(
                    file,
                    place.field(self.map.split.as_deref().unwrap_or("split")),
                    format!("`{s}` is not a split: use train or test"),
                )
            })?,
        };
        Ok(NewExample {
            external_id: id.filter(|s| !s.is_empty()),
            input: input.unwrap_or_default(),
            expected: expected.unwrap_or_default(),
            metadata,
            split,
        })
    }
}

/// A JSON value as text, moving a string rather than copying it.
fn into_text(v: Value) -> String {
    match v {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn parse_split(s: &str) -> Option<Split> {
    match s.to_ascii_lowercase().as_str() {
        "train" | "training" => Some(Split::Train),
        "test" | "testing" | "holdout" | "held-out" | "eval" => Some(Split::Test),
        "unassigned" => Some(Split::Unassigned),
        _ => None,
    }
}

/// Serialises `(name, value)` pairs as one JSON object, keeping their order.
pub(crate) fn json_object<K: Serialize, V: Serialize>(pairs: &[(K, V)]) -> String {
    struct Obj<'a, K, V>(&'a [(K, V)]);
    impl<K: Serialize, V: Serialize> Serialize for Obj<'_, K, V> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (k, v) in self.0 {
                m.serialize_entry(k, v)?;
            }
            m.end()
        }
    }
    serde_json::to_string(&Obj(pairs)).unwrap_or_else(|_| "{}".to_string())
}

/// Parses stored metadata back into ordered pairs (an object; anything else is empty).
pub(crate) fn parse_metadata(text: &str) -> Vec<(String, Value)> {
    serde_json::from_str::<super::jsonl::Object>(text)
        .map(|o| o.0)
        .unwrap_or_default()
}
