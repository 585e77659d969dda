//! How results and errors reach the terminal: human text, or one JSON object with `--json`.

use std::process::ExitCode;

use serde::Serialize;

pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    pub fn print_json(&self, value: &impl Serialize) -> anyhow::Result<()> {
        println!("{}", serde_json::to_string_pretty(value)?);
        Ok(())
    }

    /// Reports `err` (stderr, and stdout as `{"error": {code, message}}` with `--json`)
    /// and returns the exit code: 2 for bad input, 1 otherwise.
    pub fn fail(&self, err: &anyhow::Error) -> ExitCode {
        let core = err.downcast_ref::<tunebench_core::Error>();
        let bad_input = core.is_some_and(tunebench_core::Error::is_bad_input);
        let code = core.map_or(
            tunebench_core::ErrorCode::Internal,
            tunebench_core::Error::code,
        );
        let message = format!("{err:#}");
        eprintln!("error: {message}");
        if self.json {
            let body = serde_json::json!({ "error": { "code": code, "message": message } });
            println!("{body}");
        }
        ExitCode::from(if bad_input { 2 } else { 1 })
    }
}
