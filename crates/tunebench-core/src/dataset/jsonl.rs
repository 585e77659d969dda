//! JSON Lines, a JSON array of objects (streamed element by element), and OpenAI chat
//! fine-tuning JSONL (system and user turns become the input, the last assistant turn the
//! expected output). Every record must be a JSON object; key order is kept.

use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::record::{Cells, Flow, Place, Sink};
use super::{MAX_FIELD_BYTES, MAX_RECORD_BYTES};
use crate::{Error, Result};

/// A JSON object with its keys in file order.
pub(crate) struct Object(pub Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(ObjectVisitor)
    }
}

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Object, A::Error> {
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            pairs.push((k, v));
        }
        Ok(Object(pairs))
    }
}

/// serde_json's message without its own " at line L column C" (we name the place ourselves).
fn json_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn check_sizes(file: &str, place: &Place, pairs: &[(String, Value)]) -> Result<()> {
    for (k, v) in pairs {
        if let Value::String(s) = v {
            if s.len() > MAX_FIELD_BYTES {
                return Err(Error::bad_file(
                    file,
                    place.field(k),
                    format!(
                        "{} bytes in one field is over the {} MiB limit",
                        s.len(),
                        MAX_FIELD_BYTES >> 20
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Reads JSON Lines; `chat` converts each line from the OpenAI chat format.
pub(crate) fn read_lines(file: &str, r: impl Read, chat: bool, sink: &mut dyn Sink) -> Result<()> {
    let mut r = BufReader::with_capacity(1 << 16, r);
    let mut line = Vec::with_capacity(1 << 12);
    let mut n = 0u64;
    loop {
        n += 1;
        line.clear();
        let got = (&mut r)
            .take(MAX_RECORD_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| Error::bad_file(file, Place::Line(n).describe(), e.to_string()))?;
        if got == 0 {
            return Ok(());
        }
        let place = Place::Line(n);
        if line.len() > MAX_RECORD_BYTES {
            return Err(Error::bad_file(
                file,
                place.describe(),
                format!(
                    "a line longer than the {} MiB limit",
                    MAX_RECORD_BYTES >> 20
                ),
            ));
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let Object(pairs) = serde_json::from_slice(&line).map_err(|e| {
            let col = if e.line() <= 1 {
                format!(", column {}", e.column())
            } else {
                String::new()
            };
            Error::bad_file(
                file,
                format!("{}{col}", place.describe()),
                format!("not a valid JSON object: {}", json_message(&e)),
            )
        })?;
        check_sizes(file, &place, &pairs)?;
        let pairs = if chat {
            chat_pairs(file, &place, pairs)?
        } else {
            pairs
        };
        if sink.record(place, Cells::Json(pairs))? == Flow::Stop {
            return Ok(());
        }
    }
}

/// One chat example as input/expected plus its other top-level keys.
fn chat_pairs(
    file: &str,
    place: &Place,
    pairs: Vec<(String, Value)>,
) -> Result<Vec<(String, Value)>> {
    let mut messages = None;
    let mut rest = Vec::new();
    for (k, v) in pairs {
        if k == "messages" {
            messages = Some(v);
        } else {
            rest.push((k, v));
        }
    }
    let bad = |msg: &str| Error::bad_file(file, place.field("messages"), msg);
    let Some(Value::Array(messages)) = messages else {
        return Err(bad("missing, or not an array of messages"));
    };
    let mut turns = Vec::with_capacity(messages.len());
    for m in &messages {
        let role = m.get("role").and_then(Value::as_str);
        let content = match m.get("content") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(""),
            _ => String::new(),
        };
        match role {
            Some(r @ ("system" | "developer" | "user" | "assistant")) => turns.push((r, content)),
            Some(other) => return Err(bad(&format!("unknown role `{other}`"))),
            None => return Err(bad("a message has no `role`")),
        }
    }
    let Some(last) = turns.iter().rposition(|(r, _)| *r == "assistant") else {
        return Err(bad("no assistant turn to use as the expected output"));
    };
    let input = turns[..last]
        .iter()
        .filter(|(r, _)| *r != "assistant")
        .map(|(_, c)| c.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut out = vec![
        ("input".to_string(), Value::String(input)),
        ("expected".to_string(), Value::String(turns[last].1.clone())),
    ];
    out.extend(rest);
    Ok(out)
}

/// Reads a JSON array of objects element by element, so memory holds one element at a time
/// (and no element may pass the record limit).
pub(crate) fn read_array(file: &str, r: impl Read, sink: &mut dyn Sink) -> Result<()> {
    let since_element = Rc::new(Cell::new(0u64));
    let guarded = ElementGuard {
        inner: BufReader::with_capacity(1 << 16, r),
        since_element: since_element.clone(),
    };
    let mut de = serde_json::Deserializer::from_reader(guarded);
    let mut failure = None;
    let seed = ArraySeed {
        file,
        sink,
        failure: &mut failure,
        since_element,
    };
    let outcome = seed.deserialize(&mut de).and_then(|()| de.end());
    match failure {
        Some(Halt::Stopped) => return Ok(()),
        Some(Halt::Failed(e)) => return Err(e),
        None => {}
    }
    outcome.map_err(|e| {
        Error::bad_file(
            file,
            format!("line {}, column {}", e.line(), e.column()),
            json_message(&e),
        )
    })
}

struct ArraySeed<'a> {
    file: &'a str,
    sink: &'a mut dyn Sink,
    failure: &'a mut Option<Halt>,
    since_element: Rc<Cell<u64>>,
}

/// Fails a read once one array element has grown past the record limit.
struct ElementGuard<R> {
    inner: R,
    since_element: Rc<Cell<u64>>,
}

impl<R: Read> Read for ElementGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since_element.get() > MAX_RECORD_BYTES as u64 {
            return Err(std::io::Error::other(format!(
                "an element is longer than the {} MiB limit",
                MAX_RECORD_BYTES >> 20
            )));
        }
        let n = self.inner.read(buf)?;
        self.since_element.set(self.since_element.get() + n as u64);
        Ok(n)
    }
}

/// Why the array's visitor ended early.
enum Halt {
    Stopped,
    Failed(Error),
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of JSON objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let mut n = 0u64;
        loop {
            n += 1;
            let place = Place::Element(n);
            let obj = seq
                .next_element::<Object>()
                .map_err(|e| de::Error::custom(format_args!("{}: {e}", place.describe())))?;
            self.since_element.set(0);
            let Some(Object(pairs)) = obj else {
                return Ok(());
            };
            let pushed = check_sizes(self.file, &place, &pairs)
                .and_then(|()| self.sink.record(place, Cells::Json(pairs)));
            match pushed {
                Ok(Flow::Continue) => {}
                Ok(Flow::Stop) => {
                    *self.failure = Some(Halt::Stopped);
                    return Err(de::Error::custom("stopped"));
                }
                Err(e) => {
                    *self.failure = Some(Halt::Failed(e));
                    return Err(de::Error::custom("stopped"));
                }
            }
        }
    }
}
