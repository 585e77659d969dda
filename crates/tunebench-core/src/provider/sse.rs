//! Server-sent events: splits a byte stream into the `data:` payloads of complete events.

/// Whether `resp` is a server-sent event stream (the provider streamed its answer).
pub(crate) fn is_event_stream(resp: &reqwest::Response) -> bool {
    resp.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// Accumulates bytes and yields each complete event's data (multi-line data joined by `\n`).
#[derive(Debug, Default)]
pub(crate) struct SseBuffer {
    pending: Vec<u8>,
}

impl SseBuffer {
    /// Adds `bytes` and returns the data of every event completed by them.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.pending
            .extend(bytes.iter().copied().filter(|b| *b != b'\r'));
        let mut events = Vec::new();
        while let Some(end) = find_blank_line(&self.pending) {
            let block: Vec<u8> = self.pending.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&block[..end]);
            let mut data: Vec<&str> = Vec::new();
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("data:") {
                    data.push(rest.strip_prefix(' ').unwrap_or(rest));
                }
            }
            if !data.is_empty() {
                events.push(data.join("\n"));
            }
        }
        events
    }

    /// Whether bytes of an unfinished event are still buffered.
    pub(crate) fn has_partial_event(&self) -> bool {
        self.pending.iter().any(|b| !b.is_ascii_whitespace())
    }
}

fn find_blank_line(buf: &[u8]) -> Option<usize> {
    buf.windows(2).position(|w| w == b"\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_chunks_are_joined() {
        let mut b = SseBuffer::default();
        assert!(b.push(b"data: {\"a\"").is_empty());
        assert_eq!(
            b.push(b":1}\r\n\r\ndata: [DONE]\n\n"),
            vec!["{\"a\":1}", "[DONE]"]
        );
        assert!(!b.has_partial_event());
    }

    #[test]
    fn comments_and_event_names_carry_no_data() {
        let mut b = SseBuffer::default();
        let got = b.push(b": ping\n\nevent: message_stop\ndata: {}\n\n");
        assert_eq!(got, vec!["{}"]);
    }

    #[test]
    fn a_cut_event_is_reported_as_partial() {
        let mut b = SseBuffer::default();
        assert!(b.push(b"data: {\"choices\":").is_empty());
        assert!(b.has_partial_event());
    }
}
