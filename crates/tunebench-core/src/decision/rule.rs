//! The rule table of the module docs, applied in order to the findings: the first rule
//! that matches picks the choice, names the findings that decided it, and the conflicts
//! follow from what it overrode.

use super::finding::{Effect, Finding};
use super::recommendation::{Choice, Reason, ReasonKind, Recommendation, Supports};

/// What the rules need besides the findings themselves.
pub struct Facts {
    /// Prompting meets every stated need: the verdict is settled against fine-tuning,
    /// and prompting meets the latency budget and the format need where measured.
    pub prompting_suffices: bool,
    pub domain_language: bool,
    /// A retiring base model voids the cost advantage (it comes before payback).
    pub retirement_voids_cost: bool,
    pub examples: u32,
    /// The team accepts a fine-tuned arm that only matches prompting's quality.
    pub quality_parity_enough: bool,
    /// What the run measured of a hybrid arm.
    pub hybrid: HybridArm,
    /// The arm weighed against prompting is that hybrid arm: its wins are fine-tuning's
    /// only when it wins as a hybrid.
    pub weighed_is_hybrid: bool,
}

/// Whether the run measured a hybrid arm, and whether it won.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HybridArm {
    NotMeasured,
    /// It clears the margin against prompting, and against its fine-tuned arm where one
    /// was measured.
    Wins,
    DoesNotWin,
}

/// Which rule of the table matched (numbered as in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    NeitherDoesTheTask,
    Portability,
    TooFewExamples,
    FewExamplesButPromptingSuffices,
    Regression,
    NothingEarned,
    QualityNotShown,
    HybridForFormatLatencyCost,
    HybridForDomainLanguage,
    RetrievalOverQuality,
    FineTune,
    /// Rules 6-9 with a measured hybrid arm that wins.
    MeasuredHybrid,
    /// Rules 6-7 without a measured hybrid arm: retrieval need not measured.
    RetrievalNotMeasured,
    /// Rules 6-7 with a measured hybrid arm that does not win.
    HybridDoesNotWin,
}

fn has(findings: &[Finding], effect: Effect) -> bool {
    findings.iter().any(|f| f.effect == effect)
}

fn of(findings: &[Finding], effect: Effect) -> Vec<&Finding> {
    findings.iter().filter(|f| f.effect == effect).collect()
}

/// The wins that count: a cost win is void when the base model retires before payback.
fn counted_wins<'a>(findings: &'a [Finding], facts: &Facts) -> Vec<&'a Finding> {
    of(findings, Effect::Win)
        .into_iter()
        .filter(|f| !(f.kind == ReasonKind::Cost && facts.retirement_voids_cost))
        .collect()
}

/// The quality finding when it is not a gain: no gain, inconclusive, or no comparison.
fn quality_short(findings: &[Finding]) -> Option<&Finding> {
    findings
        .iter()
        .find(|f| f.kind == ReasonKind::Quality && f.effect != Effect::NoTask)
        .filter(|f| f.effect != Effect::Win)
}

fn pick(findings: &[Finding], facts: &Facts) -> Rule {
    let wins = counted_wins(findings, facts);
    let retrieval = has(findings, Effect::RetrievalNeed);
    let few = has(findings, Effect::FewExamples);
    let beyond_quality = wins.iter().any(|w| w.kind != ReasonKind::Quality);
    if has(findings, Effect::NoTask) {
        Rule::NeitherDoesTheTask
    } else if has(findings, Effect::Portability) {
        Rule::Portability
    } else if few && !facts.prompting_suffices {
        Rule::TooFewExamples
    } else if few {
        Rule::FewExamplesButPromptingSuffices
    } else if has(findings, Effect::Regression) {
        Rule::Regression
    } else if wins.is_empty() {
        Rule::NothingEarned
    } else if !facts.quality_parity_enough && quality_short(findings).is_some() {
        Rule::QualityNotShown
    } else if retrieval && (beyond_quality || facts.domain_language) {
        match facts.hybrid {
            HybridArm::Wins if beyond_quality => Rule::HybridForFormatLatencyCost,
            HybridArm::Wins => Rule::HybridForDomainLanguage,
            HybridArm::NotMeasured => Rule::RetrievalNotMeasured,
            HybridArm::DoesNotWin => Rule::HybridDoesNotWin,
        }
    } else if facts.hybrid == HybridArm::Wins {
        Rule::MeasuredHybrid
    } else if retrieval {
        Rule::RetrievalOverQuality
    } else if facts.weighed_is_hybrid {
        Rule::HybridDoesNotWin
    } else {
        Rule::FineTune
    }
}

fn choice(rule: Rule) -> Choice {
    match rule {
        Rule::TooFewExamples | Rule::NeitherDoesTheTask | Rule::RetrievalNotMeasured => {
            Choice::NotYet
        }
        Rule::HybridForFormatLatencyCost | Rule::HybridForDomainLanguage | Rule::MeasuredHybrid => {
            Choice::Hybrid
        }
        Rule::FineTune => Choice::FineTune,
        Rule::Portability
        | Rule::FewExamplesButPromptingSuffices
        | Rule::Regression
        | Rule::NothingEarned
        | Rule::QualityNotShown
        | Rule::RetrievalOverQuality
        | Rule::HybridDoesNotWin => Choice::KeepPrompting,
    }
}

fn supports(effect: Effect, choice: Choice) -> Supports {
    match effect {
        Effect::Win | Effect::Backing | Effect::RetrievalNeed if choice == Choice::Hybrid => {
            Supports::Hybrid
        }
        Effect::Win | Effect::Backing => Supports::FineTune,
        Effect::RetrievalNeed | Effect::Regression | Effect::NoGain | Effect::Portability => {
            Supports::KeepPrompting
        }
        Effect::FewExamples | Effect::NoTask => Supports::NotYet,
        Effect::Against => Supports::Against,
        Effect::Caveat | Effect::Info => Supports::Neutral,
    }
}

/// "a, b and c".
fn listing(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn but(a: &Finding, b: &[&Finding]) -> String {
    let against: Vec<String> = b.iter().map(|f| lower_first(&f.text)).collect();
    format!("{}, but {}", a.text, against.join("; "))
}

fn kinds(findings: &[&Finding]) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = findings.iter().map(|f| f.kind.word()).collect();
    words.dedup();
    words
}

fn headline(rule: Rule, findings: &[Finding], facts: &Facts) -> String {
    let wins = counted_wins(findings, facts);
    let body = match rule {
        Rule::NeitherDoesTheTask => "neither arm does the task".to_string(),
        Rule::QualityNotShown => format!(
            "fine-tuning wins on {} but does not beat prompting by the margin on quality",
            listing(&kinds(&wins))
        ),
        Rule::Portability => {
            "model portability is needed, and a fine-tune ties you to one base model".to_string()
        }
        Rule::TooFewExamples => format!(
            "collect high-quality examples first ({} of the ~500 a fine-tune needs)",
            facts.examples
        ),
        Rule::FewExamplesButPromptingSuffices => format!(
            "it already meets your needs, and {} examples are too few to fine-tune",
            facts.examples
        ),
        Rule::Regression => format!(
            "the fine-tuned arm is worse on {}",
            listing(&kinds(&of(findings, Effect::Regression)))
        ),
        Rule::NothingEarned if facts.retirement_voids_cost && has(findings, Effect::Win) => {
            "fine-tuning's cost advantage would not pay back before the base model retires"
                .to_string()
        }
        Rule::NothingEarned => {
            "fine-tuning has not earned its keep on quality, format, latency or cost".to_string()
        }
        Rule::HybridForFormatLatencyCost | Rule::HybridForDomainLanguage => {
            let needs: Vec<&str> = of(findings, Effect::RetrievalNeed)
                .iter()
                .map(|f| match f.kind {
                    ReasonKind::NewInformation => "new information",
                    _ => "changing knowledge",
                })
                .collect();
            let mut fine_tuned_for = kinds(&wins);
            if rule == Rule::HybridForDomainLanguage {
                fine_tuned_for.push("domain language");
            }
            format!(
                "retrieval for {}, a fine-tuned model for {}",
                listing(&needs),
                listing(&fine_tuned_for)
            )
        }
        Rule::RetrievalOverQuality => {
            "fine-tuning wins only on quality, and knowledge that changes belongs in retrieval"
                .to_string()
        }
        Rule::FineTune => format!("it earns its keep on {}", listing(&kinds(&wins))),
        Rule::MeasuredHybrid => {
            let hybrid = findings.iter().find(|f| f.kind == ReasonKind::Hybrid);
            format!(
                "the measured hybrid arm wins ({}), and fine-tuning earns its keep on {}",
                hybrid.map_or(String::new(), |f| lower_first(&f.text)),
                listing(&kinds(&wins))
            )
        }
        Rule::RetrievalNotMeasured | Rule::HybridDoesNotWin => {
            let needs = listing(
                &of(findings, Effect::RetrievalNeed)
                    .iter()
                    .map(|f| match f.kind {
                        ReasonKind::NewInformation => "new information",
                        _ => "changing knowledge",
                    })
                    .collect::<Vec<_>>(),
            );
            if rule == Rule::RetrievalNotMeasured {
                format!(
                    "fine-tuning wins on {}, but retrieval is called for by {needs}, and no \
                     hybrid arm was measured (retrieval need not measured): add a hybrid arm (the \
                     fine-tuned model with retrieved context) and run again",
                    listing(&kinds(&wins))
                )
            } else {
                let why = "the measured hybrid arm does not win (it must clear the margin \
                           against prompting and against its fine-tuned arm)";
                if needs.is_empty() {
                    why.to_owned()
                } else {
                    format!("retrieval is called for by {needs}, and {why}")
                }
            }
        }
    };
    format!("{}: {body}", choice(rule).title())
}

/// "A, but B" for every pair the choice had to weigh: what fine-tuning earned against
/// the finding that overrode it, or, when fine-tuning is chosen, its main win against
/// every finding that still weighs on the other side.
fn conflicts(rule: Rule, findings: &[Finding], facts: &Facts) -> Vec<String> {
    let wins = counted_wins(findings, facts);
    let all_wins = of(findings, Effect::Win);
    let deciding: Vec<&Finding> = match rule {
        Rule::NeitherDoesTheTask => of(findings, Effect::NoTask),
        Rule::QualityNotShown => quality_short(findings).into_iter().collect(),
        Rule::Portability => of(findings, Effect::Portability),
        Rule::TooFewExamples | Rule::FewExamplesButPromptingSuffices => {
            of(findings, Effect::FewExamples)
        }
        Rule::Regression => of(findings, Effect::Regression),
        Rule::RetrievalOverQuality => of(findings, Effect::RetrievalNeed),
        Rule::NothingEarned => findings
            .iter()
            .filter(|f| f.kind == ReasonKind::Retirement && f.effect == Effect::Against)
            .collect(),
        Rule::HybridForFormatLatencyCost
        | Rule::HybridForDomainLanguage
        | Rule::RetrievalNotMeasured => of(findings, Effect::RetrievalNeed),
        Rule::HybridDoesNotWin => findings
            .iter()
            .filter(|f| f.effect == Effect::RetrievalNeed || f.kind == ReasonKind::Hybrid)
            .collect(),
        Rule::FineTune | Rule::MeasuredHybrid => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    if !deciding.is_empty() {
        // Under rule 5 the only win left is the cost win the retirement voided.
        for w in &all_wins {
            out.push(but(w, &deciding));
        }
    }
    if matches!(choice(rule), Choice::FineTune | Choice::Hybrid) {
        // A quality result that is not a gain weighs against a choice made on parity.
        let against_quality =
            |f: &Finding| f.kind == ReasonKind::Quality && f.effect == Effect::NoGain;
        for against in findings
            .iter()
            .filter(|f| matches!(f.effect, Effect::Against | Effect::Caveat) || against_quality(f))
        {
            let cost_win = all_wins.iter().find(|w| w.kind == ReasonKind::Cost);
            let main = match cost_win {
                Some(cost)
                    if against.kind == ReasonKind::Retirement && facts.retirement_voids_cost =>
                {
                    Some(*cost)
                }
                _ => wins.first().copied(),
            };
            if let Some(main) = main {
                out.push(but(main, &[against]));
            }
        }
    }
    out
}

/// Applies the rule table to the findings (in the order they are to be shown).
pub fn decide(findings: Vec<Finding>, facts: &Facts) -> Recommendation {
    let rule = pick(&findings, facts);
    let choice = choice(rule);
    Recommendation {
        choice,
        headline: headline(rule, &findings, facts),
        conflicts: conflicts(rule, &findings, facts),
        reasons: findings
            .into_iter()
            .map(|f| Reason {
                supports: supports(f.effect, choice),
                kind: f.kind,
                text: f.text,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_joins_with_commas_and_a_final_and() {
        assert_eq!(listing(&[]), "");
        assert_eq!(listing(&["cost"]), "cost");
        assert_eq!(listing(&["format", "cost"]), "format and cost");
        assert_eq!(
            listing(&["quality", "format", "cost"]),
            "quality, format and cost"
        );
    }

    #[test]
    fn lower_first_lowers_only_the_first_letter() {
        assert_eq!(
            lower_first("Knowledge changes weekly"),
            "knowledge changes weekly"
        );
        assert_eq!(lower_first("p95 latency"), "p95 latency");
        assert_eq!(lower_first(""), "");
    }
}
