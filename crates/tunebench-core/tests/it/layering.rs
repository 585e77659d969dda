//! The layering rules that a reviewer would otherwise have to remember: no SQL outside
//! `crates/tunebench-core/src/store/`, in any crate of the workspace, and the core modules
//! whose dependencies run one way only.

use std::path::{Path, PathBuf};

use regex::Regex;

/// Production sources: every crate's `src/` and the desktop shell (test modules at the end
/// of a file, after `#[cfg(test)]`, may set up rows by hand).
fn sources(root: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![root.join("src-tauri/src")];
    for krate in std::fs::read_dir(root.join("crates")).unwrap() {
        dirs.push(krate.unwrap().path().join("src"));
    }
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The string literals of Rust source `src` (plain and raw), with the line each starts on.
/// Comments and char literals are skipped; a lifetime's quote is not a literal.
fn string_literals(src: &str) -> Vec<(usize, String)> {
    let b = src.as_bytes();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = src[i..].find("*/").map_or(b.len(), |e| i + e + 2);
                line += src[i..end].matches('\n').count();
                i = end;
                continue;
            }
            b'\'' => {
                // A char literal ('"', '\'', 'x'); otherwise a lifetime.
                if b.get(i + 1) == Some(&b'\\') {
                    i += src[i + 2..].find('\'').map_or(b.len(), |e| e + 3);
                    continue;
                }
                if b.get(i + 2) == Some(&b'\'') {
                    i += 3;
                    continue;
                }
            }
            b'r' if (b.get(i + 1) == Some(&b'"') || b.get(i + 1) == Some(&b'#'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                if b.get(i + 1 + hashes) == Some(&b'"') {
                    let start = i + 2 + hashes;
                    let close = format!("\"{}", "#".repeat(hashes));
                    let end = src[start..].find(&close).map_or(b.len(), |e| start + e);
                    out.push((line, src[start..end].to_string()));
                    line += src[start..end].matches('\n').count();
                    i = end + close.len();
                    continue;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(b.len());
                out.push((line, src[start..end].to_string()));
                line += src[start..end].matches('\n').count();
                i = end + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn sql() -> Regex {
    Regex::new(
        r"\b(SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|DROP\s+TABLE|PRAGMA|BEGIN|COMMIT|ROLLBACK|SAVEPOINT)\b",
    )
    .unwrap()
}

/// Source files that are test modules as a whole (`#[cfg(test)] mod tests;`): they set up
/// stores by hand.
const TEST_MODULES: &[&str] = &["src-tauri/src/tests.rs"];

/// Every place outside `store/` where a string literal holds SQL or a pragma is set.
fn sql_outside_store(root: &Path) -> Vec<String> {
    let store = root.join("crates/tunebench-core/src/store");
    let sql = sql();
    let mut found = Vec::new();
    for file in sources(root) {
        if file.starts_with(&store) || TEST_MODULES.iter().any(|t| file == root.join(t)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let production = text.split("#[cfg(test)]").next().unwrap_or_default();
        let name = file.strip_prefix(root).unwrap().display().to_string();
        for (line, literal) in string_literals(production) {
            if let Some(m) = sql.find(&literal) {
                found.push(format!("{name}:{line}: {:?}", m.as_str()));
            }
        }
        for (n, text) in production.lines().enumerate() {
            if text.contains(".pragma_update(") || text.contains(".execute_batch(") {
                found.push(format!("{name}:{}: {}", n + 1, text.trim()));
            }
        }
    }
    found
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn no_sql_is_written_outside_the_store_module() {
    let found = sql_outside_store(&workspace_root());
    assert!(
        found.is_empty(),
        "SQL belongs in crates/tunebench-core/src/store/; found:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_sql_scan_finds_sql_in_plain_and_raw_literals_but_not_in_comments() {
    let src = r####"
// SELECT x FROM y in a comment
let a = '"'; let b: &'static str = "INSERT INTO t VALUES (1)";
let c = r#"UPDATE run SET status = 'x'"#;
let d = "an update of the set of runs";
"####;
    let sql = sql();
    let hits: Vec<(usize, String)> = string_literals(src)
        .into_iter()
        .filter(|(_, l)| sql.is_match(l))
        .collect();
    assert_eq!(
        hits,
        vec![
            (3, "INSERT INTO t VALUES (1)".to_string()),
            (4, "UPDATE run SET status = 'x'".to_string()),
        ]
    );
}

/// The lines (1-based) of Rust source `src` that reach module `other`: a path
/// `crate::other` or `super::other`, or `other` in a grouped `use crate::{…}`; comments and
/// test modules (after `#[cfg(test)]`) aside.
fn lines_reaching(src: &str, other: &str) -> Vec<usize> {
    let path = Regex::new(&format!(r"\b(crate|super)(::super)*::{other}\b")).unwrap();
    let grouped = Regex::new(&format!(r"\bcrate::\{{[^}}]*\b{other}\b")).unwrap();
    let production = src.split("#[cfg(test)]").next().unwrap_or_default();
    let code: String = production
        .lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let line_at = |offset: usize| code[..offset].matches('\n').count() + 1;
    let mut lines: Vec<usize> = path
        .find_iter(&code)
        .map(|m| line_at(m.start()))
        .chain(grouped.find_iter(&code).map(|m| line_at(m.end())))
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

/// Every place in core module `module` (`src/<module>/` or `src/<module>.rs`) that reaches
/// core module `other`.
fn uses_of(root: &Path, module: &str, other: &str) -> Vec<String> {
    let src = root.join("crates/tunebench-core/src");
    let mut found = Vec::new();
    for file in sources(root) {
        let rel = file.strip_prefix(&src).unwrap_or(&file);
        if !(rel.starts_with(module) || rel == Path::new(&format!("{module}.rs"))) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(root).unwrap().display().to_string();
        for n in lines_reaching(&text, other) {
            let line = text.lines().nth(n - 1).unwrap_or_default().trim();
            found.push(format!("{name}:{n}: {line}"));
        }
    }
    found
}

#[test]
fn the_price_catalog_does_not_depend_on_the_cost_model() {
    let found = uses_of(&workspace_root(), "price", "cost");
    assert!(
        found.is_empty(),
        "cost/ reads the catalog in price/, never the reverse; found:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_decision_rules_read_neither_the_report_nor_the_store() {
    let root = workspace_root();
    let found: Vec<String> = ["report", "store"]
        .iter()
        .flat_map(|other| uses_of(&root, "decision", other))
        .collect();
    assert!(
        found.is_empty(),
        "decision/ is pure: report/ builds its evidence; found:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_module_scan_finds_paths_and_grouped_imports_but_not_comments_or_look_alikes() {
    let src = r#"
use crate::cost::ArmPrice;
// use crate::cost::Scenario in a comment
use crate::{
    store,
    cost,
};
let x = super::super::cost::evaluate(s);
let y = crate::costly::thing();
let z = my_cost::f(); // crate::cost
#[cfg(test)]
use crate::cost::Side;
"#;
    assert_eq!(lines_reaching(src, "cost"), vec![2, 6, 8]);
}
