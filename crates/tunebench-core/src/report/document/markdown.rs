//! The report as Markdown: user text escaped so it opens no HTML, link or image, preformatted
//! text fenced, charts as links to the PNG files beside it.

use std::fmt::Write as _;

use super::Block;

/// Markdown text outside code blocks: markup characters as entities, so user text can
/// open no raw HTML in a Markdown viewer, and link, image, code and emphasis syntax
/// backslash-escaped, so a name like `[x](javascript:…)` or `![t](http://…)` stays text.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '[' | ']' | '`' | '*' | '_' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Text in a Markdown table cell or list item: one line, pipes escaped.
fn cell(s: &str) -> String {
    md(s).replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub(super) fn markdown(run_id: i32, blocks: &[Block], images: &[String]) -> String {
    let mut m = format!("# Tunebench decision report · run {run_id}\n\n");
    let mut images = images.iter();
    for b in blocks {
        match b {
            Block::Heading(t) => {
                let _ = writeln!(m, "## {}\n", cell(t));
            }
            Block::Para(t) => {
                let _ = writeln!(m, "{}\n", md(t));
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(m, "- {}", cell(i));
                }
                m.push('\n');
            }
            Block::Table { head, rows } => {
                let line = |cells: &[String]| {
                    format!(
                        "| {} |\n",
                        cells
                            .iter()
                            .map(|c| cell(c))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    )
                };
                m.push_str(&line(head));
                m.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in rows {
                    m.push_str(&line(r));
                }
                m.push('\n');
            }
            Block::Pre(caption, text) => {
                let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
                let _ = writeln!(m, "*{caption}*\n\n{fence}\n{text}\n{fence}\n");
            }
            Block::Chart(_, spec) => {
                if let Some(file) = images.next() {
                    let _ = writeln!(m, "![{}]({file})\n", cell(&spec.title));
                }
            }
        }
    }
    m
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn names_in_the_markdown_report_cannot_make_links_or_load_images() {
        let link = "[click me](javascript:alert(1))";
        let beacon = "![t](http://evil.example/beacon.png)";
        let m = markdown(
            1,
            &[
                Block::Heading(format!("A: {link}")),
                Block::Para(format!("B: {beacon}")),
                Block::List(vec![link.into()]),
                Block::Table {
                    head: vec!["arm".into()],
                    rows: vec![vec![beacon.into()], vec![r"\[x](y)".into()]],
                },
            ],
            &[],
        );
        assert!(m.contains(r"\[click me\](javascript:alert(1))"), "{m}");
        assert!(m.contains(r"!\[t\](http://evil.example/beacon.png)"), "{m}");
        assert!(
            m.contains(r"\\\[x\](y)"),
            "a backslash cannot undo the escape: {m}"
        );
        for (i, _) in m.match_indices('[') {
            assert_eq!(&m[i - 1..i], "\\", "an unescaped [ at {i}: {m}");
        }
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_in_the_text() {
        assert_eq!(longest_backtick_run("a ``` b ` c"), 3);
        assert_eq!(longest_backtick_run("none"), 0);
    }
}
