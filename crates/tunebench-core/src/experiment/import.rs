//! Importing a loaded experiment file into the store: providers are matched to stored ones
//! or added as [`super::review`] describes (never re-pointed), arms and the experiment are
//! inserted, all in one transaction.

use rusqlite::Connection;

use super::file::LoadedExperiment;
use super::{Experiment, Margin, MarginKind};
use crate::arm::{Arm, ArmKind, ArmParams, Retrieval};
use crate::provider::{GenParams, ProviderKind};
use crate::store;
use crate::{Error, Result};

/// Writes the experiment of `loaded` into the store; returns the experiment id. The
/// dataset must already be imported. A file whose review needs confirmation is refused
/// unless `confirmed` is its fingerprint (the user saw the review of this very content).
pub fn import(
    conn: &Connection,
    loaded: &LoadedExperiment,
    confirmed: Option<&str>,
) -> Result<i32> {
    let f = &loaded.file;
    let shown = loaded.path.display();
    let dataset_key = match &f.dataset {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let dataset_id = store::experiment::dataset_id(conn, &dataset_key)?.ok_or_else(|| {
        Error::Invalid(format!(
            "{shown}, key `dataset`: no dataset {dataset_key:?} in the store; import it first \
             under that name (Import on the Datasets screen, or \
             `tunebench import FILE --name {dataset_key}` on the command line)"
        ))
    })?;
    let review = super::review(conn, loaded)?;
    if review.needs_confirmation && confirmed != Some(loaded.fingerprint.as_str()) {
        return Err(Error::Invalid(format!(
            "{shown} brings providers, key sources or folders the store does not know yet; \
             it runs only once you have seen and confirmed them:\n{}",
            review.lines()[1..].join("\n")
        )));
    }
    let stored = store::provider::list(conn)?;
    let tx = conn.unchecked_transaction()?;
    let mut provider_ids = Vec::new();
    for (p, resolved) in f
        .providers
        .iter()
        .zip(super::review::resolve_providers(loaded, &stored))
    {
        let kind = ProviderKind::parse(&p.kind).unwrap_or(ProviderKind::OpenAiCompatible);
        let id = match resolved.stored_id {
            // The same target: the file may tune limits and timeouts, never where it sends.
            Some(id) => {
                store::provider::update_settings(&tx, id, &p.settings())?;
                id
            }
            None => store::provider::insert(
                &tx,
                &resolved.review.stored_name,
                kind,
                p.base_url.trim_end_matches('/'),
                p.api_key_env.as_deref().filter(|v| !v.is_empty()),
                &p.settings(),
            )?,
        };
        provider_ids.push((p.name.as_str(), id));
    }
    let mut arm_ids = Vec::new();
    for (i, a) in f.arms.iter().enumerate() {
        let provider_id = provider_ids
            .iter()
            .find(|(n, _)| *n == a.provider)
            .map(|(_, id)| *id)
            .ok_or_else(|| Error::Invalid(format!("{shown}, key `arms[{i}].provider`: unknown")))?;
        let arm = Arm {
            id: 0,
            name: a.name.clone(),
            kind: ArmKind::parse(&a.kind).unwrap_or(ArmKind::Prompt),
            provider_id,
            // A local arm's model is a file, kept as an absolute path.
            model: match f.providers.iter().find(|p| p.name == a.provider) {
                Some(p) if p.kind == ProviderKind::Local.as_str() => {
                    let base = loaded.path.parent().unwrap_or(std::path::Path::new("."));
                    base.join(&a.model).display().to_string()
                }
                _ => a.model.clone(),
            },
            system_prompt: a.system.clone(),
            template: a.template.clone(),
            few_shot: a.few_shot.clone(),
            retrieval: loaded.context_dirs[i].as_ref().map(|dir| Retrieval {
                dir: dir.display().to_string(),
                top_k: a.context.as_ref().map_or(3, |c| c.top_k),
            }),
            params: ArmParams {
                generation: GenParams {
                    max_tokens: a.max_tokens,
                    temperature: a.temperature,
                    top_p: a.top_p,
                    stop: a.stop.clone(),
                    seed: a.seed,
                    response_format: loaded.response_formats[i].clone(),
                },
                price: a.price,
            },
        };
        arm_ids.push(store::arm::insert(&tx, &arm)?);
    }
    let margin = f.margin.as_ref().map_or(Margin::default(), |m| Margin {
        kind: if m.kind == "absolute" {
            MarginKind::Absolute
        } else {
            MarginKind::Relative
        },
        value: m.value,
    });
    let id = store::experiment::insert(
        &tx,
        &Experiment {
            id: 0,
            name: f.name.clone(),
            dataset_id,
            split: f.split.clone(),
            primary_metric: f.primary_metric.clone(),
            margin,
            labels: f.labels.clone(),
            arm_ids,
        },
    )?;
    tx.commit()?;
    Ok(id)
}
