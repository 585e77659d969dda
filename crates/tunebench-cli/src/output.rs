//! How results and errors reach the terminal: human text, or one JSON object with `--json`.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

/// `println!` for command output: a closed stdout (`tunebench … | head`) ends the command
/// quietly with exit 0 instead of a panic, and any other write failure is an error.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::write_line(format_args!($($arg)*))
    };
}

/// Stdout was closed by its reader; `main` treats it as a normal end.
#[derive(Debug, thiserror::Error)]
#[error("stdout was closed")]
pub struct StdoutClosed;

pub fn write_line(args: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
    let text = printable(&args.to_string());
    let mut out = std::io::stdout().lock();
    match out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(anyhow::anyhow!("could not write to stdout: {e}")),
    }
}

pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn new(json: bool) -> Self {
        Self { json }
    }

    pub fn print_json(&self, value: &impl Serialize) -> anyhow::Result<()> {
        say!("{}", serde_json::to_string_pretty(value)?)
    }

    /// Reports `err` (stderr, and stdout as `{"error": {code, message}}` with `--json`)
    /// and returns the exit code: 2 for bad input, 1 otherwise.
    pub fn fail(&self, err: &anyhow::Error) -> ExitCode {
        if err.is::<StdoutClosed>() {
            return ExitCode::SUCCESS;
        }
        let core = err.downcast_ref::<tunebench_core::Error>();
        let bad_input = core.is_some_and(tunebench_core::Error::is_bad_input);
        let code = core.map_or(
            tunebench_core::ErrorCode::Internal,
            tunebench_core::Error::code,
        );
        let message = chain_text(err);
        eprintln!("error: {}", printable(&message));
        if self.json {
            let body = serde_json::json!({ "error": { "code": code, "message": message } });
            let _ = say!("{body}");
        }
        ExitCode::from(if bad_input { 2 } else { 1 })
    }
}

/// `text` without the control characters a name from a shared file could carry (terminal
/// escape sequences, carriage returns, bidirectional overrides); newlines and tabs stay.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            c == '\n'
                || c == '\t'
                || !(c.is_control()
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c))
        })
        .collect()
}

/// `err` and its causes joined with ": ", skipping a cause whose text the message already
/// carries (an error that prints its source would otherwise say it twice).
fn chain_text(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}
