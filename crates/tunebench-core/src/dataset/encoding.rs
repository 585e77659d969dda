//! Text encodings of imported files: UTF-8 (with or without BOM), UTF-16 LE/BE with a
//! BOM, and Windows-1252 for anything else that is not valid UTF-8 (reported as a warning).
//! Every reader downstream sees UTF-8.

use std::io::{self, Read};

use encoding_rs::{Decoder, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The encoding a text file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

impl TextEncoding {
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }

    /// Bytes of byte-order mark to skip.
    fn bom_len(self) -> usize {
        match self {
            TextEncoding::Utf8Bom => 3,
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => 2,
            _ => 0,
        }
    }
}

/// The encoding announced by a byte-order mark at the start of `head`, if any.
pub(crate) fn from_bom(head: &[u8]) -> Option<TextEncoding> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some(TextEncoding::Utf8Bom)
    } else if head.starts_with(&[0xFF, 0xFE]) {
        Some(TextEncoding::Utf16Le)
    } else if head.starts_with(&[0xFE, 0xFF]) {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Reads all of `r` and says whether it is valid UTF-8 (a multi-byte sequence cut by a
/// buffer boundary is carried over, not mistaken for an error).
pub(crate) fn is_utf8(mut r: impl Read) -> io::Result<bool> {
    let mut buf = vec![0u8; 1 << 16];
    let mut carry = 0usize;
    loop {
        let n = r.read(&mut buf[carry..])?;
        if n == 0 {
            return Ok(carry == 0);
        }
        let filled = carry + n;
        match std::str::from_utf8(&buf[..filled]) {
            Ok(_) => carry = 0,
            Err(e) if e.error_len().is_none() => {
                let valid = e.valid_up_to();
                buf.copy_within(valid..filled, 0);
                carry = filled - valid;
            }
            Err(_) => return Ok(false),
        }
    }
}

/// Wraps `r` (positioned at the start of the file) so that it yields UTF-8.
pub(crate) fn decoding<'a, R: Read + Send + 'a>(
    mut r: R,
    enc: TextEncoding,
) -> io::Result<Box<dyn Read + Send + 'a>> {
    let mut bom = [0u8; 3];
    r.read_exact(&mut bom[..enc.bom_len()])?;
    Ok(match enc {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => Box::new(r),
        TextEncoding::Utf16Le => Box::new(Decoding::new(
            r,
            UTF_16LE.new_decoder_without_bom_handling(),
        )),
        TextEncoding::Utf16Be => Box::new(Decoding::new(
            r,
            UTF_16BE.new_decoder_without_bom_handling(),
        )),
        TextEncoding::Windows1252 => Box::new(Decoding::new(
            r,
            WINDOWS_1252.new_decoder_without_bom_handling(),
        )),
    })
}

/// A streaming decoder to UTF-8 with fixed-size buffers.
struct Decoding<R> {
    inner: R,
    decoder: Decoder,
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    flushed: bool,
}

impl<R: Read> Decoding<R> {
    fn new(inner: R, decoder: Decoder) -> Self {
        Decoding {
            inner,
            decoder,
            raw: vec![0; 1 << 15],
            raw_start: 0,
            raw_end: 0,
            out: vec![0; 1 << 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            flushed: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        while self.out_start == self.out_end {
            if self.raw_start == self.raw_end && !self.eof {
                let n = self.inner.read(&mut self.raw)?;
                self.raw_start = 0;
                self.raw_end = n;
                self.eof = n == 0;
            }
            if self.eof && self.raw_start == self.raw_end {
                if self.flushed {
                    return Ok(());
                }
                self.flushed = true;
                // Flush whatever the decoder holds (a dangling half character becomes U+FFFD).
                let (_, _, written, _) = self.decoder.decode_to_utf8(&[], &mut self.out, true);
                self.out_start = 0;
                self.out_end = written;
                return Ok(());
            }
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.raw[self.raw_start..self.raw_end],
                &mut self.out,
                false,
            );
            self.raw_start += read;
            self.out_start = 0;
            self.out_end = written;
        }
        Ok(())
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_start == self.out_end {
            self.fill()?;
        }
        let n = (self.out_end - self.out_start).min(buf.len());
        buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], enc: TextEncoding) -> String {
        let mut s = String::new();
        decoding(bytes, enc)
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn utf16_le_with_bom_decodes_to_the_same_text() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "input,expected\nhé,1\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(
            decode_all(&bytes, TextEncoding::Utf16Le),
            "input,expected\nhé,1\n"
        );
    }

    #[test]
    fn windows_1252_bytes_become_their_characters() {
        assert_eq!(
            decode_all(b"caf\xe9 \x80", TextEncoding::Windows1252),
            "café €"
        );
    }

    #[test]
    fn a_character_cut_by_a_buffer_boundary_is_still_valid_utf8() {
        let mut text = "a".repeat((1 << 16) - 1);
        text.push('é');
        assert!(is_utf8(text.as_bytes()).unwrap());
        assert!(!is_utf8(&b"abc\xe9"[..]).unwrap());
    }
}
