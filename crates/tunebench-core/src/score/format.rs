//! Format compliance: whether an output is one of the taxonomy's labels, whether it is
//! valid JSON (raw, or inside one Markdown code fence), and whether that JSON satisfies a
//! JSON Schema (draft 2020-12).

use crate::error::{Error, Result};
use crate::score::exact::Normalization;

/// The JSON document an output carries: the whole output when it parses, else the body
/// of its first fenced code block (```json … ``` or ``` … ```) when that parses.
pub fn extract_json(output: &str) -> Option<serde_json::Value> {
    if let Ok(v) = serde_json::from_str(output.trim()) {
        return Some(v);
    }
    let body = fenced_block(output)?;
    serde_json::from_str(body.trim()).ok()
}

/// The body of the first Markdown code fence in `text`, whatever its info string.
fn fenced_block(text: &str) -> Option<&str> {
    let start = text.find("```")?;
    let after = &text[start + 3..];
    // The info string (e.g. `json`) runs to the end of the opening line.
    let body_start = after.find('\n')? + 1;
    let body = &after[body_start..];
    let end = body.find("```")?;
    Some(&body[..end])
}

/// 1.0 when the output is valid JSON (raw or fenced), else 0.0.
pub fn json_valid(output: &str) -> f64 {
    if extract_json(output).is_some() {
        1.0
    } else {
        0.0
    }
}

/// The output's normalised form is one of the taxonomy's labels (normalised the same way).
pub fn label_in_taxonomy(output: &str, taxonomy: &Taxonomy) -> f64 {
    if taxonomy.contains(output) {
        1.0
    } else {
        0.0
    }
}

/// A set of allowed labels, compared under one normalisation.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    normalization: Normalization,
    normalized: std::collections::HashSet<String>,
}

impl Taxonomy {
    pub fn new(labels: &[String], normalization: Normalization) -> Self {
        let normalized = labels.iter().map(|l| normalization.apply(l)).collect();
        Taxonomy {
            normalization,
            normalized,
        }
    }

    pub fn contains(&self, output: &str) -> bool {
        if self.normalization == Normalization::default() {
            // Skip the allocation when the trimmed output is already in normal form.
            let trimmed = output.trim();
            let single_spaced = !trimmed.contains("  ")
                && !trimmed.contains(|c: char| c.is_whitespace() && c != ' ');
            if single_spaced {
                return self.normalized.contains(trimmed);
            }
        }
        self.normalized.contains(&self.normalization.apply(output))
    }
}

/// A compiled JSON Schema, validated under draft 2020-12.
pub struct JsonSchema {
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for JsonSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonSchema")
    }
}

impl JsonSchema {
    /// Compiles `schema` (JSON text). `origin` names where it came from, for the error.
    pub fn compile(schema: &str, origin: &str) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_str(schema)
            .map_err(|e| Error::Invalid(format!("{origin}: the JSON Schema is not JSON: {e}")))?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&value)
            .map_err(|e| Error::Invalid(format!("{origin}: invalid JSON Schema: {e}")))?;
        Ok(JsonSchema { validator })
    }

    /// 1.0 when the output carries JSON (raw or fenced) that the schema accepts.
    pub fn score(&self, output: &str) -> f64 {
        match extract_json(output) {
            Some(v) if self.validator.is_valid(&v) => 1.0,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_found_raw_or_inside_a_fence() {
        assert_eq!(json_valid(" {\"a\": 1} "), 1.0);
        assert_eq!(
            json_valid("Here it is:\n```json\n{\"a\": [1, 2]}\n```\nDone."),
            1.0
        );
        assert_eq!(json_valid("```\n[1,2]\n```"), 1.0);
        assert_eq!(json_valid("{a: 1}"), 0.0);
        assert_eq!(json_valid(""), 0.0);
        assert_eq!(json_valid("```json\n{\"a\": \n```"), 0.0);
    }

    #[test]
    fn schema_rejects_a_document_missing_a_required_field() {
        let s = JsonSchema::compile(
            r#"{"type":"object","required":["label"],"properties":{"label":{"enum":["x","y"]}}}"#,
            "test",
        )
        .unwrap();
        assert_eq!(s.score(r#"{"label":"x"}"#), 1.0);
        assert_eq!(s.score(r#"{"label":"z"}"#), 0.0);
        assert_eq!(s.score(r#"{}"#), 0.0);
        assert_eq!(s.score("not json"), 0.0);
    }

    #[test]
    fn schemas_follow_draft_2020_12_semantics() {
        // `prefixItems` exists only from 2020-12; under older drafts `items: false` would
        // reject every non-empty array.
        let s = JsonSchema::compile(
            r#"{"type":"array","prefixItems":[{"type":"string"}],"items":false}"#,
            "test",
        )
        .unwrap();
        assert_eq!(s.score(r#"["a"]"#), 1.0);
        assert_eq!(s.score(r#"["a", 1]"#), 0.0);
    }

    #[test]
    fn a_schema_that_is_not_json_is_refused_with_its_origin() {
        let err = JsonSchema::compile("{", "experiment.toml, scorer `schema`").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("experiment.toml, scorer `schema`"));
    }

    #[test]
    fn taxonomy_membership_uses_the_normalisation() {
        let labels = vec!["billing".to_string(), "late delivery".to_string()];
        let t = Taxonomy::new(&labels, Normalization::default());
        assert!(t.contains(" billing\n"));
        assert!(t.contains("late   delivery"));
        assert!(!t.contains("Billing"));
        let t = Taxonomy::new(&labels, Normalization::all());
        assert!(t.contains("Billing."));
    }
}
