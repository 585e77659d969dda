//! LLM-as-judge, the pure half: the rubric configuration, the judge prompt rendered from
//! it (stored with the result), the parsing of the judge's answer into a score, and the
//! [`JudgeClient`] trait through which the run engine sends the prompt to a provider.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::score::format::extract_json;

/// How the judge grades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum JudgeScale {
    /// Pass (1) or fail (0).
    PassFail,
    /// 1 to 5, reported as a value in [0, 1]: (grade − 1) / 4.
    OneToFive,
}

/// The rubric the judge applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JudgeRubric {
    /// What a good answer is, in the user's words.
    pub rubric: String,
    pub scale: JudgeScale,
}

/// The prompt sent to the judge model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JudgePrompt {
    pub system: String,
    pub user: String,
}

/// The judge's decision on one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JudgeVerdict {
    /// The grade as given: 0/1 for pass/fail, 1–5 otherwise.
    pub grade: i32,
    /// The grade in [0, 1], comparable across scales.
    pub value: f64,
    /// The judge's stated reason, when it gave one.
    pub reason: Option<String>,
    /// The prompt that produced this verdict, kept with the result.
    pub prompt: JudgePrompt,
}

/// Sends a judge prompt to a model and returns its text. The run engine implements it
/// over a provider; tests implement it over an in-process server.
pub trait JudgeClient {
    type Error: std::fmt::Display;
    fn complete(
        &self,
        prompt: &JudgePrompt,
    ) -> impl std::future::Future<Output = std::result::Result<String, Self::Error>> + Send;
}

/// The judge prompt for one case.
pub fn render_prompt(
    rubric: &JudgeRubric,
    input: &str,
    expected: &str,
    output: &str,
) -> JudgePrompt {
    let (scale_text, format) = match rubric.scale {
        JudgeScale::PassFail => (
            "Decide whether the answer passes the rubric.",
            r#"{"grade": "pass" or "fail", "reason": "<one sentence>"}"#,
        ),
        JudgeScale::OneToFive => (
            "Grade the answer from 1 (fails the rubric) to 5 (fully meets it).",
            r#"{"grade": <1-5>, "reason": "<one sentence>"}"#,
        ),
    };
    JudgePrompt {
        system: format!(
            "You are a strict, impartial evaluator. {scale_text} Reply with only a JSON object: {format}"
        ),
        user: format!(
            "Rubric:\n{}\n\nInput:\n{input}\n\nReference answer:\n{expected}\n\nAnswer to grade:\n{output}",
            rubric.rubric
        ),
    }
}

/// Reads the judge's reply: a JSON object with `grade` (raw or fenced), or failing that a
/// bare `pass`/`fail` word or a single digit 1–5.
pub fn parse_reply(reply: &str, scale: JudgeScale, prompt: JudgePrompt) -> Result<JudgeVerdict> {
    // A bare `4` or `4.0` is valid JSON too, but not an object: it is read as a bare grade.
    let (grade_text, reason) = match extract_json(reply).filter(|v| v.is_object()) {
        Some(v) => {
            let grade = match v.get("grade") {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                Some(serde_json::Value::Bool(b)) => if *b { "pass" } else { "fail" }.to_owned(),
                _ => String::new(),
            };
            let reason = v.get("reason").and_then(|r| r.as_str()).map(str::to_owned);
            (grade, reason)
        }
        None => (reply.trim().to_owned(), None),
    };
    let word = grade_text
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let grade = match scale {
        JudgeScale::PassFail => match word.as_str() {
            "pass" | "yes" | "true" | "1" | "1.0" => Some(1),
            "fail" | "no" | "false" | "0" | "0.0" => Some(0),
            _ => None,
        },
        // A whole grade may be written as a decimal ("4.0", as JSON numbers often are);
        // a fractional one ("3.5") is not on the scale.
        JudgeScale::OneToFive => word
            .parse::<f64>()
            .ok()
            .filter(|g| g.fract() == 0.0 && (1.0..=5.0).contains(g))
            .map(|g| g as i32),
    };
    let grade = grade.ok_or_else(|| {
        let shown: String = reply.chars().take(200).collect();
        Error::Invalid(format!(
            "the judge's reply has no grade on the {scale:?} scale: {shown:?}"
        ))
    })?;
    let value = match scale {
        JudgeScale::PassFail => grade as f64,
        JudgeScale::OneToFive => (grade - 1) as f64 / 4.0,
    };
    Ok(JudgeVerdict {
        grade,
        value,
        reason,
        prompt,
    })
}

/// Renders the prompt, asks the judge through `client`, and parses its reply.
pub async fn judge_case<C: JudgeClient>(
    client: &C,
    rubric: &JudgeRubric,
    input: &str,
    expected: &str,
    output: &str,
) -> Result<JudgeVerdict> {
    let prompt = render_prompt(rubric, input, expected, output);
    let reply = client.complete(&prompt).await.map_err(|e| Error::Scorer {
        scorer: "judge",
        message: format!("the judge model did not answer: {e}"),
    })?;
    parse_reply(&reply, rubric.scale, prompt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt() -> JudgePrompt {
        render_prompt(
            &JudgeRubric {
                rubric: "Mentions the refund window.".into(),
                scale: JudgeScale::OneToFive,
            },
            "Can I return it?",
            "Yes, within 30 days.",
            "Sure, 30 days.",
        )
    }

    #[test]
    fn the_prompt_carries_rubric_input_reference_and_answer() {
        let p = prompt();
        for part in [
            "Mentions the refund window.",
            "Can I return it?",
            "within 30 days",
            "Sure, 30 days.",
        ] {
            assert!(p.user.contains(part), "{part}");
        }
        assert!(p.system.contains("from 1"));
    }

    /// A judge that answers from a fixed list, recording the prompts it was sent.
    struct Scripted {
        reply: std::result::Result<&'static str, &'static str>,
        seen: std::sync::Mutex<Vec<JudgePrompt>>,
    }

    impl JudgeClient for Scripted {
        type Error = String;
        fn complete(
            &self,
            prompt: &JudgePrompt,
        ) -> impl std::future::Future<Output = std::result::Result<String, String>> + Send {
            self.seen.lock().unwrap().push(prompt.clone());
            let reply = self.reply.map(str::to_owned).map_err(str::to_owned);
            async move { reply }
        }
    }

    fn run<F: std::future::Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the scripted judge answers at once"),
        }
    }

    #[test]
    fn judge_case_sends_the_rendered_prompt_and_keeps_it_with_the_verdict() {
        let rubric = JudgeRubric {
            rubric: "Correct city.".into(),
            scale: JudgeScale::PassFail,
        };
        let judge = Scripted {
            reply: Ok(r#"{"grade": "fail", "reason": "wrong city"}"#),
            seen: Default::default(),
        };
        let v = run(judge_case(
            &judge,
            &rubric,
            "Capital of France?",
            "Paris",
            "Lyon",
        ))
        .unwrap();
        assert_eq!((v.grade, v.value), (0, 0.0));
        assert_eq!(judge.seen.lock().unwrap()[0], v.prompt);
        assert!(v.prompt.user.contains("Lyon"));

        let down = Scripted {
            reply: Err("HTTP 503"),
            seen: Default::default(),
        };
        let e = run(judge_case(&down, &rubric, "q", "a", "b"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("HTTP 503"), "{e}");
    }

    #[test]
    fn replies_are_read_from_json_or_bare_words() {
        let v = parse_reply(
            "```json\n{\"grade\": 4, \"reason\": \"close\"}\n```",
            JudgeScale::OneToFive,
            prompt(),
        )
        .unwrap();
        assert_eq!(
            (v.grade, v.value, v.reason.as_deref()),
            (4, 0.75, Some("close"))
        );
        let v = parse_reply("PASS", JudgeScale::PassFail, prompt()).unwrap();
        assert_eq!(v.value, 1.0);
        assert!(parse_reply("{\"grade\": 7}", JudgeScale::OneToFive, prompt()).is_err());
        assert!(parse_reply("{\"grade\": 3.5}", JudgeScale::OneToFive, prompt()).is_err());
        assert!(parse_reply("maybe", JudgeScale::PassFail, prompt()).is_err());
    }

    #[test]
    fn a_whole_grade_written_as_a_decimal_is_read() {
        for (reply, scale, grade) in [
            (
                "{\"grade\": 4.0, \"reason\": \"ok\"}",
                JudgeScale::OneToFive,
                4,
            ),
            ("{\"grade\": \"5.0\"}", JudgeScale::OneToFive, 5),
            ("4.0", JudgeScale::OneToFive, 4),
            ("3", JudgeScale::OneToFive, 3),
            ("{\"grade\": 1.0}", JudgeScale::PassFail, 1),
        ] {
            let v = parse_reply(reply, scale, prompt()).unwrap();
            assert_eq!(v.grade, grade, "{reply}");
        }
    }
}
