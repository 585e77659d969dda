//! Okapi BM25 (k1 = 1.2, b = 0.75) over lower-cased alphanumeric terms. Pure: builds an
//! index from texts and ranks them for a query.

use std::collections::HashMap;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// An index over a fixed list of documents, addressed by their position.
#[derive(Debug, Clone)]
pub struct Bm25 {
    /// Per document: term -> count.
    docs: Vec<HashMap<String, u32>>,
    lengths: Vec<u32>,
    avg_len: f64,
    /// term -> number of documents containing it.
    df: HashMap<String, u32>,
}

/// Lower-cased runs of letters and digits.
pub fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

impl Bm25 {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut docs = Vec::new();
        let mut lengths = Vec::new();
        let mut df: HashMap<String, u32> = HashMap::new();
        for text in texts {
            let mut tf: HashMap<String, u32> = HashMap::new();
            let mut len = 0u32;
            for t in terms(text) {
                *tf.entry(t).or_default() += 1;
                len += 1;
            }
            for t in tf.keys() {
                *df.entry(t.clone()).or_default() += 1;
            }
            docs.push(tf);
            lengths.push(len);
        }
        let avg_len = if lengths.is_empty() {
            0.0
        } else {
            lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / lengths.len() as f64
        };
        Self {
            docs,
            lengths,
            avg_len,
            df,
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The BM25 score of document `i` for the query's terms.
    pub fn score(&self, query_terms: &[String], i: usize) -> f64 {
        let n = self.docs.len() as f64;
        let len = f64::from(self.lengths[i]);
        let norm = if self.avg_len > 0.0 {
            len / self.avg_len
        } else {
            1.0
        };
        query_terms
            .iter()
            .map(|t| {
                let f = f64::from(self.docs[i].get(t).copied().unwrap_or(0));
                if f == 0.0 {
                    return 0.0;
                }
                let df = f64::from(self.df.get(t).copied().unwrap_or(0));
                let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
                idf * f * (K1 + 1.0) / (f + K1 * (1.0 - B + B * norm))
            })
            .sum()
    }

    /// The `k` best documents for `query`, best first; ties keep the earlier document.
    /// Documents with no query term score 0 and come last.
    pub fn top_k(&self, query: &str, k: usize) -> Vec<(usize, f64)> {
        let q: Vec<String> = terms(query).collect();
        let mut scored: Vec<(usize, f64)> = (0..self.docs.len())
            .map(|i| (i, self.score(&q, i)))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_sharing_rare_terms_ranks_first() {
        let idx = Bm25::new([
            "refund my invoice please",
            "where is my parcel shipping",
            "the invoice total is wrong, refund",
        ]);
        let top = idx.top_k("parcel shipping delayed", 2);
        assert_eq!(top[0].0, 1);
        assert!(top[0].1 > top[1].1);
    }

    #[test]
    fn rarer_terms_weigh_more_than_common_ones() {
        let idx = Bm25::new(["a common word", "a common rare", "a common thing"]);
        let q: Vec<String> = terms("rare").collect();
        let c: Vec<String> = terms("common").collect();
        assert!(idx.score(&q, 1) > idx.score(&c, 1));
    }

    #[test]
    fn an_empty_index_ranks_nothing() {
        assert!(Bm25::new([]).top_k("x", 3).is_empty());
    }
}
