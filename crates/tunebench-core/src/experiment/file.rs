//! The experiment TOML file (DESIGN.md §8): parsing with `toml`, resolving relative paths
//! against the file's folder, and validation whose messages name the file, the key and
//! the problem.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::arm::{FewShot, FewShotStrategy, Price};
use crate::provider::{ProviderKind, ProviderSettings, ResponseFormat, LOCAL_BASE_URL};
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

    if file.name.trim().is_empty() {
        return Err(bad("name", "must not be empty".into()));
    }
    match &file.dataset {
        toml::Value::String(s) if !s.trim().is_empty() => {}
        toml::Value::Integer(_) => {}
        _ => return Err(bad("dataset", "must be a dataset name or id".into())),
    }
    if !matches!(file.split.as_str(), "test" | "train" | "all") {
        return Err(bad(
            "split",
            format!("{:?} is not one of test, train, all", file.split),
        ));
    }
    if let Some(m) = &file.margin {
        if !matches!(m.kind.as_str(), "relative" | "absolute") {
            return Err(bad(
                "margin.kind",
                format!("{:?} is not relative or absolute", m.kind),
            ));
        }
        if !(m.value.is_finite() && m.value >= 0.0) {
            return Err(bad("margin.value", "must be a number ≥ 0".into()));
        }
    }

    let mut names = HashSet::new();
    for (i, p) in file.providers.iter_mut().enumerate() {
        let key = |k: &str| format!("providers[{i}].{k}");
        if !names.insert(p.name.clone()) {
            return Err(bad(&key("name"), format!("{:?} is defined twice", p.name)));
        }
        if ProviderKind::parse(&p.kind).is_none() {
            return Err(bad(
                &key("kind"),
                format!(
                    "{:?} is not one of openai, azure_openai, anthropic, openai_compatible, local",
                    p.kind
                ),
            ));
        }
        if p.kind == ProviderKind::Local.as_str() {
            if !(p.base_url.is_empty() || p.base_url == LOCAL_BASE_URL) {
                return Err(bad(
                    &key("base_url"),
                    "a local provider has no base_url: Tunebench starts its server".into(),
                ));
            }
            p.base_url = LOCAL_BASE_URL.into();
        } else if !(p.base_url.starts_with("http://") || p.base_url.starts_with("https://")) {
            return Err(bad(
                &key("base_url"),
                format!("{:?} is not an http(s) URL", p.base_url),
            ));
        }
        if p.max_concurrency == Some(0) {
            return Err(bad(&key("max_concurrency"), "must be at least 1".into()));
        }
        if p.max_attempts == Some(0) {
            return Err(bad(&key("max_attempts"), "must be at least 1".into()));
        }
        if p.timeout_s.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
            return Err(bad(
                &key("timeout_s"),
                "must be a positive number of seconds".into(),
            ));
        }
    }
    if file.arms.is_empty() {
        return Err(bad("arms", "the file defines no [[arms]]".into()));
    }

    let mut arm_names = HashSet::new();
    let mut context_dirs = Vec::new();
    let mut response_formats = Vec::new();
    for (i, a) in file.arms.iter().enumerate() {
        let key = |k: &str| format!("arms[{i}].{k}");
        if !arm_names.insert(a.name.as_str()) {
            return Err(bad(&key("name"), format!("{:?} is defined twice", a.name)));
        }
        if crate::arm::ArmKind::parse(&a.kind).is_none() {
            return Err(bad(
                &key("kind"),
                format!("{:?} is not one of prompt, fine_tuned, hybrid", a.kind),
            ));
        }
        let Some(provider) = file.providers.iter().find(|p| p.name == a.provider) else {
            return Err(bad(
                &key("provider"),
                format!("no provider named {:?} in [[providers]]", a.provider),
            ));
        };
        if a.model.trim().is_empty() {
            return Err(bad(&key("model"), "must not be empty".into()));
        }
        if provider.kind == ProviderKind::Local.as_str() && !base.join(&a.model).is_file() {
            return Err(bad(
                &key("model"),
                format!(
                    "{} is not a file: a local arm's model is the path of a GGUF file",
                    base.join(&a.model).display()
                ),
            ));
        }
        if let Some(kind) = ProviderKind::parse(&provider.kind) {
            let sampling = crate::provider::GenParams {
                temperature: a.temperature,
                top_p: a.top_p,
                ..Default::default()
            };
            if let Some((field, why)) = crate::price::capability::refusal(kind, &a.model, &sampling)
            {
                return Err(bad(&key(field), why));
            }
        }
        for name in crate::arm::template::placeholders(&a.template) {
            if name == "expected" {
                return Err(bad(
                    &key("template"),
                    "{{expected}} would show the model the answer".into(),
                ));
            }
        }
        if let Some(fs) = &a.few_shot {
            if fs.strategy == FewShotStrategy::Fixed && fs.ids.is_empty() {
                return Err(bad(
                    &key("few_shot.ids"),
                    "strategy \"fixed\" needs a list of ids".into(),
                ));
            }
        }
        context_dirs.push(match &a.context {
            Some(c) => {
                let dir = base.join(&c.dir);
                if !dir.is_dir() {
                    return Err(bad(
                        &key("context.dir"),
                        format!("{} is not a folder", dir.display()),
                    ));
                }
                Some(dir)
            }
            None => None,
        });
        let format = match &a.response_format {
            None => None,
            Some(ResponseFormatSpec::Name(n)) if n == "json_object" => {
                Some(ResponseFormat::JsonObject)
            }
            Some(ResponseFormatSpec::Name(n)) => {
                return Err(bad(
                    &key("response_format"),
                    format!("{n:?} is not json_object (or a json_schema table)"),
                ))
            }
            Some(ResponseFormatSpec::Schema {
                r#type,
                name,
                schema,
                schema_file,
                strict,
            }) => {
                if r#type == "json_object" {
                    Some(ResponseFormat::JsonObject)
                } else if r#type != "json_schema" {
                    return Err(bad(
                        &key("response_format.type"),
                        format!("{type:?} is not json_object or json_schema", type = r#type),
                    ));
                } else {
                    let schema = match (schema, schema_file) {
                        (Some(t), None) => serde_json::to_string(t)
                            .map_err(|e| bad(&key("response_format.schema"), e.to_string()))?,
                        (None, Some(f)) => {
                            let p = base.join(f);
                            let s = std::fs::read_to_string(&p).map_err(|e| {
                                bad(
                                    &key("response_format.schema_file"),
                                    format!("{}: {e}", p.display()),
                                )
                            })?;
                            serde_json::from_str::<serde_json::Value>(&s).map_err(|e| {
                                bad(
                                    &key("response_format.schema_file"),
                                    format!("{} is not JSON: {e}", p.display()),
                                )
                            })?;
                            s
                        }
                        _ => {
                            return Err(bad(
                                &key("response_format"),
                                "json_schema needs exactly one of `schema` or `schema_file`".into(),
                            ))
                        }
                    };
                    Some(ResponseFormat::JsonSchema {
                        name: name.clone().unwrap_or_else(|| "answer".into()),
                        schema,
                        strict: *strict,
                    })
                }
            }
        };
        if format.is_some()
            && ProviderKind::parse(&provider.kind).is_some_and(|k| !k.supports_response_format())
        {
            return Err(bad(
                &key("response_format"),
                format!(
                    "provider {:?} ({}) does not support response_format",
                    provider.name, provider.kind
                ),
            ));
        }
        response_formats.push(format);
    }
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
