//! Which catalog entry prices a model: globs (`*`, `?`) matched against the model id, a
//! custom entry before a seed entry, then the most specific pattern (an exact id first,
//! then the most literal characters).

use serde::{Deserialize, Serialize};

use super::{Origin, PriceEntry};

/// The result of looking a model up: an entry, or an explicit "no price".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriceMatch {
    Found { entry: PriceEntry },
    Missing { model: String, reason: String },
}

/// The entry that prices `model` (at `provider`, when given), or why there is none.
/// A wildcard entry (a pattern of only `*` and `?`, such as Azure's `*` for any deployment
/// name) prices its own provider's models only, so it applies only when `provider` names it.
pub fn lookup(entries: &[PriceEntry], provider: Option<&str>, model: &str) -> PriceMatch {
    let best = entries
        .iter()
        .filter(|e| provider.is_none_or(|p| e.provider == p))
        .filter(|e| !is_wildcard(&e.model_pattern) || provider == Some(e.provider.as_str()))
        .filter(|e| matches(&e.model_pattern, model))
        .max_by_key(|e| rank(e));
    match best {
        Some(entry) => PriceMatch::Found {
            entry: entry.clone(),
        },
        None => PriceMatch::Missing {
            model: model.to_string(),
            reason: match provider {
                Some(p) => format!(
                    "no price for model {model} at provider {p}: add one in the price catalog"
                ),
                None => format!("no price for model {model}: add one in the price catalog"),
            },
        },
    }
}

/// The entry that prices `model` served by a provider of kind `kind` (`openai`,
/// `azure_openai`, `openai_compatible`, …): the provider's own entries first (its wildcard
/// included), else any provider's entry for that model id, never another provider's wildcard.
pub fn lookup_for_kind(entries: &[PriceEntry], kind: &str, model: &str) -> PriceMatch {
    match lookup(entries, Some(kind), model) {
        found @ PriceMatch::Found { .. } => found,
        PriceMatch::Missing { .. } => lookup(entries, None, model),
    }
}

/// A pattern that names no model: only `*` and `?`.
fn is_wildcard(pattern: &str) -> bool {
    pattern.chars().all(|c| c == '*' || c == '?')
}

/// Custom before seed, exact before glob, then more literal characters.
fn rank(e: &PriceEntry) -> (bool, bool, usize) {
    let literal = e
        .model_pattern
        .chars()
        .filter(|c| *c != '*' && *c != '?')
        .count();
    let exact = literal == e.model_pattern.chars().count();
    (e.origin == Origin::Custom, exact, literal)
}

/// Whether `text` matches the glob `pattern` (`*` any run of characters, `?` exactly one).
pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_match_like_shell_globs() {
        assert!(matches("ft:gpt-4.1-mini:*", "ft:gpt-4.1-mini:acme::abc123"));
        assert!(!matches(
            "ft:gpt-4.1-mini:*",
            "ft:gpt-4.1-nano:acme::abc123"
        ));
        assert!(matches("gpt-4.1", "gpt-4.1"));
        assert!(!matches("gpt-4.1", "gpt-4.1-mini"));
        assert!(matches("gpt-4?-mini", "gpt-4o-mini"));
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
    }
}
