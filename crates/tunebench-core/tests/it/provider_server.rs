//! An in-process OpenAI-compatible (and Anthropic/Azure-shaped) HTTP server for protocol
//! and fault tests, written on raw tokio sockets so every fault can be produced exactly:
//! error statuses with `Retry-After`, hangs, malformed JSON, SSE streams cut short,
//! connections dropped without an answer, answers without usage.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: Value,
    /// The body as text (lossy UTF-8), for bodies that are not JSON (multipart, uploads).
    pub raw: String,
}

impl Recorded {
    /// The content of the last user message (the case's input, as rendered).
    pub fn last_user(&self) -> String {
        self.body["messages"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
            .and_then(|m| m["content"].as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response: status, extra headers, body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// An SSE stream of `data:` events; `complete = false` cuts the chunked body short.
    Sse(Vec<String>, bool),
    /// Answers after this long.
    Delay(Duration, Box<Reply>),
    /// Closes the connection without a byte of response.
    Drop,
}

pub type Handler = dyn Fn(&Recorded, u32) -> Reply + Send + Sync;

/// Starts a server that first checks each request as the real API `api` would (see
/// `provider_fakes`), answering the real API's error when it would refuse it, and only
/// then asks `handler`.
pub async fn start_strict(
    api: crate::provider_fakes::Api,
    handler: impl Fn(&Recorded, u32) -> Reply + Send + Sync + 'static,
) -> TestServer {
    start(
        move |req, attempt| match crate::provider_fakes::check(api, req) {
            Some(refused) => refused,
            None => handler(req, attempt),
        },
    )
    .await
}

pub struct TestServer {
    pub base_url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    /// Most requests being handled at once.
    pub max_in_flight: Arc<Mutex<(u32, u32)>>,
}

impl TestServer {
    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// How many requests carried each last-user-message.
    pub fn per_input(&self) -> HashMap<String, u32> {
        let mut m = HashMap::new();
        for r in self.requests.lock().unwrap().iter() {
            *m.entry(r.last_user()).or_insert(0) += 1;
        }
        m
    }

    pub fn peak_in_flight(&self) -> u32 {
        self.max_in_flight.lock().unwrap().1
    }
}

/// Starts a server on a free loopback port. `handler(request, attempt)` decides the reply;
/// `attempt` is 1 for the first request with this last user message, 2 for the next...
pub async fn start(
    handler: impl Fn(&Recorded, u32) -> Reply + Send + Sync + 'static,
) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let in_flight = Arc::new(Mutex::new((0u32, 0u32)));
    let handler: Arc<Handler> = Arc::new(handler);
    let (reqs, flight) = (requests.clone(), in_flight.clone());
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let (handler, reqs, flight) = (handler.clone(), reqs.clone(), flight.clone());
            tokio::spawn(async move {
                let _ = serve(sock, handler, reqs, flight).await;
            });
        }
    });
    TestServer {
        base_url: format!("http://{addr}"),
        requests,
        max_in_flight: in_flight,
    }
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<Recorded>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Ok(Some(Recorded {
        method,
        path,
        headers,
        raw: String::from_utf8_lossy(&body).to_string(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    }))
}

async fn serve(
    mut sock: TcpStream,
    handler: Arc<Handler>,
    reqs: Arc<Mutex<Vec<Recorded>>>,
    flight: Arc<Mutex<(u32, u32)>>,
) -> std::io::Result<()> {
    let Some(req) = read_request(&mut sock).await? else {
        return Ok(());
    };
    let attempt = {
        let mut all = reqs.lock().unwrap();
        let key = req.last_user();
        let n = all.iter().filter(|r| r.last_user() == key).count() as u32 + 1;
        all.push(req.clone());
        n
    };
    {
        let mut f = flight.lock().unwrap();
        f.0 += 1;
        f.1 = f.1.max(f.0);
    }
    let mut reply = handler(&req, attempt);
    while let Reply::Delay(d, next) = reply {
        tokio::time::sleep(d).await;
        reply = *next;
    }
    // Counted out before the answer leaves, so the client's next call cannot overlap it.
    flight.lock().unwrap().0 -= 1;
    write_reply(&mut sock, reply).await
}

async fn write_reply(sock: &mut TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Status(status, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(body.as_bytes()).await?;
        }
        Reply::Sse(events, complete) => {
            sock.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
            )
            .await?;
            for e in &events {
                // A block that names its event (`event: ...`) or is a comment is sent as
                // written; anything else is one `data:` line.
                let data = if e.starts_with("event:") || e.starts_with(':') {
                    format!("{e}\n\n")
                } else {
                    format!("data: {e}\n\n")
                };
                sock.write_all(format!("{:x}\r\n{data}\r\n", data.len()).as_bytes())
                    .await?;
                sock.flush().await?;
            }
            if complete {
                sock.write_all(b"0\r\n\r\n").await?;
            } else {
                // Half an event, then the connection closes mid-body.
                sock.write_all(b"20\r\ndata: {\"choices\":[{\"delta\"")
                    .await?;
            }
        }
        Reply::Drop => {}
        Reply::Delay(..) => unreachable!("delays are unwrapped before writing"),
    }
    sock.flush().await?;
    let _ = sock.shutdown().await;
    Ok(())
}

// --- reply builders ---

pub fn usage(prompt: u32, completion: u32) -> Value {
    json!({ "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion })
}

/// A whole Chat Completions answer, with or without a usage block.
pub fn chat_json(content: &str, usage_block: Option<Value>) -> Reply {
    let mut body = json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "m",
        "choices": [{ "index": 0, "message": { "role": "assistant", "content": content }, "finish_reason": "stop" }],
    });
    if let Some(u) = usage_block {
        body["usage"] = u;
    }
    Reply::Status(200, vec![], body.to_string())
}

/// A streamed Chat Completions answer: role chunk, content chunk, usage chunk, [DONE].
pub fn chat_sse(content: &str, usage_block: Option<Value>, complete: bool) -> Reply {
    let mut events = vec![
        json!({"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}).to_string(),
        json!({"choices":[{"index":0,"delta":{"content":content}}]}).to_string(),
    ];
    if complete {
        let mut last = json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]});
        if let Some(u) = usage_block {
            last["usage"] = u;
        }
        events.push(last.to_string());
        events.push("[DONE]".into());
    }
    Reply::Sse(events, complete)
}

pub fn error(status: u16, message: &str) -> Reply {
    Reply::Status(
        status,
        vec![],
        json!({ "error": { "message": message } }).to_string(),
    )
}

/// Answers the expected label of the stub's toy task: the word after `Input: label-`.
pub fn echo_label(req: &Recorded) -> String {
    let last = req.last_user();
    last.rsplit("Input: ")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}
