//! A fine-tune on this machine with llama.cpp: the training examples rendered with the
//! model's own chat template (by `llama-server`, as it will render the arm's prompts when
//! the result is evaluated), the model dequantised to F32, every weight trained by
//! `llama-finetune`, the result quantised back for serving and checked to load and answer.
//! Each step is named, so a failure says which step failed and keeps the tool's last lines;
//! cancelling stops the tool under way. Nothing here touches the store: the job model
//! records the outcome and registers the arm only after every step succeeded.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::llama_log::{parse_progress, TrainProgress};
use crate::provider::gguf::{self, GgufInfo};
use crate::provider::local::{
    available_memory, check_memory, find_tool, LocalServer, LogTail, ServeOptions,
};
use crate::provider::{ChatRequest, GenParams, Message, Role};

/// The steps of a local fine-tune, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The model file, the tools and the memory, before anything starts.
    Check,
    /// The examples through the model's chat template into one training text.
    Render,
    /// The model to F32 (`llama-quantize`), which `llama-finetune` trains.
    Dequantise,
    /// `llama-finetune`.
    Train,
    /// The trained model back to the serving type (`llama-quantize`).
    Quantise,
    /// The result served once and asked one of the examples.
    Verify,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Check => "check",
            Step::Render => "render",
            Step::Dequantise => "dequantise",
            Step::Train => "train",
            Step::Quantise => "quantise",
            Step::Verify => "verify",
        }
    }
}

/// What to train and how.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalOptions {
    /// The GGUF file to start from.
    pub base_model: PathBuf,
    /// Where the work files and the result go (created).
    pub work_dir: PathBuf,
    pub epochs: u32,
    pub learning_rate: f64,
    /// Tokens per training window (`-c`, `-b` and `-ub`).
    pub context: u32,
    /// The type of the result (`Q8_0`, or the base model's own, e.g. `Q4_1`).
    pub quantisation: String,
    /// USD per hour of this machine; the training cost is the wall time times this.
    pub machine_cost_per_hour: f64,
}

pub const DEFAULT_EPOCHS: u32 = 1;
/// AdamW's step size for a full fine-tune of a small model on a few hundred examples.
pub const DEFAULT_LEARNING_RATE: f64 = 5e-5;
/// A window holds one short classification example (prompt and answer) whole.
pub const DEFAULT_CONTEXT: u32 = 512;
pub const DEFAULT_QUANTISATION: &str = "Q8_0";

impl LocalOptions {
    pub fn new(base_model: impl Into<PathBuf>, work_dir: impl Into<PathBuf>) -> Self {
        Self {
            base_model: base_model.into(),
            work_dir: work_dir.into(),
            epochs: DEFAULT_EPOCHS,
            learning_rate: DEFAULT_LEARNING_RATE,
            context: DEFAULT_CONTEXT,
            quantisation: DEFAULT_QUANTISATION.into(),
            machine_cost_per_hour: 0.0,
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.epochs == 0 || self.epochs > 100 {
            return Err(format!("epochs must be 1 to 100, not {}", self.epochs));
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0 && self.learning_rate < 1.0)
        {
            return Err(format!(
                "the learning rate must be between 0 and 1, not {}",
                self.learning_rate
            ));
        }
        // llama.cpp rounds a context up to a multiple of 256, so the windows it cuts are
        // only the ones counted here when the context is one already.
        if !(256..=8192).contains(&self.context) || !self.context.is_multiple_of(256) {
            return Err(format!(
                "the context must be a multiple of 256 tokens from 256 to 8192 (llama.cpp \
                 rounds it up to one), not {}",
                self.context
            ));
        }
        if !(self.machine_cost_per_hour.is_finite() && self.machine_cost_per_hour >= 0.0) {
            return Err(format!(
                "the machine's cost per hour must be a number ≥ 0, not {}",
                self.machine_cost_per_hour
            ));
        }
        let q = self.quantisation.to_ascii_uppercase();
        if !q.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || q.is_empty() {
            return Err(format!(
                "{:?} is not a llama.cpp quantisation type (e.g. Q8_0)",
                self.quantisation
            ));
        }
        Ok(())
    }
}

/// One training example: the messages the arm sends (system, user...) and the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub prompt: Vec<Message>,
    pub answer: String,
}

/// What a local fine-tune reports while it works.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LocalEvent {
    Step { step: Step, detail: String },
    Progress { epoch: u32, progress: TrainProgress },
}

/// A finished local fine-tune.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocalOutcome {
    /// The trained model, ready to serve.
    pub model: String,
    pub quantisation: String,
    pub examples: u32,
    /// Tokens of the training text, and the windows of `context` tokens cut from it.
    pub tokens: u32,
    pub windows: u32,
    /// Mean training loss of each epoch (the first is the epoch's first window).
    pub first_loss: f64,
    pub epoch_losses: Vec<f64>,
    /// Seconds of `llama-finetune`, and of the whole job.
    pub train_seconds: f64,
    pub wall_seconds: f64,
    pub machine_cost_per_hour: f64,
    /// `wall_seconds` × the machine's cost per hour.
    pub training_cost_usd: f64,
    /// What the trained model answered to the first example, when checked.
    pub check_answer: String,
}

/// A failed local fine-tune: the step, what went wrong and the tool's last lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LocalFailure {
    pub step: Step,
    pub message: String,
    pub log_tail: String,
    pub cancelled: bool,
}

impl std::fmt::Display for LocalFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.cancelled {
            return write!(
                f,
                "the local fine-tune was cancelled during step `{}`",
                self.step.as_str()
            );
        }
        write!(
            f,
            "local fine-tune, step `{}`: {}",
            self.step.as_str(),
            self.message
        )?;
        if !self.log_tail.is_empty() {
            write!(f, "\nlast output:\n{}", self.log_tail)?;
        }
        Ok(())
    }
}

fn fail(step: Step, message: impl std::fmt::Display) -> LocalFailure {
    LocalFailure {
        step,
        message: message.to_string(),
        log_tail: String::new(),
        cancelled: false,
    }
}

/// Memory `llama-finetune` needs for `model`: the F32 weights, their gradients and AdamW's
/// two moments (4 × F32), plus activations of a `context`-token window and its buffers.
pub fn training_memory(model: &GgufInfo, context: u32) -> u64 {
    const OVERHEAD: u64 = 512 << 20;
    let activations = u64::from(context) * (model.parameters / 100).max(1 << 16) / 8;
    model.f32_bytes().saturating_mul(4) + activations + OVERHEAD
}

/// The training text: each example rendered as a whole conversation (its prompt, then the
/// answer as the assistant's turn) by the model's chat template, checked to begin with the
/// prompt exactly as it is rendered for a call, so the model is trained on the very tokens
/// it will see when the arm is evaluated.
pub fn join_rendered(
    prompt_renders: &[String],
    full_renders: &[String],
    answers: &[String],
) -> Result<String, String> {
    let mut text = String::new();
    for (i, ((prompt, full), answer)) in prompt_renders
        .iter()
        .zip(full_renders)
        .zip(answers)
        .enumerate()
    {
        let Some(rest) = full.strip_prefix(prompt.as_str()) else {
            return Err(format!(
                "example {}: the chat template renders the conversation with its answer \
                 differently from the prompt alone, so the model cannot be trained on the \
                 prompt it will be asked",
                i + 1
            ));
        };
        if !rest.trim_start().starts_with(answer.trim()) {
            return Err(format!(
                "example {}: the chat template does not place the answer right after the \
                 prompt (it rendered {:?})",
                i + 1,
                rest.chars().take(80).collect::<String>()
            ));
        }
        text.push_str(full);
    }
    Ok(text)
}

/// Windows `llama-finetune` cuts from `tokens` tokens with `context`-token windows that
/// overlap by half (`(tokens − context − 1) / (context / 2)`, as its data set does).
pub fn windows(tokens: u32, context: u32) -> u32 {
    let stride = (context / 2).max(1);
    tokens.saturating_sub(context + 1) / stride
}

/// Runs a child to its end, feeding each output line to `on_line` and stopping it when
/// `cancel` fires. Returns the log tail on failure.
async fn run_tool(
    step: Step,
    mut cmd: Command,
    cancel: &CancellationToken,
    on_line: impl FnMut(&str) + Send + 'static,
) -> Result<LogTail, LocalFailure> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| fail(step, format!("could not start {program}: {e}")))?;
    let log = LogTail::default();
    let on_line = Arc::new(Mutex::new(on_line));
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        let f = on_line.clone();
        readers.push(log.follow(out, move |l| {
            (f.lock().unwrap_or_else(|e| e.into_inner()))(l)
        }));
    }
    if let Some(err) = child.stderr.take() {
        let f = on_line.clone();
        readers.push(log.follow(err, move |l| {
            (f.lock().unwrap_or_else(|e| e.into_inner()))(l)
        }));
    }
    let status = loop {
        if cancel.is_cancelled() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(LocalFailure {
                step,
                message: "cancelled".into(),
                log_tail: log.text(),
                cancelled: true,
            });
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(e) => return Err(fail(step, format!("waiting for {program}: {e}"))),
        }
    };
    for r in readers {
        let _ = r.join();
    }
    if !status.success() {
        return Err(LocalFailure {
            step,
            message: format!("{program} failed ({status})"),
            log_tail: log.text(),
            cancelled: false,
        });
    }
    Ok(log)
}

fn step_event(step: Step, detail: String, on: &mut (dyn FnMut(&LocalEvent) + Send)) {
    on(&LocalEvent::Step { step, detail });
}

fn io_fail(step: Step, path: &Path, e: std::io::Error) -> LocalFailure {
    fail(step, format!("{}: {e}", path.display()))
}

/// Renders `examples` through the chat template of the model `server` serves.
async fn render(
    client: &reqwest::Client,
    server: &LocalServer,
    examples: &[Example],
    cancel: &CancellationToken,
) -> Result<(String, u32), LocalFailure> {
    let step = Step::Render;
    let apply = |messages: Vec<serde_json::Value>, generation: bool| {
        let body = serde_json::json!({
            "messages": messages,
            "add_generation_prompt": generation,
        });
        let url = format!("{}/apply-template", server.root_url);
        async move {
            let r = client
                .post(url)
                .json(&body)
                .send()
                .await
                .map_err(|e| fail(step, format!("llama-server's /apply-template: {e}")))?;
            let status = r.status();
            let v: serde_json::Value = r
                .json()
                .await
                .map_err(|e| fail(step, format!("llama-server's /apply-template: {e}")))?;
            if !status.is_success() {
                return Err(fail(
                    step,
                    format!("llama-server's /apply-template: {status}: {v}"),
                ));
            }
            v["prompt"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| fail(step, format!("llama-server's /apply-template gave {v}")))
        }
    };
    let wire = |m: &Message| serde_json::json!({"role": m.role.as_str(), "content": m.content});
    let (mut prompts, mut fulls, mut answers) = (Vec::new(), Vec::new(), Vec::new());
    for ex in examples {
        if cancel.is_cancelled() {
            return Err(LocalFailure {
                step,
                message: "cancelled".into(),
                log_tail: String::new(),
                cancelled: true,
            });
        }
        let prompt: Vec<_> = ex.prompt.iter().map(wire).collect();
        let mut full = prompt.clone();
        full.push(wire(&Message::new(Role::Assistant, ex.answer.clone())));
        prompts.push(apply(prompt, true).await?);
        fulls.push(apply(full, false).await?);
        answers.push(ex.answer.clone());
    }
    let text = join_rendered(&prompts, &fulls, &answers).map_err(|e| fail(step, e))?;
    let r = client
        .post(format!("{}/tokenize", server.root_url))
        .json(&serde_json::json!({"content": text, "add_special": true, "parse_special": true}))
        .send()
        .await
        .map_err(|e| fail(step, format!("llama-server's /tokenize: {e}")))?;
    let v: serde_json::Value = r
        .json()
        .await
        .map_err(|e| fail(step, format!("llama-server's /tokenize: {e}")))?;
    let tokens = v["tokens"]
        .as_array()
        .map(|a| a.len() as u32)
        .ok_or_else(|| fail(step, format!("llama-server's /tokenize gave {v}")))?;
    Ok((text, tokens))
}

/// Trains `examples` into a new model as `opts` says. `on_event` hears each step and every
/// progress line of training; `cancel` stops the step under way.
pub async fn fine_tune(
    client: &reqwest::Client,
    opts: &LocalOptions,
    examples: &[Example],
    cancel: &CancellationToken,
    on_event: &mut (dyn FnMut(&LocalEvent) + Send),
) -> Result<LocalOutcome, LocalFailure> {
    let started = Instant::now();
    // --- check ---
    let step = Step::Check;
    opts.check().map_err(|e| fail(step, e))?;
    if examples.is_empty() {
        return Err(fail(step, "there are no training examples"));
    }
    let base = gguf::inspect(&opts.base_model).map_err(|e| fail(step, e))?;
    let server_bin = find_tool("llama-server").map_err(|e| fail(step, e))?;
    let quantize = find_tool("llama-quantize").map_err(|e| fail(step, e))?;
    let finetune = find_tool("llama-finetune").map_err(|e| fail(step, e))?;
    let _ = server_bin;
    check_memory(
        &format!(
            "fine-tuning {} ({} million parameters, trained in F32)",
            opts.base_model.display(),
            base.parameters / 1_000_000
        ),
        training_memory(&base, opts.context),
        available_memory(),
    )
    .map_err(|e| fail(step, e))?;
    std::fs::create_dir_all(&opts.work_dir).map_err(|e| io_fail(step, &opts.work_dir, e))?;
    let quantisation = opts.quantisation.to_ascii_uppercase();
    step_event(
        step,
        format!(
            "{} ({}, {} million parameters, {}); {} examples",
            opts.base_model.display(),
            base.architecture.as_deref().unwrap_or("?"),
            base.parameters / 1_000_000,
            base.main_type,
            examples.len()
        ),
        on_event,
    );

    // --- render ---
    let step = Step::Render;
    let mut serve = ServeOptions::new(&opts.base_model);
    serve.parallel = 1;
    serve.ctx_per_slot = opts.context.max(2048);
    // A trailing assistant turn is a finished answer, not a prefix to continue.
    serve.extra_args = vec!["--no-prefill-assistant".into()];
    let server = LocalServer::start(client, &serve)
        .await
        .map_err(|e| fail(step, e))?;
    let rendered = render(client, &server, examples, cancel).await;
    drop(server);
    let (text, tokens) = rendered?;
    let windows = windows(tokens, opts.context);
    if windows == 0 {
        return Err(fail(
            step,
            format!(
                "the training text is {tokens} tokens, too short for one window of {} tokens; \
                 add examples or lower the context",
                opts.context
            ),
        ));
    }
    let train_file = opts.work_dir.join("train.txt");
    std::fs::write(&train_file, &text).map_err(|e| io_fail(step, &train_file, e))?;
    step_event(
        step,
        format!(
            "{} examples, {tokens} tokens, {windows} windows of {} tokens per epoch",
            examples.len(),
            opts.context
        ),
        on_event,
    );

    // --- dequantise ---
    let step = Step::Dequantise;
    let f32_model = opts.work_dir.join("base-f32.gguf");
    let trained_f32 = opts.work_dir.join("trained-f32.gguf");
    let start_from = if base.main_type == "F32" {
        opts.base_model.clone()
    } else {
        let mut cmd = Command::new(&quantize);
        cmd.arg("--allow-requantize")
            .arg(&opts.base_model)
            .arg(&f32_model)
            .arg("F32");
        run_tool(step, cmd, cancel, |_| {}).await?;
        f32_model.clone()
    };
    step_event(step, format!("{}", start_from.display()), on_event);

    // --- train ---
    let step = Step::Train;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut cmd = Command::new(&finetune);
    let c = opts.context.to_string();
    cmd.arg("-m")
        .arg(&start_from)
        .arg("-f")
        .arg(&train_file)
        .args(["-c", &c, "-b", &c, "-ub", &c])
        .args(["-epochs", &opts.epochs.to_string()])
        .args(["-lr", &format!("{:e}", opts.learning_rate)])
        .args(["-t", &threads.to_string(), "-opt", "adamw"])
        .arg("-o")
        .arg(&trained_f32);
    // Progress lines parsed on the reader thread, handed over here (Send + Sync, so the
    // whole job is a future any runtime can move between threads).
    let inbox: Arc<Mutex<Vec<TrainProgress>>> = Arc::default();
    let tx = inbox.clone();
    let train_started = Instant::now();
    let trained = {
        let run = run_tool(step, cmd, cancel, move |line| {
            if let Some(p) = parse_progress(line) {
                tx.lock().unwrap_or_else(|e| e.into_inner()).push(p);
            }
        });
        tokio::pin!(run);
        let mut epoch = 0u32;
        let mut last_done = 0u32;
        let mut first_loss = f64::NAN;
        let mut epoch_losses: Vec<f64> = Vec::new();
        let mut current = f64::NAN;
        let mut drain = |on: &mut (dyn FnMut(&LocalEvent) + Send)| {
            let arrived = std::mem::take(&mut *inbox.lock().unwrap_or_else(|e| e.into_inner()));
            for p in arrived {
                if p.train {
                    if p.done < last_done {
                        epoch_losses.push(current);
                        epoch += 1;
                    }
                    last_done = p.done;
                    current = p.loss;
                    if first_loss.is_nan() {
                        first_loss = p.loss;
                    }
                }
                on(&LocalEvent::Progress { epoch, progress: p });
            }
        };
        let result = loop {
            tokio::select! {
                r = &mut run => break r,
                _ = tokio::time::sleep(Duration::from_millis(200)) => drain(on_event),
            }
        };
        drain(on_event);
        if !current.is_nan() {
            epoch_losses.push(current);
        }
        result.map(|_| (first_loss, epoch_losses))
    };
    let (first_loss, epoch_losses) = trained?;
    let train_seconds = train_started.elapsed().as_secs_f64();
    if !trained_f32.is_file() {
        return Err(fail(
            step,
            format!("llama-finetune wrote no {}", trained_f32.display()),
        ));
    }
    if epoch_losses.is_empty() || epoch_losses.iter().any(|l| !l.is_finite()) {
        return Err(fail(
            step,
            format!("llama-finetune reported no usable loss (per epoch: {epoch_losses:?})"),
        ));
    }
    step_event(
        step,
        format!(
            "{} epoch(s) in {train_seconds:.0} s; mean loss per epoch {}",
            opts.epochs,
            epoch_losses
                .iter()
                .map(|l| format!("{l:.4}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        on_event,
    );
    let _ = std::fs::remove_file(&f32_model);

    // --- quantise ---
    let step = Step::Quantise;
    let result_model = opts.work_dir.join(format!(
        "fine-tuned-{}.gguf",
        quantisation.to_ascii_lowercase()
    ));
    if quantisation == "F32" {
        std::fs::rename(&trained_f32, &result_model)
            .map_err(|e| io_fail(step, &result_model, e))?;
    } else {
        let mut cmd = Command::new(&quantize);
        cmd.arg(&trained_f32).arg(&result_model).arg(&quantisation);
        run_tool(step, cmd, cancel, |_| {}).await?;
        let _ = std::fs::remove_file(&trained_f32);
    }
    step_event(step, format!("{}", result_model.display()), on_event);

    // --- verify ---
    let step = Step::Verify;
    let mut serve = ServeOptions::new(&result_model);
    serve.parallel = 1;
    let server = LocalServer::start(client, &serve)
        .await
        .map_err(|e| fail(step, e))?;
    let mut provider = crate::provider::Provider {
        id: 0,
        name: "local".into(),
        kind: crate::provider::ProviderKind::Local,
        base_url: server.base_url.clone(),
        api_key_env: None,
        settings: Default::default(),
    };
    provider.settings.stream = false;
    let request = ChatRequest {
        model: result_model.display().to_string(),
        messages: examples[0].prompt.clone(),
        params: GenParams {
            max_tokens: Some(16),
            temperature: Some(0.0),
            ..GenParams::default()
        },
    };
    let answer = crate::provider::send(client, &provider, None, &request).await;
    let log = server.log.text();
    drop(server);
    let answer = answer.map_err(|e| LocalFailure {
        step,
        message: format!(
            "the trained model {} did not answer: {}",
            result_model.display(),
            e.message
        ),
        log_tail: log,
        cancelled: false,
    })?;
    step_event(step, format!("answered {:?}", answer.output), on_event);

    let wall_seconds = started.elapsed().as_secs_f64();
    Ok(LocalOutcome {
        model: result_model.display().to_string(),
        quantisation,
        examples: examples.len() as u32,
        tokens,
        windows,
        first_loss,
        epoch_losses,
        train_seconds,
        wall_seconds,
        machine_cost_per_hour: opts.machine_cost_per_hour,
        training_cost_usd: wall_seconds / 3600.0 * opts.machine_cost_per_hour,
        check_answer: answer.output,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_llama_finetunes_half_overlapping_cut() {
        assert_eq!(windows(1000, 256), (1000 - 257) / 128);
        assert_eq!(windows(257, 256), 0);
        assert_eq!(windows(100, 256), 0, "too short: none, not an underflow");
    }

    #[test]
    fn the_training_text_is_each_whole_conversation_in_order() {
        let p = |u: &str| format!("<|im_start|>user\n{u}<|im_end|>\n<|im_start|>assistant\n");
        let prompts = vec![p("a"), p("b")];
        let fulls = vec![
            format!("{}spam<|im_end|>\n", p("a")),
            format!("{}ham<|im_end|>\n", p("b")),
        ];
        let text = join_rendered(&prompts, &fulls, &["spam".into(), "ham".into()]).unwrap();
        assert_eq!(text, format!("{}{}", fulls[0], fulls[1]));
    }

    #[test]
    fn a_template_that_renders_the_prompt_differently_with_its_answer_is_refused() {
        let e = join_rendered(
            &["<s>user: a\nassistant:".into()],
            &["<s>user: a\n</s>assistant: spam".into()],
            &["spam".into()],
        )
        .unwrap_err();
        assert!(e.contains("example 1") && e.contains("differently"), "{e}");
        let e = join_rendered(
            &["user: a\nassistant:".into()],
            &["user: a\nassistant: (thinking) spam".into()],
            &["spam".into()],
        )
        .unwrap_err();
        assert!(e.contains("does not place the answer"), "{e}");
    }

    #[test]
    fn options_out_of_range_are_refused_with_the_value() {
        let mut o = LocalOptions::new("m.gguf", "/tmp/x");
        assert!(o.check().is_ok());
        o.epochs = 0;
        assert!(o.check().unwrap_err().contains("epochs"));
        o.epochs = 1;
        o.context = 255;
        assert!(o.check().unwrap_err().contains("255"));
        o.context = 300;
        assert!(o.check().unwrap_err().contains("multiple of 256"));
        o.context = 256;
        o.learning_rate = -1.0;
        assert!(o.check().unwrap_err().contains("learning rate"));
        o.learning_rate = 1e-5;
        o.quantisation = "Q8_0; rm -rf".into();
        assert!(o.check().unwrap_err().contains("quantisation"));
    }

    #[test]
    fn training_memory_of_smollm2_is_a_few_gigabytes() {
        let info = GgufInfo {
            path: "m.gguf".into(),
            file_bytes: 98 << 20,
            version: 3,
            architecture: Some("llama".into()),
            name: None,
            parameters: 134_515_008,
            main_type: "Q4_1".into(),
            has_chat_template: true,
        };
        let need = training_memory(&info, 512);
        // Measured: about 2.4 GB RSS at -c 256.
        assert!(need > 2 << 30 && need < 4 << 30, "{need}");
    }

    #[test]
    fn a_failure_names_its_step_and_keeps_the_last_output() {
        let f = LocalFailure {
            step: Step::Train,
            message: "llama-finetune failed (exit status: 1)".into(),
            log_tail: "ggml: out of memory".into(),
            cancelled: false,
        };
        let s = f.to_string();
        assert!(
            s.contains("step `train`") && s.contains("out of memory"),
            "{s}"
        );
    }
}
