//! The price catalog: seed data, pattern lookup, the store, JSON import and export.

use tunebench_core::price::{self, Origin, PriceEntry, PriceKind, PriceMatch};
use tunebench_core::store;
use tunebench_core::ErrorCode;

fn found(m: PriceMatch) -> PriceEntry {
    match m {
        PriceMatch::Found { entry } => entry,
        PriceMatch::Missing { reason, .. } => panic!("expected a price: {reason}"),
    }
}

fn custom(pattern: &str, input: f64) -> PriceEntry {
    PriceEntry {
        provider: "openai".into(),
        model_pattern: pattern.into(),
        kind: PriceKind::FineTuned,
        input: Some(input),
        cached_input: None,
        cache_write: None,
        output: Some(1.0),
        batch_multiplier: None,
        training: None,
        training_unit: None,
        hosting_per_hour: None,
        retirement_date: None,
        source: "negotiated contract".into(),
        as_of: "2026-11-01".into(),
        origin: Origin::Custom,
    }
}

#[test]
fn the_seed_carries_prices_md_figures_with_source_date_and_retirement() {
    let seed = price::seed_entries().unwrap();
    let mini_ft = found(price::lookup(
        &seed,
        Some("openai"),
        "ft:gpt-4.1-mini-2025-04-14:acme::x1",
    ));
    assert_eq!(mini_ft.model_pattern, "ft:gpt-4.1-mini*");
    assert_eq!(
        (mini_ft.input, mini_ft.cached_input, mini_ft.output),
        (Some(0.80), Some(0.20), Some(3.20))
    );
    assert_eq!(mini_ft.training, Some(5.00));
    assert_eq!(mini_ft.retirement_date.as_deref(), Some("2027-01-14"));
    assert_eq!(mini_ft.as_of, "2026-08-21");
    assert!(mini_ft.source.contains("genai-prices"));
    let nano = found(price::lookup(&seed, None, "gpt-4.1-nano"));
    assert_eq!(nano.retirement_date.as_deref(), Some("2026-10-23"));
    let rft = found(price::lookup(
        &seed,
        None,
        "ft:o4-mini-2025-04-16:acme::rft",
    ));
    assert_eq!(rft.training, Some(100.0));
    assert_eq!(rft.training_unit, Some(price::TrainingUnit::PerHour));
    let azure = found(price::lookup(&seed, Some("azure_openai"), "my-deployment"));
    assert_eq!(azure.hosting_per_hour, Some(1.70));
    for e in &seed {
        assert!(!e.source.is_empty() && e.as_of.len() == 10, "{e:?}");
        assert_eq!(e.origin, Origin::Seed);
    }
}

#[test]
fn the_most_specific_pattern_wins() {
    let seed = price::seed_entries().unwrap();
    // `ft:gpt-4.1*` also matches, but `ft:gpt-4.1-mini*` has more literal characters.
    let e = found(price::lookup(&seed, None, "ft:gpt-4.1-mini:acme::x"));
    assert_eq!(e.input, Some(0.80));
    let e = found(price::lookup(&seed, None, "ft:gpt-4.1-2025-04-14:acme::x"));
    assert_eq!(e.input, Some(3.00));
}

#[test]
fn a_custom_entry_wins_over_the_seed() {
    let mut entries = price::seed_entries().unwrap();
    entries.push(custom("ft:gpt-4.1-mini:*", 0.55));
    let e = found(price::lookup(&entries, None, "ft:gpt-4.1-mini:acme::x"));
    assert_eq!((e.origin, e.input), (Origin::Custom, Some(0.55)));
}

#[test]
fn a_model_without_a_price_is_an_explicit_result_never_zero() {
    let seed = price::seed_entries().unwrap();
    match price::lookup(&seed, Some("openai"), "my-local-llama") {
        PriceMatch::Missing { model, reason } => {
            assert_eq!(model, "my-local-llama");
            assert!(
                reason.contains("no price for model my-local-llama"),
                "{reason}"
            );
        }
        PriceMatch::Found { entry } => panic!("matched {entry:?}"),
    }
    // The Azure entry prices hosting only: asking it for token prices is an error, not $0.
    let azure = found(price::lookup(&seed, Some("azure_openai"), "ft-chatbot"));
    let err = azure.arm_price("ft-chatbot").unwrap_err();
    assert_eq!(err.code(), ErrorCode::NoPrice);
    let asked = err
        .missing_price()
        .expect("the error names the price it wants");
    assert_eq!(
        (asked.model.as_str(), asked.provider.as_str(), asked.kind),
        ("ft-chatbot", "azure_openai", azure.kind)
    );
    assert!(
        err.to_string().contains("no price for model ft-chatbot"),
        "{err}"
    );
}

#[test]
fn seeding_is_idempotent_and_keeps_custom_rows() {
    let conn = store::open_in_memory().unwrap();
    price::seed(&conn).unwrap();
    let n = store::price::list(&conn).unwrap().len();
    assert_eq!(n, price::seed_entries().unwrap().len());
    store::price::upsert_custom(&conn, &[custom("ft:gpt-4.1-mini:*", 0.55)]).unwrap();
    price::seed(&conn).unwrap();
    let all = store::price::list(&conn).unwrap();
    assert_eq!(all.len(), n + 1);
    assert_eq!(all.iter().filter(|e| e.origin == Origin::Custom).count(), 1);
}

#[test]
fn export_then_import_round_trips_custom_prices_and_leaves_the_seed_alone() {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("a.sqlite3")).unwrap();
    price::seed(&conn).unwrap();
    store::price::upsert_custom(&conn, &[custom("ft:gpt-4.1-mini:*", 0.55)]).unwrap();
    let file = dir.path().join("prices.json");
    let n = price::export_file(&conn, &file).unwrap();
    assert_eq!(n as usize, store::price::list(&conn).unwrap().len());

    let other = store::open(&dir.path().join("other.sqlite3")).unwrap();
    price::seed(&other).unwrap();
    let summary = price::import_file(&other, &file).unwrap();
    assert_eq!(summary.imported, 1);
    assert_eq!(
        summary.skipped_seed as usize,
        price::seed_entries().unwrap().len()
    );
    assert_eq!(
        store::price::list(&other).unwrap(),
        store::price::list(&conn).unwrap()
    );
}

#[test]
fn a_bad_import_names_file_entry_and_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let conn = store::open(&dir.path().join("a.sqlite3")).unwrap();
    let file = dir.path().join("bad.json");
    std::fs::write(
        &file,
        r#"{"prices": [
            {"provider": "openai", "model_pattern": "a", "kind": "base", "input": 1, "output": 2, "source": "s", "as_of": "2026-01-01"},
            {"provider": "openai", "model_pattern": "b", "kind": "base", "input": "cheap", "output": 2, "source": "s", "as_of": "2026-01-01"}
        ]}"#,
    )
    .unwrap();
    let err = price::import_file(&conn, &file).unwrap_err();
    assert!(err.is_bad_input());
    let msg = err.to_string();
    assert!(
        msg.contains("bad.json") && msg.contains("prices[1]") && msg.contains("`input`"),
        "{msg}"
    );
    assert!(
        store::price::list(&conn)
            .unwrap()
            .iter()
            .all(|e| e.origin == Origin::Seed),
        "the valid first entry must not be written"
    );

    for (body, needle) in [
        (
            r#"{"prices": [{"provider": "x", "model_pattern": "m", "kind": "base", "source": "s", "as_of": "29/11/2026"}]}"#,
            "`as_of`",
        ),
        (
            r#"{"prices": [{"provider": "x", "model_pattern": "m", "kind": "tuned", "source": "s", "as_of": "2026-11-29"}]}"#,
            "`kind`",
        ),
        (
            r#"{"prices": [{"provider": "x", "model_pattern": "m", "kind": "base", "training": 3, "source": "s", "as_of": "2026-11-29"}]}"#,
            "`training_unit`",
        ),
        (
            r#"{"prices": [{"provider": "x", "model_pattern": "m", "kind": "base", "inptu": 3, "source": "s", "as_of": "2026-11-29"}]}"#,
            "`inptu`",
        ),
        (
            r#"{"prices": [{"provider": "x", "model_pattern": "m", "kind": "base", "output": -1, "source": "s", "as_of": "2026-11-29"}]}"#,
            "`output`",
        ),
        ("{\"prices\": [\n{,}]}", "line 2"),
    ] {
        std::fs::write(&file, body).unwrap();
        let err = price::import_file(&conn, &file).unwrap_err();
        assert!(err.is_bad_input(), "{err}");
        assert!(err.to_string().contains(needle), "{needle} in {err}");
    }
}

#[test]
fn an_arm_priced_from_the_catalog_takes_prices_training_and_retirement_from_its_entry() {
    use tunebench_core::cost::{ArmAssumptions, Estimate, TokenBasis, TokenUsage, TrainingPlan};
    let seed = price::seed_entries().unwrap();
    let entry = found(price::lookup(
        &seed,
        Some("openai"),
        "ft:gpt-4.1-nano:acme::x",
    ));
    let tokens = TokenUsage {
        input: Estimate::exact(350.0),
        cached_input: Estimate::exact(0.0),
        output: Estimate::exact(100.0),
        basis: TokenBasis::Measured { n: 412 },
    };
    let plan = TrainingPlan {
        tokens: 1.5e6,
        epochs: 1.0,
        hours: 0.0,
        data_prep_cost: 0.0,
        retrain_every_months: 3.0,
    };
    let arm = ArmAssumptions::from_price(
        "fine-tuned",
        "ft:gpt-4.1-nano:acme::x",
        &entry,
        tokens,
        Some(plan),
    )
    .unwrap();
    assert_eq!(
        (
            arm.price.input,
            arm.price.output,
            arm.price.batch_multiplier
        ),
        (0.20, 0.80, 0.5)
    );
    assert_eq!(arm.training.unwrap().cost_per_run(), 2.25);
    assert_eq!(arm.retirement_date.as_deref(), Some("2026-10-23"));

    let base = found(price::lookup(&seed, Some("openai"), "gpt-4.1-mini"));
    let err =
        ArmAssumptions::from_price("p", "gpt-4.1-mini", &base, tokens, Some(plan)).unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::NoPrice,
        "a base model has no training price: {err}"
    );
}

#[test]
fn a_price_edited_in_the_app_is_validated_saved_as_custom_and_deletable() {
    let conn = store::open_in_memory().unwrap();
    price::seed(&conn).unwrap();
    let mut entry = custom("ft:gpt-4.1-mini:*", 0.55);
    entry.origin = Origin::Seed; // whatever the UI sends, an edit is custom
    price::save_custom(&conn, &entry).unwrap();
    let m = found(price::lookup_model(&conn, None, "ft:gpt-4.1-mini:acme::x").unwrap());
    assert_eq!((m.origin, m.input), (Origin::Custom, Some(0.55)));

    let mut bad = custom("ft:x:*", 1.0);
    bad.as_of = "yesterday".into();
    let err = price::save_custom(&conn, &bad).unwrap_err();
    assert!(
        err.is_bad_input() && err.to_string().contains("`as_of`"),
        "{err}"
    );

    price::delete_custom(&conn, "openai", "ft:gpt-4.1-mini:*", PriceKind::FineTuned).unwrap();
    let m = found(price::lookup_model(&conn, None, "ft:gpt-4.1-mini:acme::x").unwrap());
    assert_eq!(
        (m.origin, m.input),
        (Origin::Seed, Some(0.80)),
        "the seed applies again"
    );
    let err = price::delete_custom(&conn, "openai", "ft:gpt-4.1-mini:*", PriceKind::FineTuned)
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

#[test]
fn every_per_token_row_of_prices_md_is_seeded_as_written() {
    // (pattern, input, cached input, output, training, as-of, retirement) from PRICES.md.
    type Row = (
        &'static str,
        f64,
        f64,
        f64,
        Option<f64>,
        &'static str,
        Option<&'static str>,
    );
    let rows: [Row; 14] = [
        (
            "gpt-4.1",
            2.00,
            0.50,
            8.00,
            None,
            "2026-08-21",
            Some("2027-01-14"),
        ),
        (
            "ft:gpt-4.1*",
            3.00,
            0.75,
            12.00,
            Some(25.00),
            "2026-08-21",
            Some("2027-01-14"),
        ),
        (
            "gpt-4.1-mini",
            0.40,
            0.10,
            1.60,
            None,
            "2026-08-21",
            Some("2027-01-14"),
        ),
        (
            "ft:gpt-4.1-mini*",
            0.80,
            0.20,
            3.20,
            Some(5.00),
            "2026-08-21",
            Some("2027-01-14"),
        ),
        (
            "gpt-4.1-nano",
            0.10,
            0.025,
            0.40,
            None,
            "2026-08-21",
            Some("2026-10-23"),
        ),
        (
            "ft:gpt-4.1-nano*",
            0.20,
            0.05,
            0.80,
            Some(1.50),
            "2026-08-21",
            Some("2026-10-23"),
        ),
        (
            "gpt-4o-mini-2024-07-18",
            0.15,
            0.075,
            0.60,
            None,
            "2025-09-05",
            Some("2027-01-14"),
        ),
        (
            "ft:gpt-4o-mini*",
            0.30,
            0.15,
            1.20,
            Some(3.00),
            "2025-09-05",
            Some("2027-01-14"),
        ),
        (
            "gpt-4o-2024-08-06",
            2.50,
            1.25,
            10.00,
            None,
            "2025-09-05",
            Some("2027-01-14"),
        ),
        (
            "ft:gpt-4o-2024-08-06*",
            3.75,
            1.875,
            15.00,
            Some(25.00),
            "2025-09-05",
            Some("2027-01-14"),
        ),
        (
            "ft:o4-mini*",
            4.00,
            1.00,
            16.00,
            Some(100.00),
            "2026-11-29",
            None,
        ),
        ("gpt-5.4-mini", 0.75, 0.075, 4.50, None, "2026-05-04", None),
        ("gpt-5.4-nano", 0.20, 0.02, 1.25, None, "2026-05-04", None),
        ("gpt-6-luna", 0.10, 0.01, 0.50, None, "2026-10-01", None),
    ];
    let seed = price::seed_entries().unwrap();
    for (pattern, input, cached, output, training, as_of, retires) in rows {
        let e = seed
            .iter()
            .find(|e| e.provider == "openai" && e.model_pattern == pattern)
            .unwrap_or_else(|| panic!("{pattern} is not seeded"));
        assert_eq!(
            (e.input, e.cached_input, e.output, e.training),
            (Some(input), Some(cached), Some(output), training),
            "{pattern}"
        );
        assert_eq!(
            (e.as_of.as_str(), e.retirement_date.as_deref()),
            (as_of, retires),
            "{pattern}"
        );
    }
}
