//! Retrieval: BM25 ranking over short texts (few-shot examples, document chunks) and the
//! chunking of a folder of `.txt` / `.md` documents into passages.

pub mod bm25;
pub mod corpus;

pub use bm25::Bm25;
pub use corpus::{load_chunks, Chunk};
