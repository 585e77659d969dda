//! What an experiment file would do once imported, shown before it first runs: an
//! experiment file is often someone else's, and its providers decide where prompts, and
//! the API keys that go with them, are sent.
//!
//! A file never changes where a stored provider sends its key: a provider of the file that
//! matches a stored one by name, kind, URL and key variable is that provider (the file may
//! tune its rate limits and timeouts); one whose URL, kind or key variable differs becomes a
//! new provider named after the file's name and the URL's host, so neither the stored URL
//! nor the stored name's keychain entry is reused. Anything the store does not already
//! know (a new provider, a key variable no stored provider reads, a context folder no stored
//! arm reads, a schema file outside the file's folder) needs the user's confirmation, given
//! for this exact file content: its [`FileReview::fingerprint`].

use std::path::{Component, Path};

use rusqlite::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::file::{LoadedExperiment, ProviderSpec, ResponseFormatSpec};
use crate::provider::{Provider, ProviderKind};
use crate::store;
use crate::Result;

/// What importing an experiment file would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FileReview {
    /// The file, as given.
    pub file: String,
    /// SHA-256 of the file's text: a confirmation holds for this content only.
    pub fingerprint: String,
    pub providers: Vec<ProviderReview>,
    /// Context folders and schema files the arms read and send in prompts.
    pub paths: Vec<PathReview>,
    /// Whether the file brings anything the store does not know yet, so the user must
    /// confirm before it runs.
    pub needs_confirmation: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ProviderStatus {
    /// A stored provider with the same name, kind, URL and key variable: used as it is.
    Stored,
    /// No stored provider has this name: added under it.
    New,
    /// A stored provider has this name but another URL, kind or key variable: left as it
    /// is, and the file's becomes a new provider under `stored_name`.
    Differs,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProviderReview {
    /// The name in the file.
    pub name: String,
    /// The name the arms' provider has in the store.
    pub stored_name: String,
    pub status: ProviderStatus,
    pub kind: String,
    pub base_url: String,
    /// The environment variable whose value is sent as the key.
    pub api_key_env: Option<String>,
    /// Whether a stored provider already reads `api_key_env` (always true without one).
    pub key_env_known: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PathUse {
    /// `context.dir`: every `.txt` / `.md` file under it may be sent in prompts.
    Context,
    /// `response_format.schema_file`: sent with every request.
    SchemaFile,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PathReview {
    pub arm: String,
    pub used_as: PathUse,
    /// The path, resolved against the file's folder.
    pub path: String,
    /// Whether the file names it inside its own folder (no absolute path, no `..`).
    pub inside_file_folder: bool,
    /// Whether a stored arm already reads this context folder.
    pub known: bool,
}

/// SHA-256 of `text`, in hex.
pub(crate) fn fingerprint(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `rel`, written in the file, stays inside the file's folder.
fn stays_inside(rel: &str) -> bool {
    let p = Path::new(rel);
    !p.is_absolute()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// The host (and port) of `url`, for naming a provider after where it sends.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit('@').next().unwrap_or(authority)
}

fn same_target(stored: &Provider, spec: &ProviderSpec, kind: ProviderKind) -> bool {
    stored.kind == kind
        && stored.base_url == spec.base_url.trim_end_matches('/')
        && stored.api_key_env.as_deref() == spec.api_key_env.as_deref().filter(|v| !v.is_empty())
}

/// A provider of the file resolved against the store: the stored one it is (`Some(id)`),
/// or the name a new one gets.
pub(crate) struct Resolved {
    pub review: ProviderReview,
    pub stored_id: Option<i32>,
}

/// Resolves each provider of `loaded` against the stored `providers`, in file order.
pub(crate) fn resolve_providers(loaded: &LoadedExperiment, stored: &[Provider]) -> Vec<Resolved> {
    let mut taken: Vec<String> = Vec::new();
    loaded
        .file
        .providers
        .iter()
        .map(|spec| {
            let kind = ProviderKind::parse(&spec.kind).unwrap_or(ProviderKind::OpenAiCompatible);
            let by_name = |n: &str| stored.iter().find(|p| p.name == n);
            // The file's own name, then "name (host)", "name (host) 2", … : the first that is
            // the same target, or free.
            let mut status = ProviderStatus::New;
            let mut found = None;
            let mut stored_name = String::new();
            for i in 0.. {
                let candidate = match i {
                    0 => spec.name.clone(),
                    1 => format!("{} ({})", spec.name, host(&spec.base_url)),
                    n => format!("{} ({}) {n}", spec.name, host(&spec.base_url)),
                };
                if taken.contains(&candidate) {
                    continue;
                }
                match by_name(&candidate) {
                    Some(p) if same_target(p, spec, kind) => {
                        status = ProviderStatus::Stored;
                        found = Some(p.id);
                        stored_name = candidate;
                        break;
                    }
                    Some(_) => status = ProviderStatus::Differs,
                    None => {
                        stored_name = candidate;
                        break;
                    }
                }
            }
            taken.push(stored_name.clone());
            let key_env_known = match spec.api_key_env.as_deref() {
                None | Some("") => true,
                Some(var) => stored.iter().any(|p| p.api_key_env.as_deref() == Some(var)),
            };
            Resolved {
                review: ProviderReview {
                    name: spec.name.clone(),
                    stored_name,
                    status,
                    kind: kind.as_str().to_string(),
                    base_url: spec.base_url.trim_end_matches('/').to_string(),
                    api_key_env: spec.api_key_env.clone().filter(|v| !v.is_empty()),
                    key_env_known,
                },
                stored_id: found,
            }
        })
        .collect()
}

/// What importing `loaded` into the store behind `conn` would do.
pub fn review(conn: &Connection, loaded: &LoadedExperiment) -> Result<FileReview> {
    let stored = store::provider::list(conn)?;
    let providers: Vec<ProviderReview> = resolve_providers(loaded, &stored)
        .into_iter()
        .map(|r| r.review)
        .collect();
    let known_dirs: Vec<String> = store::arm::list(conn)?
        .into_iter()
        .filter_map(|a| a.retrieval.map(|r| r.dir))
        .collect();
    let mut paths = Vec::new();
    for (i, arm) in loaded.file.arms.iter().enumerate() {
        if let (Some(spec), Some(dir)) = (&arm.context, &loaded.context_dirs[i]) {
            let dir = dir.display().to_string();
            paths.push(PathReview {
                arm: arm.name.clone(),
                used_as: PathUse::Context,
                known: known_dirs.contains(&dir),
                path: dir,
                inside_file_folder: stays_inside(&spec.dir),
            });
        }
        if let Some(ResponseFormatSpec::Schema {
            schema_file: Some(f),
            ..
        }) = &arm.response_format
        {
            let base = loaded.path.parent().unwrap_or(Path::new("."));
            paths.push(PathReview {
                arm: arm.name.clone(),
                used_as: PathUse::SchemaFile,
                path: base.join(f).display().to_string(),
                inside_file_folder: stays_inside(f),
                known: false,
            });
        }
    }
    let needs_confirmation = providers
        .iter()
        .any(|p| p.status != ProviderStatus::Stored || !p.key_env_known)
        || paths.iter().any(|p| match p.used_as {
            PathUse::Context => !p.known,
            PathUse::SchemaFile => !p.inside_file_folder,
        });
    Ok(FileReview {
        file: loaded.path.display().to_string(),
        fingerprint: loaded.fingerprint.clone(),
        providers,
        paths,
        needs_confirmation,
    })
}

impl FileReview {
    /// The review in plain lines, for a terminal: each provider with where it sends and
    /// which key, each folder or file read, and what is new.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("{} would:", self.file)];
        for p in &self.providers {
            let key = match &p.api_key_env {
                Some(var) if p.key_env_known => format!("the key in ${var}"),
                Some(var) => format!(
                    "the key in ${var}, a variable no stored provider reads (NEW key source)"
                ),
                None => "no key from the environment".to_string(),
            };
            let what = match p.status {
                ProviderStatus::Stored => format!("use stored provider {:?}", p.stored_name),
                ProviderStatus::New => format!("add provider {:?} (NEW)", p.stored_name),
                ProviderStatus::Differs => format!(
                    "add provider {:?} (NEW: stored provider {:?} sends elsewhere and is left \
                     as it is)",
                    p.stored_name, p.name
                ),
            };
            out.push(format!(
                "  {what}: {} at {}, sending {key}",
                p.kind, p.base_url
            ));
        }
        for p in &self.paths {
            let place = if p.inside_file_folder {
                ""
            } else {
                ", OUTSIDE the file's folder"
            };
            out.push(match p.used_as {
                PathUse::Context => format!(
                    "  send passages of the .txt/.md files in {}{place}{} (arm {:?})",
                    p.path,
                    if p.known { "" } else { " (NEW folder)" },
                    p.arm
                ),
                PathUse::SchemaFile => {
                    format!("  send the schema file {}{place} (arm {:?})", p.path, p.arm)
                }
            });
        }
        out
    }
}
