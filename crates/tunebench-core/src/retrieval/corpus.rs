//! A folder of `.txt` / `.md` documents (PDFs converted to text first), cut into passages
//! of about [`CHUNK_WORDS`] words on paragraph boundaries, for BM25 retrieval.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The target passage size in words.
pub const CHUNK_WORDS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    /// The file the passage comes from, relative to the folder.
    pub source: String,
    pub text: String,
}

/// Reads every `.txt` / `.md` file under `dir` (recursively, in name order) into passages.
pub fn load_chunks(dir: &Path) -> Result<Vec<Chunk>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut chunks = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let source = file
            .strip_prefix(dir)
            .unwrap_or(&file)
            .display()
            .to_string();
        for text in chunk_text(&text, CHUNK_WORDS) {
            chunks.push(Chunk {
                source: source.clone(),
                text,
            });
        }
    }
    Ok(chunks)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("txt" | "md" | "markdown")
        ) {
            out.push(path);
        }
    }
    Ok(())
}

/// Cuts `text` into passages of about `max_words` words: paragraphs are kept whole and
/// joined while they fit; a paragraph longer than `max_words` is cut by words.
pub fn chunk_text(text: &str, max_words: usize) -> Vec<String> {
    let max_words = max_words.max(1);
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut current_words = 0;
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let words: Vec<&str> = para.split_whitespace().collect();
        if words.len() > max_words {
            if !current.is_empty() {
                out.push(current.join("\n\n"));
                current.clear();
                current_words = 0;
            }
            out.extend(words.chunks(max_words).map(|w| w.join(" ")));
            continue;
        }
        if current_words + words.len() > max_words && !current.is_empty() {
            out.push(current.join("\n\n"));
            current.clear();
            current_words = 0;
        }
        current.push(para);
        current_words += words.len();
    }
    if !current.is_empty() {
        out.push(current.join("\n\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_paragraphs_are_joined_and_long_ones_cut() {
        let long = vec!["w"; 25].join(" ");
        let text = format!("one two\n\nthree four\n\n{long}\n\nfive");
        let chunks = chunk_text(&text, 10);
        assert_eq!(chunks[0], "one two\n\nthree four");
        assert_eq!(chunks.len(), 1 + 3 + 1, "{chunks:?}");
        assert_eq!(chunks.last().unwrap(), "five");
    }
}
