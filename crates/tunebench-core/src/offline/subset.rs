//! The offline test's own small dataset: a seeded, label-balanced subset of a labelled
//! dataset (train rows from its train split and held-out cases from its test split when it
//! has them, else disjoint draws from all its rows), each input cut to its beginning. It is
//! written as a CSV next to the store and imported like any file, so it is an ordinary
//! dataset a person can open, and re-running the test never touches the source.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use super::OfflineOptions;
use crate::dataset::{self, ImportOptions};
use crate::{store, Error, Result};

/// One row of the subset.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub id: String,
    pub input: String,
    pub expected: String,
}

/// The rows chosen for the offline test.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    /// The source dataset's name.
    pub dataset: String,
    pub train: Vec<Row>,
    pub test: Vec<Row>,
}

/// The beginning of `text`: at most `max_chars` characters (all when 0), trailing space cut.
fn cut(text: &str, max_chars: u32) -> String {
    if max_chars == 0 {
        return text.to_string();
    }
    text.chars()
        .take(max_chars as usize)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// `rows` shuffled with `seed`, then dealt label by label in turn (the labels sorted), so
/// the first n rows carry every label as evenly as the rows allow.
fn balanced(rows: Vec<Row>, seed: u64) -> Vec<Row> {
    let mut rows = rows;
    fastrand::Rng::with_seed(seed).shuffle(&mut rows);
    let mut by_label: BTreeMap<String, std::collections::VecDeque<Row>> = BTreeMap::new();
    for r in rows {
        by_label.entry(r.expected.clone()).or_default().push_back(r);
    }
    let mut out = Vec::new();
    loop {
        let mut any = false;
        for queue in by_label.values_mut() {
            if let Some(r) = queue.pop_front() {
                out.push(r);
                any = true;
            }
        }
        if !any {
            return out;
        }
    }
}

/// Chooses the rows of dataset `dataset_id` for the offline test of `options`.
pub fn pick(
    conn: &rusqlite::Connection,
    dataset_id: i32,
    options: &OfflineOptions,
) -> Result<Picked> {
    let name = store::dataset::name(conn, dataset_id)?;
    let (mut train, mut test, mut other) = (Vec::new(), Vec::new(), Vec::new());
    let mut blank = 0u32;
    store::example::for_each(conn, dataset_id, None, |e| {
        if e.expected.trim().is_empty() {
            blank += 1;
            return Ok(());
        }
        let row = Row {
            id: e
                .external_id
                .unwrap_or_else(|| format!("row-{}", e.ordinal)),
            input: cut(&e.input, options.max_chars),
            expected: e.expected.trim().to_string(),
        };
        match e.split.as_str() {
            "train" => train.push(row),
            "test" => test.push(row),
            _ => other.push(row),
        }
        Ok(())
    })?;
    let seed = u64::from(options.seed);
    let (n_train, n_test) = (options.train_rows as usize, options.test_cases as usize);
    let (mut train, mut test) = if !train.is_empty() && !test.is_empty() {
        (balanced(train, seed), balanced(test, seed ^ 1))
    } else {
        // No split yet: one seeded deal of every row, the held-out cases first.
        other.append(&mut train);
        other.append(&mut test);
        let mut all = balanced(other, seed);
        let held_out: Vec<Row> = all.drain(..n_test.min(all.len())).collect();
        (all, held_out)
    };
    test.truncate(n_test);
    // Cutting inputs to their beginning can make a train row repeat a held-out one (two
    // e-mails with the same subject line); such a row would leak the test into the
    // fine-tune, which refuses it, so it is never chosen.
    let held_out: std::collections::HashSet<String> =
        test.iter().map(|r| dataset::normalise(&r.input)).collect();
    train.retain(|r| !held_out.contains(&dataset::normalise(&r.input)));
    train.truncate(n_train);
    let labels: std::collections::BTreeSet<&str> =
        train.iter().map(|r| r.expected.as_str()).collect();
    if labels.len() < 2 || labels.len() > 20 {
        return Err(Error::Invalid(format!(
            "dataset `{name}`: the offline test needs a labelled dataset (2 to 20 labels in its \
             train rows); the {} rows chosen carry {} distinct expected values{}",
            train.len(),
            labels.len(),
            if blank > 0 {
                format!(" ({blank} rows have no expected value)")
            } else {
                String::new()
            }
        )));
    }
    if train.len() < 2 || test.is_empty() {
        return Err(Error::Invalid(format!(
            "dataset `{name}` has {} usable train rows and {} held-out cases; the offline test \
             needs at least 2 and 1",
            train.len(),
            test.len()
        )));
    }
    Ok(Picked {
        dataset: name,
        train,
        test,
    })
}

/// Writes `picked` as `<folder of the store>/offline/<name>.csv` (id, input, expected,
/// split) and imports it as a new dataset; returns its id.
pub fn store_subset(
    conn: &rusqlite::Connection,
    db_path: &Path,
    picked: &Picked,
    options: &OfflineOptions,
) -> Result<i32> {
    let dir = db_path.parent().unwrap_or(Path::new(".")).join("offline");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let stem = format!(
        "{} offline {}+{} rows",
        picked.dataset.replace(['/', '\\', ':'], "-"),
        picked.train.len(),
        picked.test.len()
    );
    let path = dir.join(format!("{stem} seed {}.csv", options.seed));
    let mut out = csv::Writer::from_path(&path).map_err(|e| csv_error(&path, e))?;
    let rows = [("train", &picked.train), ("test", &picked.test)];
    out.write_record(["id", "input", "expected", "split"])
        .map_err(|e| csv_error(&path, e))?;
    for (split, list) in rows {
        for r in list.iter() {
            out.write_record([r.id.as_str(), r.input.as_str(), r.expected.as_str(), split])
                .map_err(|e| csv_error(&path, e))?;
        }
    }
    out.flush().map_err(|e| Error::io(&path, e))?;
    drop(out);
    let never = AtomicBool::new(false);
    let outcome = dataset::import(conn, &path, &ImportOptions::default(), &mut |_| {}, &never)?;
    Ok(outcome.dataset_id)
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    Error::Internal(format!(
        "{}: writing the offline subset: {e}",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: usize, label: &str) -> Row {
        Row {
            id: i.to_string(),
            input: format!("text {i}"),
            expected: label.into(),
        }
    }

    #[test]
    fn a_balanced_deal_alternates_labels_until_one_runs_out() {
        let mut rows: Vec<Row> = (0..6).map(|i| row(i, "ham")).collect();
        rows.extend((6..8).map(|i| row(i, "spam")));
        let dealt = balanced(rows.clone(), 7);
        let labels: Vec<&str> = dealt.iter().map(|r| r.expected.as_str()).collect();
        assert_eq!(
            labels,
            ["ham", "spam", "ham", "spam", "ham", "ham", "ham", "ham"]
        );
        // Every row dealt once; the same seed deals the same order.
        let mut ids: Vec<&str> = dealt.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["0", "1", "2", "3", "4", "5", "6", "7"]);
        assert_eq!(balanced(rows, 7), dealt);
    }

    #[test]
    fn a_train_row_that_repeats_a_held_out_input_once_cut_is_never_chosen() {
        let conn = crate::store::open_in_memory().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("mail.csv");
        // Rows 0 and 1 differ only after their first 12 characters; with the held-out
        // case drawn from the test split, the train copy of its beginning must be left out.
        std::fs::write(
            &csv,
            "input,expected,split\n\
             Subject: WIN a prize now,spam,test\n\
             subject: win a PRIZE tomorrow,spam,train\n\
             Subject: lunch,ham,train\n\
             Subject: cheap pills,spam,train\n\
             Subject: meeting notes,ham,train\n\
             Subject: minutes,ham,test\n",
        )
        .unwrap();
        let never = AtomicBool::new(false);
        let id = dataset::import(&conn, &csv, &ImportOptions::default(), &mut |_| {}, &never)
            .unwrap()
            .dataset_id;
        let options = OfflineOptions {
            train_rows: 10,
            test_cases: 2,
            max_chars: 16,
            ..OfflineOptions::default()
        };
        let picked = pick(&conn, id, &options).unwrap();
        let train: Vec<&str> = picked.train.iter().map(|r| r.input.as_str()).collect();
        assert_eq!(picked.test.len(), 2);
        assert_eq!(train.len(), 3, "{train:?}");
        assert!(
            !train
                .iter()
                .any(|t| t.to_lowercase().contains("win a prize")),
            "{train:?}"
        );
    }

    #[test]
    fn inputs_are_cut_to_their_beginning_on_a_character_boundary() {
        assert_eq!(cut("Subject: héllo world", 14), "Subject: héllo");
        assert_eq!(cut("abc  ", 5), "abc");
        assert_eq!(cut("whole", 0), "whole");
    }
}
