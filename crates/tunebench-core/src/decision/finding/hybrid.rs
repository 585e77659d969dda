//! The measured hybrid arm (retrieval feeding a fine-tuned model): against prompting, and
//! against its fine-tuned arm where the run has one, each comparison with its numbers.

use super::measured::signed_amount;
use super::{finding, Effect, Finding};
use crate::decision::evidence::{Evidence, QualityEvidence};
use crate::decision::recommendation::ReasonKind;
use crate::score::MetricScale;

/// "95 % CI 3.1 to 11.0; p 0.006".
fn figures(q: &QualityEvidence, low: f64, high: f64, p: Option<f64>) -> String {
    let scale = MetricScale::of(&q.metric);
    let p = p.map_or(String::new(), |p| {
        if p < 0.001 {
            "; p < 0.001".to_owned()
        } else {
            format!("; p {p:.3}")
        }
    });
    format!("95 % CI {} to {}{p}", scale.figure(low), scale.figure(high))
}

/// What the measured hybrid arm showed, when the run has one: a backing for hybrid when it
/// wins (clears the margin against prompting, and against its fine-tuned arm where one was
/// measured), else information.
pub fn hybrid(e: &Evidence) -> Option<Finding> {
    let (h, q) = (e.hybrid.as_ref()?, e.quality.as_ref()?);
    let clears = |yes: bool| {
        if yes {
            "clears the margin"
        } else {
            "does not clear the margin"
        }
    };
    let mut text = format!(
        "Measured hybrid arm {} against prompting: {} ({}), {}",
        h.arm,
        signed_amount(q, h.difference),
        figures(q, h.ci_low, h.ci_high, h.p_value),
        clears(h.clears)
    );
    match &h.against_fine_tuned {
        Some(f) => text.push_str(&format!(
            "; against its fine-tuned arm {}: {} ({}), {}",
            f.arm,
            signed_amount(q, f.difference),
            figures(q, f.ci_low, f.ci_high, f.p_value),
            clears(f.clears)
        )),
        None => text.push_str("; no fine-tuned arm on its model was measured beside it"),
    }
    let effect = if h.wins() {
        Effect::Backing
    } else {
        Effect::Info
    };
    Some(finding(ReasonKind::Hybrid, effect, text))
}
