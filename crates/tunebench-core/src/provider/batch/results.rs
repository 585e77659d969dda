//! A batch's results as they download: the JSONL is read chunk by chunk and each complete
//! line parsed as it arrives, so a file of any size is never held whole.

use serde_json::Value;

use super::{anthropic, openai, BatchApi};
use crate::provider::{CallError, ChatResponse};

/// What became of one request of a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Answered(ChatResponse),
    /// The provider answered with an error (or a refusal).
    Failed(CallError),
    /// The window ended before it was processed.
    Expired,
    /// The batch was cancelled before it was processed.
    Cancelled,
}

/// One line of a batch's results.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    pub custom_id: String,
    pub outcome: Outcome,
}

/// The results of one download (an output or error file, a `results_url`), read as they
/// arrive.
pub struct ResultLines {
    resp: reqwest::Response,
    lines: Lines,
    done: bool,
}

impl ResultLines {
    pub(super) fn new(api: BatchApi, resp: reqwest::Response) -> Self {
        Self {
            resp,
            lines: Lines::new(api),
            done: false,
        }
    }

    /// The results of the lines the next chunks of the download complete (never an empty
    /// list); `None` once the download has ended and every line was read. A line that is
    /// not a result is an error naming its line number.
    pub async fn next(&mut self) -> Result<Option<Vec<ItemResult>>, CallError> {
        while !self.done {
            let mut out = Vec::new();
            match self
                .resp
                .chunk()
                .await
                .map_err(|e| CallError::from_transport(&e))?
            {
                Some(bytes) => self.lines.push(&bytes, &mut out)?,
                None => {
                    self.done = true;
                    self.lines.finish(&mut out)?;
                }
            }
            if !out.is_empty() {
                return Ok(Some(out));
            }
        }
        Ok(None)
    }
}

/// Bytes arriving in chunks, read as JSONL lines of `api`'s results.
struct Lines {
    api: BatchApi,
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    /// Lines read so far.
    count: usize,
}

impl Lines {
    fn new(api: BatchApi) -> Self {
        Self {
            api,
            partial: Vec::new(),
            count: 0,
        }
    }

    /// Adds `chunk`, parsing every line it completes into `out`.
    fn push(&mut self, chunk: &[u8], out: &mut Vec<ItemResult>) -> Result<(), CallError> {
        let Some(last_newline) = chunk.iter().rposition(|b| *b == b'\n') else {
            self.partial.extend_from_slice(chunk);
            return Ok(());
        };
        let (whole, rest) = chunk.split_at(last_newline + 1);
        let mut lines = whole[..whole.len() - 1].split(|b| *b == b'\n');
        if let Some(first) = lines.next() {
            let mut head = std::mem::take(&mut self.partial);
            head.extend_from_slice(first);
            self.parse(&head, out)?;
        }
        for line in lines {
            self.parse(line, out)?;
        }
        self.partial.extend_from_slice(rest);
        Ok(())
    }

    /// The last line, when the download did not end with a newline.
    fn finish(&mut self, out: &mut Vec<ItemResult>) -> Result<(), CallError> {
        let last = std::mem::take(&mut self.partial);
        self.parse(&last, out)
    }

    fn parse(&mut self, line: &[u8], out: &mut Vec<ItemResult>) -> Result<(), CallError> {
        self.count += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        if matches!(self.api, BatchApi::OpenAi | BatchApi::Azure) {
            if let Some((custom_id, outcome)) = openai::answered(line) {
                out.push(ItemResult { custom_id, outcome });
                return Ok(());
            }
        }
        let n = self.count;
        let v: Value = serde_json::from_slice(line)
            .map_err(|e| CallError::malformed(format!("batch results line {n}: not JSON ({e})")))?;
        let custom_id = v
            .get("custom_id")
            .and_then(Value::as_str)
            .ok_or_else(|| CallError::malformed(format!("batch results line {n}: no custom_id")))?
            .to_string();
        let outcome = match self.api {
            BatchApi::OpenAi | BatchApi::Azure => openai::outcome(&v),
            BatchApi::Anthropic => anthropic::outcome(&v),
        };
        out.push(ItemResult { custom_id, outcome });
        Ok(())
    }
}

/// Parses a whole results JSONL of `api` (what [`ResultLines`] reads in chunks).
pub fn parse_results(api: BatchApi, text: &str) -> Result<Vec<ItemResult>, CallError> {
    let mut lines = Lines::new(api);
    let mut out = Vec::new();
    lines.push(text.as_bytes(), &mut out)?;
    lines.finish(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, label: &str) -> String {
        format!(
            "{{\"custom_id\":\"{id}\",\"error\":null,\"response\":{{\"status_code\":200,\"body\":\
             {{\"choices\":[{{\"message\":{{\"content\":\"{label}\"}},\"finish_reason\":\"stop\"}}],\
             \"usage\":{{\"prompt_tokens\":9,\"completion_tokens\":1}}}}}}}}\n"
        )
    }

    #[test]
    fn lines_cut_anywhere_by_the_chunks_read_as_the_whole_file_does() {
        let text: String = (0..40)
            .map(|i| {
                line(
                    &format!("a1-c{i}"),
                    if i % 2 == 0 { "billing" } else { "shipping" },
                )
            })
            .collect();
        let whole = parse_results(BatchApi::OpenAi, &text).unwrap();
        assert_eq!(whole.len(), 40);
        assert_eq!(whole[7].custom_id, "a1-c7");
        assert!(matches!(&whole[7].outcome, Outcome::Answered(r) if r.output == "shipping"));
        // Every chunk size from one byte up, including cuts inside a line and at its newline.
        for size in [1, 2, 7, 64, 333, text.len() - 1, text.len()] {
            let mut lines = Lines::new(BatchApi::OpenAi);
            let mut out = Vec::new();
            for chunk in text.as_bytes().chunks(size) {
                lines.push(chunk, &mut out).unwrap();
            }
            lines.finish(&mut out).unwrap();
            assert_eq!(out, whole, "chunks of {size} bytes");
        }
    }

    /// Every line read as [`Lines::parse`] reads it and as the JSON-tree reading alone
    /// (`outcome`) does: the same result, whichever way the line went.
    #[test]
    fn the_direct_reading_of_an_answer_agrees_with_the_tree_reading_on_every_shape() {
        let lines = [
            line("a1-c1", "billing"),
            r#"{"custom_id":"a1-c2","response":{"status_code":200,"body":{"choices":[{"message":{"content":null},"finish_reason":"length"}],"usage":{"prompt_tokens":9,"completion_tokens":null,"prompt_tokens_details":{"cached_tokens":4}}}}}"#.into(),
            r#"{"custom_id":"a1-c3","error":null,"response":{"status_code":200,"body":{"choices":[{"message":{"role":"assistant"},"finish_reason":"content_filter"}]}}}"#.into(),
            r#"{"custom_id":"a1-c4","response":{"status_code":200,"body":{"choices":[{"message":{"content":"x","refusal":"no"}}]}}}"#.into(),
            r#"{"custom_id":"a1-c5","response":{"status_code":200,"body":{"choices":[{"message":null}]}}}"#.into(),
            r#"{"custom_id":"a1-c6","response":{"status_code":200,"body":{"choices":[]}}}"#.into(),
            r#"{"custom_id":"a1-c7","response":{"status_code":500,"body":{"error":{"message":"boom"}}}}"#.into(),
            r#"{"custom_id":"a1-c8","response":null,"error":{"code":"batch_expired","message":"late"}}"#.into(),
            r#"{"custom_id":"a1-c9","response":{"status_code":200,"body":{"choices":[{"message":{"content":"y"}}],"usage":{"prompt_tokens":-1,"completion_tokens":"2"}}}}"#.into(),
            r#"{"custom_id":"a1-c10","response":{"status_code":200.0,"body":{"choices":[{"message":{"content":"z"}}],"usage":7}}}"#.into(),
            r#"{"custom_id":"a1-c11","response":{"status_code":200,"body":{"choices":[{"message":{"content":[{"type":"text","text":"w"}]}}]}}}"#.into(),
            r#"{"custom_id":"a1-c12","response":{"status_code":200,"body":{"choices":[{"message":{"content":"été"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3}}}}"#.into(),
            r#"{"custom_id":"a1-c13","response":{"status_code":200,"body":{"choices":[{"message":{"content":"a"}}],"usage":{"prompt_tokens":3,"prompt_tokens_details":null}}}}"#.into(),
            r#"{"custom_id":"a1-c14","response":"text"}"#.into(),
        ];
        let mut direct = 0;
        for l in &lines {
            let l = l.trim_end();
            let tree: Value = serde_json::from_str(l).unwrap();
            let want = ItemResult {
                custom_id: tree["custom_id"].as_str().unwrap().into(),
                outcome: openai::outcome(&tree),
            };
            let got = parse_results(BatchApi::OpenAi, l).unwrap();
            assert_eq!(got, vec![want], "{l}");
            direct += usize::from(openai::answered(l.as_bytes()).is_some());
        }
        assert_eq!(direct, 4, "the plain answers are read directly");
    }

    #[test]
    fn a_last_line_without_its_newline_counts_and_a_bad_line_names_its_number() {
        let text = format!(
            "{}\n{}",
            line("a1-c1", "x").trim_end(),
            line("a1-c2", "y").trim_end()
        );
        assert_eq!(parse_results(BatchApi::OpenAi, &text).unwrap().len(), 2);
        let bad = format!("{}{{\"custom_id\": \"a1-c3\"\n", line("a1-c2", "y"));
        let e = parse_results(BatchApi::OpenAi, &bad).unwrap_err();
        assert!(e.message.contains("line 2: not JSON"), "{}", e.message);
    }
}
