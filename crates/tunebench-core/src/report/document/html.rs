//! The report as one self-contained HTML file: inline CSS, charts inlined as SVG, no
//! scripts or external assets, all user text escaped.

use std::fmt::Write as _;

use super::Block;
use crate::{chart, Result};

/// `s` with `& < > " '` replaced by entities, safe inside HTML text and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}pre{background:#f7f7f7;padding:.6em;white-space:pre-wrap;border:1px solid #ddd}\
figure{margin:1em 0}figure svg{width:100%;height:auto}h2{border-bottom:1px solid #ddd;padding-bottom:.2em}";

pub(super) fn html(title: &str, blocks: &[Block]) -> Result<String> {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head><body>\n<h1>{}</h1>\n",
        escape(title),
        escape(title)
    );
    for b in blocks {
        match b {
            Block::Heading(t) => {
                let _ = writeln!(h, "<h2>{}</h2>", escape(t));
            }
            Block::Para(t) => {
                let _ = writeln!(h, "<p>{}</p>", escape(t));
            }
            Block::List(items) => {
                h.push_str("<ul>");
                for i in items {
                    let _ = write!(h, "<li>{}</li>", escape(i));
                }
                h.push_str("</ul>\n");
            }
            Block::Table { head, rows } => {
                h.push_str("<table><tr>");
                for c in head {
                    let _ = write!(h, "<th>{}</th>", escape(c));
                }
                h.push_str("</tr>");
                for r in rows {
                    h.push_str("<tr>");
                    for c in r {
                        let _ = write!(h, "<td>{}</td>", escape(c));
                    }
                    h.push_str("</tr>");
                }
                h.push_str("</table>\n");
            }
            Block::Pre(caption, text) => {
                let _ = writeln!(
                    h,
                    "<p><em>{}</em></p><pre>{}</pre>",
                    escape(caption),
                    escape(text)
                );
            }
            Block::Chart(_, spec) => {
                // The SVG is drawn by plotters, which XML-escapes the text it draws.
                let svg = chart::render_svg(spec)?;
                let svg = svg.find("<svg").map_or(svg.as_str(), |i| &svg[i..]);
                let _ = writeln!(h, "<figure>{svg}</figure>");
            }
        }
    }
    h.push_str("</body></html>\n");
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_every_markup_character() {
        assert_eq!(
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }
}
