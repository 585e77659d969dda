//! The training text of a local fine-tune: each example rendered by the model's own chat
//! template (through `llama-server`), joined, tokenised and cut into windows.

use tokio_util::sync::CancellationToken;

use super::{fail, Example, LocalFailure, Step};
use crate::provider::local::LocalServer;
use crate::provider::{Message, Role};

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

/// Renders `examples` through the chat template of the model `server` serves.
pub(super) async fn render(
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
}
