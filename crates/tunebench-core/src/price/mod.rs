//! The price catalog: dated prices per provider and model (or model pattern), seeded from
//! public sources, editable, importable and exportable as JSON. Looking a model up gives
//! its price or an explicit "no price", never $0.

pub mod capability;
pub mod file;
pub mod pattern;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::store::{self, Connection};
use crate::{Error, MissingPrice, Result};

pub use pattern::{lookup, lookup_for_kind, PriceMatch};

/// The seed catalog, transcribed from public sources with a source and a date per entry.
pub const SEED_JSON: &str = include_str!("../../assets/prices.json");

/// Whether a price is for a base model or a fine-tune of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PriceKind {
    Base,
    FineTuned,
}

/// The unit of a training price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum TrainingUnit {
    /// $ per 1M training tokens (tokens × epochs).
    #[serde(rename = "per_1m_tokens")]
    PerMillionTokens,
    /// $ per training hour (reinforcement fine-tuning).
    #[serde(rename = "per_hour")]
    PerHour,
}

/// Where an entry came from: the app's seed data or the user. A custom entry wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Seed,
    Custom,
}

/// One entry of the catalog. Prices are $ per 1M tokens; a missing price is `None`, never 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PriceEntry {
    /// `openai`, `azure_openai`, `anthropic`, … (a provider kind, or any name).
    pub provider: String,
    /// An exact model id, or a glob with `*` and `?` such as `ft:gpt-4.1-mini:*`.
    pub model_pattern: String,
    pub kind: PriceKind,
    pub input: Option<f64>,
    pub cached_input: Option<f64>,
    pub cache_write: Option<f64>,
    pub output: Option<f64>,
    /// Multiplier for batch-API traffic (0.5 = 50 % off).
    pub batch_multiplier: Option<f64>,
    pub training: Option<f64>,
    pub training_unit: Option<TrainingUnit>,
    pub hosting_per_hour: Option<f64>,
    /// The base model's shutdown date, YYYY-MM-DD.
    pub retirement_date: Option<String>,
    pub source: String,
    /// The date the price was checked, YYYY-MM-DD.
    pub as_of: String,
    pub origin: Origin,
}

/// Per-token prices of one arm, $ per 1M tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ArmPrice {
    pub input: f64,
    /// Price of a cached input token; the input price when the provider has no cache discount.
    pub cached_input: f64,
    pub output: f64,
    /// Price multiplier for traffic sent through a batch API (0.5 = half price); 1 when none.
    pub batch_multiplier: f64,
}

impl PriceEntry {
    /// The per-token prices the cost model needs. An entry without an input or output price
    /// is an explicit "no price" error naming the model, never a $0 arm.
    pub fn arm_price(&self, model: &str) -> Result<ArmPrice> {
        let (Some(input), Some(output)) = (self.input, self.output) else {
            return Err(Error::NoPrice {
                price: MissingPrice::new(model, Some(&self.provider), self.kind),
                reason: format!(
                    "the catalog entry {} `{}` has no {} price",
                    self.provider,
                    self.model_pattern,
                    if self.input.is_none() {
                        "input"
                    } else {
                        "output"
                    }
                ),
            });
        };
        Ok(ArmPrice {
            input,
            cached_input: self.cached_input.unwrap_or(input),
            output,
            batch_multiplier: self.batch_multiplier.unwrap_or(1.0),
        })
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportSummary {
    pub file: String,
    /// Entries written as custom prices (new or replacing the same provider/pattern/kind).
    pub imported: u32,
    /// Entries marked `"origin": "seed"` in the file: the app's own seed, left as it is.
    pub skipped_seed: u32,
}

/// The whole catalog as stored, seed and custom (the price editor's list).
pub fn catalog(conn: &Connection) -> Result<Vec<PriceEntry>> {
    store::price::list(conn)
}

/// The stored entry that prices `model`, or an explicit "no price".
pub fn lookup_model(conn: &Connection, provider: Option<&str>, model: &str) -> Result<PriceMatch> {
    Ok(lookup(&store::price::list(conn)?, provider, model))
}

/// Saves one entry edited in the app as a custom price (replacing the custom entry with the
/// same provider, pattern and kind), after the same checks as an imported file.
pub fn save_custom(conn: &Connection, entry: &PriceEntry) -> Result<()> {
    let mut entry = entry.clone();
    entry.origin = Origin::Custom;
    file::validate("price entry", &entry)?;
    store::price::upsert_custom(conn, &[entry])
}

/// Deletes a custom entry; the seed entry it overrode (if any) applies again.
pub fn delete_custom(
    conn: &Connection,
    provider: &str,
    model_pattern: &str,
    kind: PriceKind,
) -> Result<()> {
    if store::price::delete_custom(conn, provider, model_pattern, kind)? {
        Ok(())
    } else {
        Err(Error::NotFound {
            entity: "custom price",
            key: "provider/model_pattern",
            value: format!("{provider}/{model_pattern}"),
        })
    }
}

/// The seed entries of this build.
pub fn seed_entries() -> Result<Vec<PriceEntry>> {
    file::parse("assets/prices.json", SEED_JSON, Origin::Seed)
}

/// Writes this build's seed into the store when the stored seed rows differ from it,
/// replacing them; custom rows are kept. Idempotent; [`store::open`] runs it, so every
/// connection sees this build's prices.
pub fn seed(conn: &Connection) -> Result<()> {
    let entries = seed_entries()?;
    let stored: Vec<PriceEntry> = store::price::list(conn)?
        .into_iter()
        .filter(|e| e.origin == Origin::Seed)
        .collect();
    let fingerprint = |entries: &[PriceEntry]| {
        let mut rows: Vec<String> = entries.iter().map(|e| format!("{e:?}")).collect();
        rows.sort_unstable();
        rows
    };
    if fingerprint(&stored) == fingerprint(&entries) {
        return Ok(());
    }
    store::price::replace_seed(conn, &entries)
}

/// Imports the custom prices of a JSON file: every entry is validated before anything is
/// written, then all are written in one transaction (all or nothing).
pub fn import_file(conn: &Connection, path: &Path) -> Result<ImportSummary> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let name = path.display().to_string();
    let entries = file::parse(&name, &text, Origin::Custom)?;
    let (seeded, custom): (Vec<_>, Vec<_>) =
        entries.into_iter().partition(|e| e.origin == Origin::Seed);
    store::price::upsert_custom(conn, &custom)?;
    Ok(ImportSummary {
        file: name,
        imported: custom.len() as u32,
        skipped_seed: seeded.len() as u32,
    })
}

/// Writes the whole catalog (seed and custom) to a JSON file that [`import_file`] reads.
/// Returns the number of entries written.
pub fn export_file(conn: &Connection, path: &Path) -> Result<u32> {
    let entries = store::price::list(conn)?;
    let text = file::render(&entries)?;
    std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    Ok(entries.len() as u32)
}
