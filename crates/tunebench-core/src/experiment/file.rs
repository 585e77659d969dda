//! The experiment TOML file (DESIGN.md §8): parsing with `toml`, resolving relative paths
//! against the file's folder, and validation whose messages name the file, the key and
//! the problem.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::validate;
use crate::arm::{FewShot, Price};
use crate::provider::{ProviderSettings, ResponseFormat};
use crate::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExperimentFile {
    pub name: String,
    /// A dataset name, or its numeric id.
    pub dataset: toml::Value,
    #[serde(default = "default_split")]
    pub split: String,
    #[serde(default = "default_metric")]
    pub primary_metric: String,
    #[serde(default)]
    pub margin: Option<MarginSpec>,
    #[serde(default)]
    pub labels: Vec<String>,
    #[serde(default)]
    pub providers: Vec<ProviderSpec>,
    #[serde(default)]
    pub arms: Vec<ArmSpec>,
    /// Cost-at-scale assumptions, kept with each run for the cost model.
    #[serde(default)]
    pub scenario: Option<toml::Table>,
}

fn default_split() -> String {
    "test".into()
}
fn default_metric() -> String {
    "accuracy".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginSpec {
    pub kind: String,
    pub value: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSpec {
    pub name: String,
    pub kind: String,
    /// Not given for `kind = "local"`, whose server Tunebench starts itself.
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub api_key_env: Option<String>,
    #[serde(default)]
    pub max_concurrency: Option<u32>,
    #[serde(default)]
    pub requests_per_minute: Option<u32>,
    #[serde(default)]
    pub tokens_per_minute: Option<u32>,
    #[serde(default)]
    pub timeout_s: Option<f64>,
    #[serde(default)]
    pub max_attempts: Option<u32>,
    #[serde(default)]
    pub backoff_initial_ms: Option<u32>,
    #[serde(default)]
    pub backoff_max_ms: Option<u32>,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub stream: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSpec {
    pub dir: String,
    #[serde(default = "default_top_k")]
    pub top_k: u32,
}

fn default_top_k() -> u32 {
    3
}

/// `response_format = "json_object"`, or a table
/// `{ type = "json_schema", name = "...", schema = {...} }` / `schema_file = "x.json"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ResponseFormatSpec {
    Name(String),
    Schema {
        r#type: String,
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        schema: Option<toml::Table>,
        #[serde(default)]
        schema_file: Option<String>,
        /// OpenAI's `strict` (enforce the schema exactly); off unless set, as in the reference.
        #[serde(default)]
        strict: bool,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmSpec {
    pub name: String,
    #[serde(default = "default_arm_kind")]
    pub kind: String,
    pub provider: String,
    pub model: String,
    #[serde(default)]
    pub system: String,
    #[serde(default = "default_template")]
    pub template: String,
    #[serde(default)]
    pub few_shot: Option<FewShot>,
    #[serde(default)]
    pub context: Option<ContextSpec>,
    #[serde(default)]
    pub max_tokens: Option<u32>,
    #[serde(default)]
    pub temperature: Option<f64>,
    #[serde(default)]
    pub top_p: Option<f64>,
    #[serde(default)]
    pub stop: Vec<String>,
    #[serde(default)]
    pub seed: Option<i32>,
    #[serde(default)]
    pub response_format: Option<ResponseFormatSpec>,
    #[serde(default)]
    pub price: Option<Price>,
}

fn default_arm_kind() -> String {
    "prompt".into()
}
fn default_template() -> String {
    "{{input}}".into()
}

/// A parsed, validated experiment file with its paths resolved.
#[derive(Debug, Clone)]
pub struct LoadedExperiment {
    pub path: PathBuf,
    pub file: ExperimentFile,
    /// Per arm (same order): the retrieval folder, absolute.
    pub context_dirs: Vec<Option<PathBuf>>,
    /// Per arm: the response format, schema files read.
    pub response_formats: Vec<Option<ResponseFormat>>,
    /// SHA-256 of the file's text, which a confirmation of its review names.
    pub fingerprint: String,
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Reads, parses and validates the experiment file at `path`.
pub fn load(path: &Path) -> Result<LoadedExperiment> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

/// Parses and validates `text`, read from `path` (which names it in errors and anchors
/// relative paths).
pub fn parse(text: &str, path: &Path) -> Result<LoadedExperiment> {
    let shown = path.display().to_string();
    let mut file: ExperimentFile = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| format!(", line {}", line_of(text, s.start)))
            .unwrap_or_default();
        Error::Invalid(format!("{shown}{line}: {}", e.message().trim()))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let bad =
        |key: &str, problem: String| Error::Invalid(format!("{shown}, key `{key}`: {problem}"));

    validate::header(&file, &bad)?;
    validate::providers(&mut file.providers, &bad)?;
    validate::arm_count(&file, &bad)?;
    let validate::ArmFiles {
        context_dirs,
        response_formats,
    } = validate::arms(&file, base, &bad)?;
    Ok(LoadedExperiment {
        path: path.to_path_buf(),
        file,
        context_dirs,
        response_formats,
        fingerprint: super::review::fingerprint(text),
    })
}

impl ProviderSpec {
    /// The engine settings, defaults filled in.
    pub fn settings(&self) -> ProviderSettings {
        let d = ProviderSettings::default();
        ProviderSettings {
            max_concurrency: self.max_concurrency.unwrap_or(d.max_concurrency),
            requests_per_minute: self.requests_per_minute.unwrap_or(d.requests_per_minute),
            tokens_per_minute: self.tokens_per_minute.unwrap_or(d.tokens_per_minute),
            timeout_s: self.timeout_s.unwrap_or(d.timeout_s),
            max_attempts: self.max_attempts.unwrap_or(d.max_attempts),
            backoff_initial_ms: self.backoff_initial_ms.unwrap_or(d.backoff_initial_ms),
            backoff_max_ms: self.backoff_max_ms.unwrap_or(d.backoff_max_ms),
            api_version: self.api_version.clone(),
            stream: self.stream.unwrap_or(d.stream),
        }
    }
}
