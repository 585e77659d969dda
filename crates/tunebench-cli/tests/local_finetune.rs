//! The whole empirical test offline, end to end with real models: a prompting arm on a
//! local GGUF (SmolLM2-135M, served by a llama-server Tunebench starts itself), a deliberately
//! tiny local fine-tune of the same model with llama.cpp (a dozen short messages, 256-token
//! windows, two epochs), and a run of both arms with its report. Also a trainer that dies:
//! the job fails at its step with the trainer's last lines, and no arm is made.
//! `scripts/test.sh` builds the tools, then runs this with `--ignored` and
//! `TUNEBENCH_LOCAL_MODEL` naming the GGUF.

/// Short messages keep the training text to a few windows (CPU training is slow).
const MESSAGES: &str = "input,expected
WIN a FREE cruise now! Click here,spam
Lunch at noon tomorrow?,ham
Cheap meds with no prescription needed,spam
The build is green again,ham
You have been selected for a cash prize,spam
Can you review my pull request?,ham
Claim your reward: send your bank details,spam
Meeting moved to 3pm,ham
Lose 10 kg in a week with this pill,spam
Thanks for the notes from yesterday,ham
Urgent: verify your account now or lose it,spam
See you at the standup,ham
";

mod support;
use support::{raw, tunebench_json as tunebench_ok};

use std::path::Path;

/// A long system prompt makes each example a hundred tokens, so a few make some windows.
const SYSTEM: &str = "You sort short messages for a shared team inbox. Spam is unsolicited \
advertising, phishing, prize claims or requests for bank details; ham is ordinary work or \
personal mail between colleagues. Read the message and answer with exactly one word, spam \
or ham, in lower case, and nothing else.";

fn experiment(model: &Path, fine_tuned: Option<&str>) -> String {
    let mut text = format!(
        r#"
name = "offline"
dataset = "spam"
split = "test"
primary_metric = "accuracy"
labels = ["spam", "ham"]

[[providers]]
name = "laptop"
kind = "local"
max_concurrency = 2
timeout_s = 300

[[arms]]
name = "prompting"
kind = "prompt"
provider = "laptop"
model = "{}"
system = "{SYSTEM}"
template = "Message: {{{{input}}}}"
few_shot = {{ k = 2, strategy = "random", seed = 7 }}
max_tokens = 4
temperature = 0
"#,
        model.display()
    );
    if let Some(ft) = fine_tuned {
        text.push_str(&format!(
            r#"
[[arms]]
name = "fine-tuned"
kind = "fine_tuned"
provider = "laptop"
model = "{ft}"
system = "{SYSTEM}"
template = "Message: {{{{input}}}}"
max_tokens = 4
temperature = 0
"#
        ));
    }
    text
}

#[test]
#[ignore = "needs llama.cpp's tools and SmolLM2: scripts/test.sh builds them and sets TUNEBENCH_LOCAL_MODEL"]
fn a_tiny_local_fine_tune_lowers_its_loss_answers_and_is_compared_in_a_run_with_a_report() {
    let model = std::path::PathBuf::from(
        std::env::var("TUNEBENCH_LOCAL_MODEL").expect("TUNEBENCH_LOCAL_MODEL names the GGUF"),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let data = dir.path().join("messages.csv");
    std::fs::write(&data, MESSAGES).unwrap();
    tunebench_ok(&db, &["import", data.to_str().unwrap(), "--name", "spam"]);
    tunebench_ok(
        &db,
        &["split", "spam", "--test-fraction", "0.34", "--seed", "7"],
    );
    let first = dir.path().join("prompting.toml");
    std::fs::write(&first, experiment(&model, None)).unwrap();
    let run = tunebench_ok(
        &db,
        &["run", first.to_str().unwrap(), "--yes", "--no-cache"],
    );
    assert_eq!(
        run["arms"][0]["errors"], 0,
        "the served base model answers: {run}"
    );

    // A trainer that dies: the job fails at `train` with its last lines; no arm is made.
    let fake = dir.path().join("bin");
    std::fs::create_dir_all(&fake).unwrap();
    let tools = model.parent().unwrap().parent().unwrap().join("bin");
    for t in ["llama-server", "llama-quantize"] {
        std::os::unix::fs::symlink(tools.join(t), fake.join(t)).unwrap();
    }
    let dies = fake.join("llama-finetune");
    std::fs::write(
        &dies,
        "#!/bin/sh\necho 'train: [        ] data=0000001/0000009 loss=2.50000±0.10000 acc=40.00±1.00% t=00:00:01 ETA=00:00:08' >&2\necho 'ggml: failed to allocate 99 GB' >&2\nexit 3\n",
    )
    .unwrap();
    let mut perms = std::fs::metadata(&dies).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&dies, perms).unwrap();
    let arms_before: i64 = raw(&db)
        .query_row("SELECT COUNT(*) FROM arm", [], |r| r.get(0))
        .unwrap();
    let failed = support::tunebench_at(&db)
        .env("TUNEBENCH_LLAMA_BIN_DIR", &fake)
        .args(["finetune", "local", "--model", model.to_str().unwrap()])
        .args([
            "--dataset",
            "spam",
            "--arm",
            "prompting",
            "--max-examples",
            "8",
        ])
        .args(["--context", "256"])
        .output()
        .unwrap();
    assert_eq!(
        failed.status.code(),
        Some(1),
        "a trainer failure is not bad input"
    );
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("step `train`") && stderr.contains("failed to allocate 99 GB"),
        "{stderr}"
    );
    let (status, tail, step): (String, String, String) = raw(&db)
        .query_row(
            "SELECT status, log_tail, provider_status FROM fine_tune_job ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((status.as_str(), step.as_str()), ("failed", "train"));
    assert!(tail.contains("failed to allocate 99 GB"), "{tail}");
    let arms_after: i64 = raw(&db)
        .query_row("SELECT COUNT(*) FROM arm", [], |r| r.get(0))
        .unwrap();
    assert_eq!(arms_after, arms_before, "no half-registered arm");

    // The real thing, deliberately tiny: 8 short examples, 256-token windows, two epochs.
    let started = std::time::Instant::now();
    let ft = tunebench_ok(
        &db,
        &[
            "finetune",
            "local",
            "--model",
            model.to_str().unwrap(),
            "--dataset",
            "spam",
            "--arm",
            "prompting",
            "--max-examples",
            "8",
            "--context",
            "256",
            "--epochs",
            "2",
            "--learning-rate",
            "1e-4",
            "--machine-cost-per-hour",
            "0.5",
        ],
    );
    eprintln!(
        "tiny local fine-tune: {:.1} s ({ft})",
        started.elapsed().as_secs_f64()
    );
    let losses: Vec<f64> = ft["epoch_losses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(losses.len(), 2, "{ft}");
    assert!(losses[1] < losses[0], "the loss decreases: {losses:?}");
    let windows = ft["windows"].as_u64().unwrap();
    assert!(
        (1..=60).contains(&windows),
        "a few dozen windows at most: {windows}"
    );
    assert!(
        !ft["check_answer"].as_str().unwrap().trim().is_empty(),
        "the produced GGUF loads and answers: {ft}"
    );
    let wall = ft["wall_seconds"].as_f64().unwrap();
    let cost = ft["training_cost_usd"].as_f64().unwrap();
    assert!((cost - wall / 3600.0 * 0.5).abs() < 1e-9, "{ft}");
    let result_model = ft["model"].as_str().unwrap().to_string();
    assert!(
        result_model.ends_with("fine-tuned-q8_0.gguf"),
        "{result_model}"
    );
    let (status, source, arm): (String, String, i64) = raw(&db)
        .query_row(
            "SELECT status, training_cost_source, result_arm_id FROM fine_tune_job
              ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), source.as_str()),
        ("succeeded", "compute_time")
    );
    assert_eq!(arm, ft["arm_id"].as_i64().unwrap());

    // Both arms over the same held-out cases, then the report.
    let second = dir.path().join("both.toml");
    std::fs::write(&second, experiment(&model, Some(&result_model))).unwrap();
    let run = tunebench_ok(
        &db,
        &["run", second.to_str().unwrap(), "--yes", "--no-cache"],
    );
    let arms = run["arms"].as_array().unwrap();
    assert_eq!(arms.len(), 2);
    for a in arms {
        assert_eq!(a["errors"], 0, "{a}");
        assert!(a["n"].as_i64().unwrap() > 0, "{a}");
    }
    let run_id = run["run_id"].as_i64().unwrap().to_string();
    let report = tunebench_ok(&db, &["report", &run_id]);
    let note = report["local_training"][0].as_str().unwrap_or_default();
    assert!(
        note.contains("fine-tuned on this machine") && note.contains("$0.5 per hour"),
        "the report states the training time and cost: {report}"
    );
    // Each local arm is priced by its share of this machine's serving time at that rate.
    for a in report["arms"].as_array().unwrap() {
        let note = a["cost_note"].as_str().unwrap_or_default();
        assert!(
            note.contains("at $0.5 per hour of this machine"),
            "{report}"
        );
        assert!(
            a["cost_per_query"].as_f64().is_some_and(|c| c > 0.0),
            "{report}"
        );
    }
}

#[test]
#[ignore = "needs llama.cpp's tools and SmolLM2: scripts/test.sh builds them and sets TUNEBENCH_LOCAL_MODEL"]
fn a_second_run_of_the_same_local_arm_is_served_from_the_cache() {
    let model = std::path::PathBuf::from(
        std::env::var("TUNEBENCH_LOCAL_MODEL").expect("TUNEBENCH_LOCAL_MODEL names the GGUF"),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite3");
    let data = dir.path().join("messages.csv");
    std::fs::write(&data, MESSAGES).unwrap();
    tunebench_ok(&db, &["import", data.to_str().unwrap(), "--name", "spam"]);
    tunebench_ok(
        &db,
        &["split", "spam", "--test-fraction", "0.34", "--seed", "7"],
    );
    let file = dir.path().join("prompting.toml");
    std::fs::write(&file, experiment(&model, None)).unwrap();
    let first = tunebench_ok(&db, &["run", file.to_str().unwrap(), "--yes"]);
    let arm = &first["arms"][0];
    assert_eq!(
        (arm["errors"].as_i64(), arm["from_cache"].as_i64()),
        (Some(0), Some(0)),
        "{first}"
    );
    // A new run starts a new llama-server, on another free port.
    let second = tunebench_ok(&db, &["run", file.to_str().unwrap(), "--yes"]);
    let arm = &second["arms"][0];
    let n = arm["n"].as_i64().unwrap();
    assert!(n > 0, "{second}");
    assert_eq!(
        arm["from_cache"].as_i64(),
        Some(n),
        "every answer from the cache: {second}"
    );
    // Priced by this machine's time at the default $0 an hour (a one-arm run has no
    // report; the two-arm test reads the report's note at a rate that is set).
    assert_eq!(arm["cost_per_query"].as_f64(), Some(0.0), "{second}");
}
