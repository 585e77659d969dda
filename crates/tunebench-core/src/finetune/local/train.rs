//! The steps of a local fine-tune run in order — check, render, dequantise, train,
//! quantise, verify — each tool a child process followed line by line and stopped on cancel.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::text::{render, windows};
use super::{
    fail, training_memory, Example, LocalEvent, LocalFailure, LocalOptions, LocalOutcome, Step,
};
use crate::finetune::llama_log::{parse_progress, TrainProgress};
use crate::provider::gguf;
use crate::provider::local::{
    available_memory, check_memory, find_tool, LocalServer, LogTail, ServeOptions,
};
use crate::provider::{ChatRequest, GenParams};

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
