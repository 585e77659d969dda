//! The user-message template: `{{input}}`, `{{context}}` and `{{column}}` for any metadata
//! column of the case. An unknown placeholder is an error naming it, never left as is.

use crate::{Error, Result};

/// The placeholder names in `template`, in order of appearance.
pub fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                out.push(after[..end].trim().to_string());
                rest = &after[end + 2..];
            }
            None => break,
        }
    }
    out
}

/// Fills `template`; `lookup` answers each placeholder name or `None` if unknown.
/// `what` names the template in errors (e.g. "arm `prompting`, case 17").
pub fn render(
    template: &str,
    what: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = after[..end].trim();
        let value = lookup(name).ok_or_else(|| {
            Error::Invalid(format!(
                "{what}: template placeholder {{{{{name}}}}} is neither `input`, `context` \
                 nor a metadata column of the case"
            ))
        })?;
        out.push_str(&value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_with_or_without_spaces() {
        let got = render("Q: {{ input }} / {{lang}}", "t", |n| match n {
            "input" => Some("hi".into()),
            "lang" => Some("fr".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(got, "Q: hi / fr");
    }

    #[test]
    fn an_unknown_placeholder_is_named_in_the_error() {
        let err = render("{{input}} {{colour}}", "arm `a`, case 3", |n| {
            (n == "input").then(String::new)
        })
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("{{colour}}") && msg.contains("arm `a`, case 3"),
            "{msg}"
        );
    }

    #[test]
    fn placeholders_lists_names_in_order() {
        assert_eq!(
            placeholders("{{context}}\n{{ input }}"),
            vec!["context", "input"]
        );
    }
}
