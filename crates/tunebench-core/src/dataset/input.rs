//! The file being read: a path on disk or bytes built into the app, opened as often as
//! detection and reading need, with a byte counter that progress reports read.

use std::fs::File;
use std::io::{self, Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::{Error, Result};

/// A readable, seekable byte source that can cross to the reading thread.
pub(crate) trait ByteSource: Read + Seek + Send {}
impl<T: Read + Seek + Send> ByteSource for T {}

#[derive(Debug, Clone)]
pub(crate) enum Origin {
    Path(PathBuf),
    Bytes(&'static [u8]),
}

/// A named input: `name` is what messages show (the file name).
#[derive(Debug, Clone)]
pub(crate) struct InputFile {
    pub name: String,
    pub origin: Origin,
}

impl InputFile {
    pub fn path(path: &Path) -> InputFile {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        InputFile {
            name,
            origin: Origin::Path(path.to_path_buf()),
        }
    }

    pub fn bytes(name: &str, bytes: &'static [u8]) -> InputFile {
        InputFile {
            name: name.to_string(),
            origin: Origin::Bytes(bytes),
        }
    }

    /// The file name's extension, lower-cased.
    pub fn extension(&self) -> Option<String> {
        Path::new(&self.name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
    }

    /// The file's stem, the default dataset name.
    pub fn stem(&self) -> String {
        Path::new(&self.name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.name.clone())
    }

    pub fn len(&self) -> Result<u64> {
        match &self.origin {
            Origin::Path(p) => Ok(std::fs::metadata(p).map_err(|e| self.io_error(e))?.len()),
            Origin::Bytes(b) => Ok(b.len() as u64),
        }
    }

    pub fn open(&self) -> Result<Box<dyn ByteSource>> {
        match &self.origin {
            Origin::Path(p) => {
                let meta = std::fs::metadata(p).map_err(|e| self.io_error(e))?;
                if meta.is_dir() {
                    return Err(Error::bad_file(&self.name, "", "is a folder, not a file"));
                }
                let f = File::open(p).map_err(|e| self.io_error(e))?;
                Ok(Box::new(f))
            }
            Origin::Bytes(b) => Ok(Box::new(Cursor::new(*b))),
        }
    }

    /// A missing or unreadable file is the person's input, so it is a [`Error::BadFile`].
    pub fn io_error(&self, e: io::Error) -> Error {
        let what = match e.kind() {
            io::ErrorKind::NotFound => "no such file".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied: cannot read the file".into(),
            _ => format!("cannot read the file: {e}"),
        };
        let shown = match &self.origin {
            Origin::Path(p) => p.display().to_string(),
            Origin::Bytes(_) => self.name.clone(),
        };
        Error::bad_file(shown, "", what)
    }
}

/// Counts the bytes read through it into a shared counter.
pub(crate) struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R> Counting<R> {
    pub fn new(inner: R, count: Arc<AtomicU64>) -> Self {
        Counting { inner, count }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}
