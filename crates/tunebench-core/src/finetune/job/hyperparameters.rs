//! The knobs of a training run, checked before any trainer sees them.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The knobs of a training run. Every field is optional: `None` means the trainer's default.
/// Unknown fields in stored JSON are ignored, so fields can be added.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Hyperparameters {
    pub epochs: Option<u32>,
    /// OpenAI / Azure: a multiplier of the provider's own learning rate.
    pub learning_rate_multiplier: Option<f64>,
    /// Together, Fireworks, llama.cpp: the learning rate itself.
    pub learning_rate: Option<f64>,
    pub batch_size: Option<u32>,
    /// LoRA rank (Together, Fireworks); `None` with `full = true` trains every weight.
    pub lora_rank: Option<u32>,
    pub lora_alpha: Option<u32>,
    /// Train every weight instead of a LoRA adapter (Together's `Full`; llama.cpp always).
    pub full: bool,
    /// Appended to the resulting model's name where the provider allows it.
    pub suffix: Option<String>,
    pub seed: Option<u32>,
    /// llama.cpp: the optimizer (`adamw` or `sgd`).
    pub optimizer: Option<String>,
    /// llama.cpp: the share of windows held out for validation loss.
    pub validation_split: Option<f64>,
    /// llama.cpp: the context (window) length in tokens.
    pub context_length: Option<u32>,
}

impl Hyperparameters {
    /// Refuses values no trainer accepts, naming the field.
    pub fn check(&self) -> Result<()> {
        let bad = |field: &str, why: &str| Err(Error::Invalid(format!("`{field}` {why}")));
        if self.epochs == Some(0) {
            return bad("epochs", "must be at least 1");
        }
        if let Some(e) = self.epochs.filter(|e| *e > 50) {
            return bad("epochs", &format!("is {e}; at most 50 are accepted"));
        }
        for (name, v) in [
            ("learning_rate_multiplier", self.learning_rate_multiplier),
            ("learning_rate", self.learning_rate),
        ] {
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
                return bad(name, &format!("is {v}; it must be a positive number"));
            }
        }
        if self.batch_size == Some(0) {
            return bad("batch_size", "must be at least 1");
        }
        if self.lora_rank == Some(0) {
            return bad("lora_rank", "must be at least 1");
        }
        if let Some(v) = self
            .validation_split
            .filter(|v| !(v.is_finite() && (0.0..1.0).contains(v)))
        {
            return bad("validation_split", &format!("is {v}; it must be in [0, 1)"));
        }
        if let Some(o) = self
            .optimizer
            .as_deref()
            .filter(|o| !matches!(*o, "adamw" | "sgd"))
        {
            return bad("optimizer", &format!("is {o:?}; use \"adamw\" or \"sgd\""));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyperparameters_out_of_range_name_their_field() {
        let h = Hyperparameters {
            epochs: Some(0),
            ..Hyperparameters::default()
        };
        assert!(h.check().unwrap_err().to_string().contains("`epochs`"));
        let h = Hyperparameters {
            learning_rate: Some(-1.0),
            ..Hyperparameters::default()
        };
        assert!(h
            .check()
            .unwrap_err()
            .to_string()
            .contains("`learning_rate`"));
        let h = Hyperparameters {
            optimizer: Some("adam".into()),
            ..Hyperparameters::default()
        };
        assert!(h.check().unwrap_err().to_string().contains("`optimizer`"));
        assert!(Hyperparameters::default().check().is_ok());
    }
}
