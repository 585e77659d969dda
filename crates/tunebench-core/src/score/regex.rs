//! Regular-expression scorer: the output passes when the pattern matches it (anywhere,
//! or the whole output when `full_match` is set). Rust `regex` syntax.

use crate::error::{Error, Result};

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: regex::Regex,
}

impl Pattern {
    /// Compiles `pattern`; with `full_match` it must match the whole (trimmed) output.
    /// `origin` names where the pattern came from, for the error.
    pub fn compile(pattern: &str, full_match: bool, origin: &str) -> Result<Self> {
        let source = if full_match {
            format!(r"\A(?:{pattern})\z")
        } else {
            pattern.to_owned()
        };
        let regex = regex::Regex::new(&source).map_err(|e| {
            Error::Invalid(format!(
                "{origin}: invalid regular expression {pattern:?}: {e}"
            ))
        })?;
        Ok(Pattern { regex })
    }

    /// 1.0 when the pattern matches the output (trimmed), else 0.0.
    pub fn score(&self, output: &str) -> f64 {
        if self.regex.is_match(output.trim()) {
            1.0
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_match_requires_the_whole_output_to_match() {
        let p = Pattern::compile(r"\d{3}-\d{4}", true, "t").unwrap();
        assert_eq!(p.score(" 555-1234 "), 1.0);
        assert_eq!(p.score("call 555-1234"), 0.0);
        let p = Pattern::compile(r"\d{3}-\d{4}", false, "t").unwrap();
        assert_eq!(p.score("call 555-1234"), 1.0);
    }

    #[test]
    fn a_bad_pattern_is_refused_with_its_origin() {
        let e = Pattern::compile("(", false, "support.toml, scorer `pattern`").unwrap_err();
        assert!(e.to_string().contains("support.toml, scorer `pattern`"));
    }
}
