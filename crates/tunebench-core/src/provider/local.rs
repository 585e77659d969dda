//! Local models: a GGUF file that Tunebench serves itself with llama.cpp's `llama-server`,
//! started on a free loopback port for as long as it is needed and stopped after, then
//! spoken to over the OpenAI-compatible path like any other server. Before anything starts,
//! the file is checked (a GGUF model, small enough for this machine's memory) and the
//! binary is found, each failure naming the file.

use std::collections::VecDeque;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::gguf::{self, GgufInfo};
use crate::{Error, Result};

/// Where llama.cpp's tools are looked for first: a folder holding `llama-server`,
/// `llama-finetune` and `llama-quantize`.
pub const BIN_DIR_ENV: &str = "TUNEBENCH_LLAMA_BIN_DIR";
/// The cache root `scripts/local-llm.sh` builds into (default `~/.cache/tunebench`).
pub const CACHE_ENV: &str = "TUNEBENCH_CACHE";
/// The model `scripts/local-llm.sh` fetches: the default local model.
pub const DEFAULT_MODEL_FILE: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";
/// Lines of a tool's output kept for an error message or a failed job.
pub const LOG_TAIL_LINES: usize = 40;

/// The folders `scripts/local-llm.sh` builds into: `<cache>/llama/<version>/`.
fn cache_versions() -> Vec<PathBuf> {
    let root = std::env::var_os(CACHE_ENV)
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("tunebench")));
    let Some(root) = root else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("llama"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.reverse();
    dirs
}

/// Finds llama.cpp's tool `name` (`llama-server`, `llama-finetune`, `llama-quantize`): in
/// `$TUNEBENCH_LLAMA_BIN_DIR`, else in what `scripts/local-llm.sh` built, else on PATH.
pub fn find_tool(name: &str) -> Result<PathBuf> {
    let mut looked = Vec::new();
    if let Some(dir) = std::env::var_os(BIN_DIR_ENV) {
        let p = PathBuf::from(dir).join(name);
        if p.is_file() {
            return Ok(p);
        }
        looked.push(p.display().to_string());
    } else {
        looked.push(format!("${BIN_DIR_ENV} (not set)"));
    }
    for dir in cache_versions() {
        let p = dir.join("bin").join(name);
        if p.is_file() {
            return Ok(p);
        }
        looked.push(p.display().to_string());
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    looked.push("PATH".into());
    Err(Error::Invalid(format!(
        "{name} (llama.cpp) not found; looked in {}. Build it with `scripts/local-llm.sh \
         ensure`, or set {BIN_DIR_ENV} to the folder that holds it",
        looked.join(", ")
    )))
}

/// The default local model (SmolLM2-135M-Instruct) as `scripts/local-llm.sh` caches it.
pub fn default_model() -> Result<PathBuf> {
    for dir in cache_versions() {
        let p = dir.join("models").join(DEFAULT_MODEL_FILE);
        if p.is_file() {
            return Ok(p);
        }
    }
    Err(Error::Invalid(format!(
        "the default local model {DEFAULT_MODEL_FILE} is not in the cache; fetch it with \
         `scripts/local-llm.sh ensure`, or name a GGUF file"
    )))
}

/// What names a local model file in the response cache: its absolute path, its size and
/// its modification time (to the nanosecond). Not a hash of its contents: reading a
/// multi-gigabyte GGUF would cost seconds to minutes before every run, while a file that
/// is rewritten (a new fine-tune, quantisation or export in its place) gets a new time.
/// A file that cannot be read is named by its path alone (its run fails before any call).
pub fn model_identity(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Ok(meta) = std::fs::metadata(&absolute) else {
        return absolute.display().to_string();
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{} {} bytes {modified} ns", absolute.display(), meta.len())
}

/// Bytes of memory available to a new process (Linux: `MemAvailable`); `None` where this
/// cannot be read, and then no check is made.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_meminfo(&text)
}

fn parse_meminfo(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Whole gibibytes with one decimal, for messages.
pub fn gib(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / (1u64 << 30) as f64)
}

/// Refuses to go on when `need` bytes exceed `available`: `what` says what needs them
/// (and names the file).
pub fn check_memory(what: &str, need: u64, available: Option<u64>) -> Result<()> {
    match available {
        Some(have) if need > have => Err(Error::Invalid(format!(
            "{what} needs about {} of memory and this machine has {} available; pick a \
             smaller model or free memory",
            gib(need),
            gib(have)
        ))),
        _ => Ok(()),
    }
}

/// Memory to serve `model` with `ctx` tokens of context: the weights, the KV cache at F16
/// (an upper bound from the file's size) and the server's own buffers.
pub fn serving_memory(model: &GgufInfo, ctx: u32) -> u64 {
    const OVERHEAD: u64 = 256 << 20;
    // ~ 2 × layers × width × 2 bytes per token; a 135M model needs ~ 90 kB per token,
    // so a thousandth of the weights per token is a safe bound for small models.
    let kv = (model.file_bytes / 1000).max(64 << 10) * u64::from(ctx);
    model.file_bytes + kv.min(model.file_bytes * 2) + OVERHEAD
}

/// Checks that the file at `path` is a GGUF model that fits this machine's memory when
/// served with `ctx` tokens of context.
pub fn check_servable(path: &Path, ctx: u32) -> Result<GgufInfo> {
    let info = gguf::inspect(path)?;
    check_memory(
        &format!("serving {}", path.display()),
        serving_memory(&info, ctx),
        available_memory(),
    )?;
    Ok(info)
}

/// The last lines a process wrote, kept while it runs.
#[derive(Clone, Default)]
pub struct LogTail(Arc<Mutex<VecDeque<String>>>);

impl LogTail {
    pub fn push(&self, line: String) {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if q.len() == LOG_TAIL_LINES {
            q.pop_front();
        }
        q.push_back(line);
    }
    pub fn text(&self) -> String {
        let q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.iter().cloned().collect::<Vec<_>>().join("\n")
    }
    /// Reads `from` line by line (also lines ended by `\r`, as progress bars write) on a
    /// thread, calling `each` for every line and keeping the last ones.
    pub fn follow(
        &self,
        from: impl std::io::Read + Send + 'static,
        mut each: impl FnMut(&str) + Send + 'static,
    ) -> std::thread::JoinHandle<()> {
        let tail = self.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(from);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                // Split on both \n and \r.
                let mut byte = [0u8; 1];
                let mut got = false;
                while let Ok(1) = std::io::Read::read(&mut r, &mut byte) {
                    got = true;
                    if byte[0] == b'\n' || byte[0] == b'\r' {
                        break;
                    }
                    buf.push(byte[0]);
                }
                if !got {
                    break;
                }
                let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                if !line.is_empty() {
                    each(&line);
                    tail.push(line);
                }
            }
        })
    }
}

/// How to serve one model.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub model: PathBuf,
    /// Requests served at once (llama-server's slots).
    pub parallel: u32,
    /// Tokens of context per slot.
    pub ctx_per_slot: u32,
    /// Seconds to wait for `/health`.
    pub start_timeout_s: f64,
    /// Extra arguments for llama-server.
    pub extra_args: Vec<String>,
}

impl ServeOptions {
    pub fn new(model: impl Into<PathBuf>) -> Self {
        Self {
            model: model.into(),
            parallel: 2,
            ctx_per_slot: 4096,
            start_timeout_s: 60.0,
            extra_args: Vec::new(),
        }
    }
}

/// A `llama-server` this process started; stopped when dropped.
pub struct LocalServer {
    child: Child,
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    /// `http://127.0.0.1:PORT`.
    pub root_url: String,
    pub model: PathBuf,
    pub log: LogTail,
}

/// A free TCP port on the loopback interface.
fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0))
        .map_err(|e| Error::Internal(format!("could not find a free loopback port: {e}")))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| Error::Internal(format!("could not find a free loopback port: {e}")))
}

impl LocalServer {
    /// Checks the model, finds `llama-server`, starts it on a free loopback port and waits
    /// until `/health` answers 200. Every failure names the model file.
    pub async fn start(client: &reqwest::Client, opts: &ServeOptions) -> Result<Self> {
        let parallel = opts.parallel.max(1);
        let ctx = opts.ctx_per_slot.max(256).saturating_mul(parallel);
        check_servable(&opts.model, ctx)?;
        let bin = find_tool("llama-server")?;
        let shown = opts.model.display().to_string();
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut last_error = None;
        // A port found free may be taken before the server binds it: try a few.
        for _ in 0..3 {
            let port = free_port()?;
            let mut cmd = Command::new(&bin);
            cmd.arg("-m")
                .arg(&opts.model)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["-c", &ctx.to_string(), "-np", &parallel.to_string()])
                .args(["-t", &threads.to_string(), "--no-webui"])
                .args(&opts.extra_args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            let mut child = cmd.spawn().map_err(|e| {
                Error::Internal(format!(
                    "could not start {} for {shown}: {e}",
                    bin.display()
                ))
            })?;
            let log = LogTail::default();
            if let Some(err) = child.stderr.take() {
                log.follow(err, |_| {});
            }
            let root_url = format!("http://127.0.0.1:{port}");
            let mut server = LocalServer {
                child,
                base_url: format!("{root_url}/v1"),
                root_url,
                model: opts.model.clone(),
                log,
            };
            match server.wait_healthy(client, opts.start_timeout_s).await {
                Ok(()) => return Ok(server),
                Err(e) => {
                    let bind_failed = server.log.text().contains("couldn't bind");
                    server.stop();
                    if !bind_failed {
                        return Err(e);
                    }
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.unwrap_or_else(|| Error::Internal(format!("{shown}: no port"))))
    }

    async fn wait_healthy(&mut self, client: &reqwest::Client, timeout_s: f64) -> Result<()> {
        let started = Instant::now();
        let shown = self.model.display().to_string();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader thread take the last lines.
                tokio::time::sleep(Duration::from_millis(50)).await;
                return Err(Error::Invalid(format!(
                    "llama-server could not serve {shown} (it exited with {status}); its last \
                     output:\n{}",
                    self.log.text()
                )));
            }
            let health = client
                .get(format!("{}/health", self.root_url))
                .timeout(Duration::from_secs(2))
                .send()
                .await;
            if matches!(&health, Ok(r) if r.status().as_u16() == 200) {
                return Ok(());
            }
            if started.elapsed().as_secs_f64() > timeout_s {
                return Err(Error::Internal(format!(
                    "llama-server did not become healthy within {timeout_s:.0} s serving \
                     {shown}; its last output:\n{}",
                    self.log.text()
                )));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the server (also done on drop).
    pub fn stop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn available_memory_is_read_from_meminfo() {
        let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(parse_meminfo(text), Some(2048 * 1024));
        assert_eq!(parse_meminfo("MemTotal: 5 kB\n"), None);
    }

    #[test]
    fn a_model_larger_than_available_memory_is_refused_naming_the_file() {
        let e = check_memory("serving /m/big.gguf", 8 << 30, Some(2 << 30))
            .unwrap_err()
            .to_string();
        assert!(e.contains("/m/big.gguf"), "{e}");
        assert!(
            e.contains("8.0 GB") && e.contains("2.0 GB available"),
            "{e}"
        );
        assert!(check_memory("x", 1 << 30, Some(2 << 30)).is_ok());
        assert!(
            check_memory("x", 1 << 40, None).is_ok(),
            "unknown memory: no check"
        );
    }

    #[test]
    fn a_missing_tool_names_where_it_was_looked_for_and_how_to_build_it() {
        let e = find_tool("llama-no-such-tool").unwrap_err().to_string();
        assert!(e.contains("llama-no-such-tool"), "{e}");
        assert!(e.contains("scripts/local-llm.sh ensure"), "{e}");
        assert!(e.contains(BIN_DIR_ENV), "{e}");
    }

    #[test]
    fn serving_memory_covers_weights_and_context() {
        let info = GgufInfo {
            path: "m.gguf".into(),
            file_bytes: 100 << 20,
            version: 3,
            architecture: Some("llama".into()),
            name: None,
            parameters: 135_000_000,
            main_type: "Q4_1".into(),
            has_chat_template: true,
        };
        let need = serving_memory(&info, 8192);
        assert!(need > 100 << 20 && need < 1 << 30, "{need}");
    }

    #[test]
    fn a_log_tail_keeps_the_last_lines_split_on_carriage_returns() {
        let tail = LogTail::default();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!("line {i}\r"));
        }
        text.push_str("last\n");
        tail.follow(std::io::Cursor::new(text.into_bytes()), move |l| {
            s.lock().unwrap().push(l.to_string())
        })
        .join()
        .unwrap();
        assert_eq!(seen.lock().unwrap().len(), 51);
        let kept = tail.text();
        assert_eq!(kept.lines().count(), LOG_TAIL_LINES);
        assert!(kept.ends_with("last"));
        assert!(!kept.contains("line 0\n"));
    }
}
