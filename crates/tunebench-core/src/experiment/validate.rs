//! What an experiment file must satisfy beyond its TOML shape: the header (name, dataset,
//! split, margin), each provider, each arm (names, kinds, models the provider accepts, the
//! template, few-shot examples, the retrieval folder) and each arm's response format. Every
//! error names the file and the key through `bad`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::file::{ArmSpec, ExperimentFile, ProviderSpec, ResponseFormatSpec};
use crate::arm::FewShotStrategy;
use crate::provider::{ProviderKind, ResponseFormat, LOCAL_BASE_URL};
use crate::{Error, Result};

/// Makes the error for `key` (e.g. `arms[0].model`): the file, the key and the problem.
pub(super) type Bad<'a> = &'a dyn Fn(&str, String) -> Error;

/// The name, dataset, split and margin.
pub(super) fn header(file: &ExperimentFile, bad: Bad) -> Result<()> {
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
    Ok(())
}

/// Every `[[providers]]` entry: a unique name, a known kind, an http(s) URL (none for a
/// local provider, whose server Tunebench starts: it gets [`LOCAL_BASE_URL`]) and sane limits.
pub(super) fn providers(providers: &mut [ProviderSpec], bad: Bad) -> Result<()> {
    let mut names = HashSet::new();
    for (i, p) in providers.iter_mut().enumerate() {
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
    Ok(())
}

/// The most arms an experiment compares: each challenger against the baseline (and each
/// hybrid against its fine-tuned arm) is one more test under Holm's correction.
pub const MAX_ARMS: usize = 6;

/// How many `[[arms]]` there are: at least one, at most [`MAX_ARMS`]; with three or more,
/// arm A (the first) is the prompting baseline every other arm is compared with.
pub(super) fn arm_count(file: &ExperimentFile, bad: Bad) -> Result<()> {
    let n = file.arms.len();
    if n == 0 {
        return Err(bad("arms", "the file defines no [[arms]]".into()));
    }
    if n > MAX_ARMS {
        return Err(bad(
            "arms",
            format!("{n} [[arms]]; an experiment compares at most {MAX_ARMS}"),
        ));
    }
    if n >= 3 && file.arms[0].kind != crate::arm::ArmKind::Prompt.as_str() {
        return Err(bad(
            "arms[0].kind",
            format!(
                "{:?}: with {n} arms, arm A (the first) is the prompting baseline every other \
                 arm is compared with, so its kind is \"prompt\"",
                file.arms[0].kind
            ),
        ));
    }
    Ok(())
}

/// What validating the arms resolves, per arm in file order.
pub(super) struct ArmFiles {
    /// The retrieval folder, absolute.
    pub context_dirs: Vec<Option<PathBuf>>,
    /// The response format, schema files read.
    pub response_formats: Vec<Option<ResponseFormat>>,
}

/// Validates every arm, resolving its paths against `base`, the file's folder.
pub(super) fn arms(file: &ExperimentFile, base: &Path, bad: Bad) -> Result<ArmFiles> {
    let mut arm_names = HashSet::new();
    let mut context_dirs = Vec::new();
    let mut response_formats = Vec::new();
    for (i, a) in file.arms.iter().enumerate() {
        let key = |k: &str| format!("arms[{i}].{k}");
        if !arm_names.insert(a.name.as_str()) {
            return Err(bad(&key("name"), format!("{:?} is defined twice", a.name)));
        }
        let provider = arm(file, a, &key, bad)?;
        if provider.kind == ProviderKind::Local.as_str() && !base.join(&a.model).is_file() {
            return Err(bad(
                &key("model"),
                format!(
                    "{} is not a file: a local arm's model is the path of a GGUF file",
                    base.join(&a.model).display()
                ),
            ));
        }
        context_dirs.push(context_dir(a, base, &key, bad)?);
        let format = response_format(a, base, &key, bad)?;
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
    Ok(ArmFiles {
        context_dirs,
        response_formats,
    })
}

/// Arm `a`'s kind, provider, model (and the sampling its model family accepts), template
/// and few-shot examples; returns its provider.
fn arm<'f>(
    file: &'f ExperimentFile,
    a: &ArmSpec,
    key: &dyn Fn(&str) -> String,
    bad: Bad,
) -> Result<&'f ProviderSpec> {
    if crate::arm::ArmKind::parse(&a.kind).is_none() {
        return Err(bad(
            &key("kind"),
            format!("{:?} is not one of prompt, fine_tuned, hybrid", a.kind),
        ));
    }
    if a.kind == crate::arm::ArmKind::Hybrid.as_str() && a.context.is_none() {
        return Err(bad(
            &key("context"),
            "a hybrid arm is a fine-tuned model fed retrieved context: it needs \
             `context = { dir = \"...\", top_k = 3 }`"
                .into(),
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
    if let Some(kind) = ProviderKind::parse(&provider.kind) {
        let sampling = crate::provider::GenParams {
            temperature: a.temperature,
            top_p: a.top_p,
            ..Default::default()
        };
        if let Some((field, why)) = crate::price::capability::refusal(kind, &a.model, &sampling) {
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
    Ok(provider)
}

/// Arm `a`'s retrieval folder against `base`, which must exist.
fn context_dir(
    a: &ArmSpec,
    base: &Path,
    key: &dyn Fn(&str) -> String,
    bad: Bad,
) -> Result<Option<PathBuf>> {
    Ok(match &a.context {
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
    })
}

/// Arm `a`'s `response_format`: `json_object`, or a JSON schema given inline or as a file
/// read against `base`.
fn response_format(
    a: &ArmSpec,
    base: &Path,
    key: &dyn Fn(&str) -> String,
    bad: Bad,
) -> Result<Option<ResponseFormat>> {
    Ok(match &a.response_format {
        None => None,
        Some(ResponseFormatSpec::Name(n)) if n == "json_object" => Some(ResponseFormat::JsonObject),
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
    })
}
