//! Reading the header of a GGUF file (llama.cpp's model format) without loading it: whether
//! it is a model at all, its architecture, its parameter count and how it is quantised, so
//! a file that is not a model, or a model too large for this machine's memory, is refused
//! with its name before any process starts.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// What the header of a GGUF file says.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufInfo {
    pub path: PathBuf,
    pub file_bytes: u64,
    pub version: u32,
    /// `general.architecture`, e.g. `llama`.
    pub architecture: Option<String>,
    /// `general.name`.
    pub name: Option<String>,
    /// Total number of weights over all tensors.
    pub parameters: u64,
    /// The tensor type most of the weights use (`Q4_1`, `F32`, ...), which names the
    /// quantisation to return to after training.
    pub main_type: String,
    /// Whether the file carries a chat template (`tokenizer.chat_template`).
    pub has_chat_template: bool,
}

impl GgufInfo {
    /// Bytes of the model once dequantised to F32 (what `llama-finetune` trains).
    pub fn f32_bytes(&self) -> u64 {
        self.parameters.saturating_mul(4)
    }
}

const MAGIC: &[u8; 4] = b"GGUF";
/// Longer strings than this in a header mean the file is damaged, not a model.
const MAX_STRING: u64 = 64 << 20;
const MAX_DIMS: u32 = 8;

/// The names of ggml's tensor types by number (ggml.h), for the types a GGUF can hold.
fn type_name(t: u32) -> String {
    const NAMES: [&str; 43] = [
        "F32",
        "F16",
        "Q4_0",
        "Q4_1",
        "Q4_2",
        "Q4_3",
        "Q5_0",
        "Q5_1",
        "Q8_0",
        "Q8_1",
        "Q2_K",
        "Q3_K",
        "Q4_K",
        "Q5_K",
        "Q6_K",
        "Q8_K",
        "IQ2_XXS",
        "IQ2_XS",
        "IQ3_XXS",
        "IQ1_S",
        "IQ4_NL",
        "IQ3_S",
        "IQ2_S",
        "IQ4_XS",
        "I8",
        "I16",
        "I32",
        "I64",
        "F64",
        "IQ1_M",
        "BF16",
        "Q4_0_4_4",
        "Q4_0_4_8",
        "Q4_0_8_8",
        "TQ1_0",
        "TQ2_0",
        "IQ4_NL_4_4",
        "IQ4_NL_4_8",
        "IQ4_NL_8_8",
        "MXFP4",
        "NVFP4",
        "Q1_0",
        "Q2_0",
    ];
    NAMES
        .get(t as usize)
        .map_or_else(|| format!("type {t}"), |s| (*s).to_string())
}

struct Reader<R> {
    inner: R,
    path: PathBuf,
}

impl<R: Read> Reader<R> {
    fn bad(&self, what: impl std::fmt::Display) -> Error {
        Error::Invalid(format!(
            "{}: not a usable GGUF model: {what}",
            self.path.display()
        ))
    }
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut b = [0u8; N];
        self.inner
            .read_exact(&mut b)
            .map_err(|_| self.bad("the file ends inside its header"))?;
        Ok(b)
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    fn string(&mut self) -> Result<String> {
        let n = self.u64()?;
        if n > MAX_STRING {
            return Err(self.bad(format!("a header string claims {n} bytes")));
        }
        let mut buf = vec![0u8; n as usize];
        self.inner
            .read_exact(&mut buf)
            .map_err(|_| self.bad("the file ends inside its header"))?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
    fn skip(&mut self, n: u64) -> Result<()> {
        let copied = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink())
            .map_err(|e| self.bad(e))?;
        if copied != n {
            return Err(self.bad("the file ends inside its header"));
        }
        Ok(())
    }
    /// Reads a value of metadata type `t`; returns it when it is a string.
    fn value(&mut self, t: u32, depth: u8) -> Result<Option<String>> {
        match t {
            0 | 1 | 7 => self.skip(1)?,
            2 | 3 => self.skip(2)?,
            4..=6 => self.skip(4)?,
            10..=12 => self.skip(8)?,
            8 => return self.string().map(Some),
            9 if depth == 0 => {
                let item = self.u32()?;
                let n = self.u64()?;
                let width = match item {
                    0 | 1 | 7 => Some(1),
                    2 | 3 => Some(2),
                    4..=6 => Some(4),
                    10..=12 => Some(8),
                    _ => None,
                };
                match width {
                    Some(w) => self.skip(n.checked_mul(w).ok_or_else(|| self.bad("array"))?)?,
                    None => {
                        for _ in 0..n {
                            self.value(item, depth + 1)?;
                        }
                    }
                }
            }
            _ => return Err(self.bad(format!("unknown metadata value type {t}"))),
        }
        Ok(None)
    }
}

/// Reads the header of the GGUF file at `path`. A file that is missing, is not GGUF, or
/// has no tensors is an error naming it.
pub fn inspect(path: &Path) -> Result<GgufInfo> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let file_bytes = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut r = Reader {
        inner: BufReader::new(file),
        path: path.to_path_buf(),
    };
    let magic: [u8; 4] = r
        .bytes()
        .map_err(|_| r.bad(format!("{file_bytes} bytes, too short to be a model")))?;
    if &magic != MAGIC {
        return Err(r.bad(format!(
            "it does not start with the GGUF signature (found {:?})",
            String::from_utf8_lossy(&magic)
        )));
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(r.bad(format!("GGUF version {version} (2 and 3 are known)")));
    }
    let tensors = r.u64()?;
    let kvs = r.u64()?;
    let mut info = GgufInfo {
        path: path.to_path_buf(),
        file_bytes,
        version,
        architecture: None,
        name: None,
        parameters: 0,
        main_type: String::new(),
        has_chat_template: false,
    };
    for _ in 0..kvs {
        let key = r.string()?;
        let t = r.u32()?;
        let value = r.value(t, 0)?;
        match key.as_str() {
            "general.architecture" => info.architecture = value,
            "general.name" => info.name = value,
            "tokenizer.chat_template" => info.has_chat_template = value.is_some(),
            _ => {}
        }
    }
    if tensors == 0 {
        return Err(r.bad("it holds no tensors (a vocabulary-only file?)"));
    }
    let mut by_type: Vec<(u32, u64)> = Vec::new();
    for _ in 0..tensors {
        let _name = r.string()?;
        let dims = r.u32()?;
        if dims == 0 || dims > MAX_DIMS {
            return Err(r.bad(format!("a tensor with {dims} dimensions")));
        }
        let mut n: u64 = 1;
        for _ in 0..dims {
            n = n.saturating_mul(r.u64()?);
        }
        let t = r.u32()?;
        let _offset = r.u64()?;
        info.parameters = info.parameters.saturating_add(n);
        match by_type.iter_mut().find(|(k, _)| *k == t) {
            Some((_, c)) => *c = c.saturating_add(n),
            None => by_type.push((t, n)),
        }
    }
    if info.architecture.is_none() {
        return Err(r.bad("it has no `general.architecture`"));
    }
    info.main_type = by_type
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(t, _)| type_name(*t))
        .unwrap_or_default();
    Ok(info)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal GGUF v3 file: `kvs` string metadata and one tensor per (dims, type).
    pub(crate) fn tiny_gguf(kvs: &[(&str, &str)], tensors: &[(&[u64], u32)]) -> Vec<u8> {
        let mut b = Vec::new();
        let s = |b: &mut Vec<u8>, s: &str| {
            b.extend((s.len() as u64).to_le_bytes());
            b.extend(s.as_bytes());
        };
        b.extend(b"GGUF");
        b.extend(3u32.to_le_bytes());
        b.extend((tensors.len() as u64).to_le_bytes());
        b.extend((kvs.len() as u64 + 1).to_le_bytes());
        for (k, v) in kvs {
            s(&mut b, k);
            b.extend(8u32.to_le_bytes());
            s(&mut b, v);
        }
        // An array of u32 and one of strings, skipped without being kept.
        s(&mut b, "tokenizer.ggml.token_type");
        b.extend(9u32.to_le_bytes());
        b.extend(4u32.to_le_bytes());
        b.extend(3u64.to_le_bytes());
        b.extend([0u8; 12]);
        for (i, (dims, t)) in tensors.iter().enumerate() {
            s(&mut b, &format!("t{i}"));
            b.extend((dims.len() as u32).to_le_bytes());
            for d in *dims {
                b.extend(d.to_le_bytes());
            }
            b.extend(t.to_le_bytes());
            b.extend(0u64.to_le_bytes());
        }
        b
    }

    fn write(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        f
    }

    #[test]
    fn a_header_gives_architecture_parameters_and_the_main_quantisation() {
        let f = write(&tiny_gguf(
            &[
                ("general.architecture", "llama"),
                ("general.name", "Tiny"),
                ("tokenizer.chat_template", "{{ messages }}"),
            ],
            &[(&[64, 10], 3), (&[64], 0)],
        ));
        let info = inspect(f.path()).unwrap();
        assert_eq!(info.architecture.as_deref(), Some("llama"));
        assert_eq!(info.name.as_deref(), Some("Tiny"));
        assert_eq!(info.parameters, 704);
        assert_eq!(info.main_type, "Q4_1");
        assert_eq!(info.f32_bytes(), 2816);
        assert!(info.has_chat_template);
    }

    #[test]
    fn a_file_that_is_not_gguf_is_refused_by_name() {
        let f = write(b"{\"not\": \"a model\"}");
        let e = inspect(f.path()).unwrap_err().to_string();
        assert!(e.contains(&f.path().display().to_string()), "{e}");
        assert!(e.contains("does not start with the GGUF signature"), "{e}");
    }

    #[test]
    fn a_truncated_header_or_a_missing_file_is_refused_by_name() {
        let full = tiny_gguf(&[("general.architecture", "llama")], &[(&[8], 0)]);
        let f = write(&full[..full.len() - 5]);
        let e = inspect(f.path()).unwrap_err().to_string();
        assert!(e.contains("ends inside its header"), "{e}");
        let missing = Path::new("/nonexistent/model.gguf");
        let e = inspect(missing).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/model.gguf"), "{e}");
    }

    #[test]
    fn a_gguf_without_tensors_or_architecture_is_not_a_model() {
        let f = write(&tiny_gguf(&[("general.architecture", "llama")], &[]));
        assert!(inspect(f.path())
            .unwrap_err()
            .to_string()
            .contains("no tensors"));
        let f = write(&tiny_gguf(&[("general.name", "x")], &[(&[8], 0)]));
        assert!(inspect(f.path())
            .unwrap_err()
            .to_string()
            .contains("general.architecture"));
    }
}
