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

/// The most `.txt` / `.md` files a context folder may hold.
pub const MAX_FILES: usize = 10_000;

/// The most bytes of text a context folder may hold: 64 MiB.
pub const MAX_BYTES: u64 = 64 << 20;

/// Reads every `.txt` / `.md` file under `dir` (recursively, in name order) into passages.
/// Symbolic links to folders are not followed (so a link loop cannot read forever), and a
/// folder of more than [`MAX_FILES`] files or [`MAX_BYTES`] bytes is refused.
pub fn load_chunks(dir: &Path) -> Result<Vec<Chunk>> {
    let mut files = Vec::new();
    let mut bytes = 0u64;
    collect(dir, dir, &mut files, &mut bytes)?;
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

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>, bytes: &mut u64) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        // The entry's own type: a link to a folder is a link, not a folder to walk.
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            collect(root, &path, out, bytes)?;
            continue;
        }
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("txt" | "md" | "markdown")
        ) {
            continue;
        }
        // A link to a file is read; a link to a folder is skipped.
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if !meta.is_file() {
            continue;
        }
        out.push(path);
        *bytes += meta.len();
        if out.len() > MAX_FILES {
            return Err(Error::Invalid(format!(
                "context folder {}: more than {} .txt/.md files; point `context.dir` at a \
                 smaller folder",
                root.display(),
                crate::money::count(MAX_FILES as f64)
            )));
        }
        if *bytes > MAX_BYTES {
            return Err(Error::Invalid(format!(
                "context folder {}: more than {} MiB of .txt/.md files; point `context.dir` at \
                 a smaller folder",
                root.display(),
                MAX_BYTES >> 20
            )));
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

    #[cfg(unix)]
    #[test]
    fn a_link_loop_in_a_context_folder_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(sub.join("doc.txt"), "refund policy").unwrap();
        std::os::unix::fs::symlink(dir.path(), sub.join("loop")).unwrap();
        std::os::unix::fs::symlink(dir.path(), sub.join("again")).unwrap();
        let chunks = load_chunks(dir.path()).unwrap();
        assert_eq!(
            chunks,
            [Chunk {
                source: format!("sub{}doc.txt", std::path::MAIN_SEPARATOR),
                text: "refund policy".into()
            }]
        );
    }

    #[test]
    fn a_context_folder_with_too_many_files_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..=MAX_FILES {
            std::fs::write(dir.path().join(format!("{i}.md")), "x").unwrap();
        }
        let err = load_chunks(dir.path()).unwrap_err().to_string();
        assert!(err.contains("more than 10,000 .txt/.md files"), "{err}");
        assert!(err.contains(&dir.path().display().to_string()), "{err}");
    }

    #[test]
    fn a_context_folder_with_too_many_bytes_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = std::fs::File::create(dir.path().join("big.txt")).unwrap();
        f.set_len(MAX_BYTES + 1).unwrap();
        let err = load_chunks(dir.path()).unwrap_err().to_string();
        assert!(err.contains("more than 64 MiB"), "{err}");
    }

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
