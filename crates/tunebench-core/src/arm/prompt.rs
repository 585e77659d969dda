//! Turning a case into messages: system prompt, few-shot pairs (user: the template filled
//! with the example, assistant: its expected answer), then the template filled with the
//! case and its retrieved context.

use rusqlite::Connection;
use serde::Serialize;

use super::few_shot::Selector;
use super::{template, tokens, Arm, Case};
use crate::provider::{Message, Role};
use crate::retrieval::{load_chunks, Bm25, Chunk};
use crate::{store, Result};

/// The rendered prompt of an arm for one case, for the arm editor's live preview.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PromptPreview {
    pub messages: Vec<Message>,
    /// Prompt tokens counted with tiktoken (the model's encoding, else cl100k_base), chat
    /// overhead included.
    pub tokens: u32,
}

/// Renders arm `arm` (as edited, not necessarily saved) for case `example_id`, with
/// few-shot examples from that case's train split.
pub fn preview(conn: &Connection, arm: Arm, example_id: i32) -> Result<PromptPreview> {
    let (dataset_id, case) = store::case::get(conn, example_id)?;
    let train = store::case::for_split(conn, dataset_id, "train")?;
    let model = arm.model.clone();
    let messages = PreparedArm::prepare(arm, train)?.render(&case)?;
    let tokens = tokens::count_messages(&model, &messages);
    Ok(PromptPreview { messages, tokens })
}

/// An arm ready to render: its few-shot selector and retrieval index built once.
#[derive(Debug, Clone)]
pub struct PreparedArm {
    pub arm: Arm,
    train: Vec<Case>,
    selector: Option<Selector>,
    chunks: Vec<Chunk>,
    chunk_index: Option<Bm25>,
}

impl PreparedArm {
    /// Builds the arm's indices: `train` are the train-split cases (for few-shot examples);
    /// the retrieval folder, if any, is read and chunked now.
    pub fn prepare(arm: Arm, train: Vec<Case>) -> Result<Self> {
        let selector = match &arm.few_shot {
            Some(spec) if spec.k > 0 || !spec.ids.is_empty() => {
                Some(Selector::new(spec, &train, &arm.name)?)
            }
            _ => None,
        };
        let (chunks, chunk_index) = match &arm.retrieval {
            Some(r) => {
                let chunks = load_chunks(std::path::Path::new(&r.dir))?;
                let index = Bm25::new(chunks.iter().map(|c| c.text.as_str()));
                (chunks, Some(index))
            }
            None => (Vec::new(), None),
        };
        Ok(Self {
            arm,
            train,
            selector,
            chunks,
            chunk_index,
        })
    }

    /// The retrieved context for `input`: the top-k passages, separated by blank lines.
    pub fn context(&self, input: &str) -> String {
        let (Some(index), Some(r)) = (&self.chunk_index, &self.arm.retrieval) else {
            return String::new();
        };
        index
            .top_k(input, r.top_k as usize)
            .into_iter()
            .map(|(i, _)| self.chunks[i].text.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    fn fill(&self, case: &Case, context: &str) -> Result<String> {
        let what = format!("arm `{}`, case {}", self.arm.name, case.ordinal + 1);
        template::render(&self.arm.template, &what, |name| match name {
            "input" => Some(case.input.clone()),
            "context" => Some(context.to_string()),
            "expected" => None,
            other => case.metadata.get(other).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                v => v.to_string(),
            }),
        })
    }

    /// The messages sent to the model for `case`.
    pub fn render(&self, case: &Case) -> Result<Vec<Message>> {
        let mut messages = Vec::new();
        if !self.arm.system_prompt.is_empty() {
            messages.push(Message::new(Role::System, self.arm.system_prompt.clone()));
        }
        if let Some(sel) = &self.selector {
            for i in sel.pick(case, &self.train) {
                let ex = &self.train[i];
                messages.push(Message::new(
                    Role::User,
                    self.fill(ex, "")?.trim().to_string(),
                ));
                messages.push(Message::new(Role::Assistant, ex.expected.clone()));
            }
        }
        let context = self.context(&case.input);
        messages.push(Message::new(
            Role::User,
            self.fill(case, &context)?.trim().to_string(),
        ));
        Ok(messages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::{ArmKind, ArmParams, FewShot, FewShotStrategy, Retrieval};

    fn case(id: i32, input: &str, expected: &str) -> Case {
        let mut metadata = serde_json::Map::new();
        metadata.insert("lang".into(), serde_json::json!("en"));
        Case {
            id,
            ordinal: id,
            external_id: None,
            input: input.into(),
            expected: expected.into(),
            metadata,
        }
    }

    fn arm(template: &str) -> Arm {
        Arm {
            id: 1,
            name: "p".into(),
            kind: ArmKind::Prompt,
            provider_id: 1,
            model: "m".into(),
            system_prompt: "Answer with one label.".into(),
            template: template.into(),
            few_shot: None,
            retrieval: None,
            params: ArmParams::default(),
        }
    }

    #[test]
    fn few_shot_pairs_come_between_the_system_prompt_and_the_case() {
        let mut a = arm("[{{lang}}] Input: {{input}}");
        a.few_shot = Some(FewShot {
            k: 2,
            strategy: FewShotStrategy::Random,
            seed: Some(1),
            ids: vec![],
        });
        let train = vec![case(1, "refund", "billing"), case(2, "parcel", "shipping")];
        let p = PreparedArm::prepare(a, train).unwrap();
        let m = p.render(&case(10, "where is it", "shipping")).unwrap();
        assert_eq!(m.len(), 1 + 4 + 1);
        assert_eq!(m[0].role, Role::System);
        assert_eq!(m[2].role, Role::Assistant);
        assert_eq!(m[5].content, "[en] Input: where is it");
    }

    #[test]
    fn retrieved_passages_fill_the_context_placeholder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.md"),
            "Refunds take five days.\n\nShipping uses DHL.",
        )
        .unwrap();
        std::fs::write(dir.path().join("skip.bin"), "refund refund").unwrap();
        let mut a = arm("{{context}}\n\nInput: {{input}}");
        a.retrieval = Some(Retrieval {
            dir: dir.path().display().to_string(),
            top_k: 1,
        });
        let p = PreparedArm::prepare(a, vec![]).unwrap();
        let m = p
            .render(&case(1, "how long do refunds take", "billing"))
            .unwrap();
        let last = &m.last().unwrap().content;
        assert!(last.starts_with("Refunds take five days."), "{last}");
    }
}
