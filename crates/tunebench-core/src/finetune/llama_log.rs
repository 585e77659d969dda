//! Reading `llama-finetune`'s progress bar: one line per batch (ended by `\r`, the last of
//! an epoch by `\n`) such as
//! `train: [████▌   ] data=0000012/0000034 loss=2.12345±0.01234 acc=55.12±1.23% t=00:01:23 ETA=00:02:00`
//! where `loss` is the mean over the epoch so far.

use serde::Serialize;

/// One progress line of `llama-finetune`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TrainProgress {
    /// `false` for the validation pass.
    pub train: bool,
    /// Windows done and in this pass.
    pub done: u32,
    pub total: u32,
    /// Mean loss over the pass so far, and its uncertainty.
    pub loss: f64,
    pub loss_unc: f64,
    /// Next-token accuracy over the pass so far, percent.
    pub accuracy_pct: f64,
    pub elapsed_s: f64,
    pub eta_s: f64,
}

fn hms(s: &str) -> Option<f64> {
    let mut parts = s.split(':');
    let h: f64 = parts.next()?.parse().ok()?;
    let m: f64 = parts.next()?.parse().ok()?;
    let sec: f64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Some(h * 3600.0 + m * 60.0 + sec)
}

/// `a±b` (the sign may also come as `+-`), with an optional `%`.
fn with_unc(s: &str) -> Option<(f64, f64)> {
    let s = s.trim_end_matches('%');
    let (a, b) = s.split_once('±').or_else(|| s.split_once("+-"))?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Parses one progress line; `None` for any other line of its output.
pub fn parse_progress(line: &str) -> Option<TrainProgress> {
    let line = line.trim();
    let train = if line.starts_with("train:") {
        true
    } else if line.starts_with("val:") {
        false
    } else {
        return None;
    };
    let after_bar = &line[line.find(']')? + 1..];
    let mut p = TrainProgress {
        train,
        done: 0,
        total: 0,
        loss: f64::NAN,
        loss_unc: f64::NAN,
        accuracy_pct: f64::NAN,
        elapsed_s: f64::NAN,
        eta_s: f64::NAN,
    };
    let mut seen = 0;
    for field in after_bar.split_whitespace() {
        let Some((key, value)) = field.split_once('=') else {
            continue;
        };
        match key {
            "data" => {
                let (d, t) = value.split_once('/')?;
                p.done = d.parse().ok()?;
                p.total = t.parse().ok()?;
                seen += 1;
            }
            "loss" => {
                (p.loss, p.loss_unc) = with_unc(value)?;
                seen += 1;
            }
            "acc" => (p.accuracy_pct, _) = with_unc(value)?,
            "t" => p.elapsed_s = hms(value)?,
            "ETA" => p.eta_s = hms(value)?,
            _ => {}
        }
    }
    (seen == 2).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_training_line_gives_windows_loss_accuracy_and_eta() {
        let p = parse_progress(
            "train: [████▌   ] data=0000012/0000034 loss=2.12345±0.01234 acc=55.12±1.23% \
             t=00:01:23 ETA=01:02:03 ",
        )
        .unwrap();
        assert!(p.train);
        assert_eq!((p.done, p.total), (12, 34));
        assert!((p.loss - 2.12345).abs() < 1e-12);
        assert!((p.loss_unc - 0.01234).abs() < 1e-12);
        assert!((p.accuracy_pct - 55.12).abs() < 1e-12);
        assert_eq!(p.elapsed_s, 83.0);
        assert_eq!(p.eta_s, 3723.0);
    }

    #[test]
    fn a_validation_line_is_marked_as_such() {
        let p = parse_progress(
            "val:   [████████] data=0000002/0000002 loss=1.90000±0.10000 acc=60.00±2.00% \
             t=00:00:04 ETA=00:00:00",
        )
        .unwrap();
        assert!(!p.train);
        assert_eq!(p.total, 2);
    }

    #[test]
    fn other_lines_and_damaged_progress_lines_are_not_progress() {
        assert_eq!(parse_progress("llama_model_loader: loaded meta data"), None);
        assert_eq!(
            parse_progress("main: -optimizer adamw -lr0 1e-05 -epochs 2"),
            None
        );
        assert_eq!(parse_progress("train: [        ] data=0000001/"), None);
        assert_eq!(
            parse_progress("train: [        ] data=0000001/0000004 loss=nan-ish"),
            None
        );
    }
}
