//! The decision's cost reasons read against the cost model, through the store as the app
//! does it (a run, its saved cost scenario, the team's answers): which arm is cheaper at the
//! team's volume and where that flips, one volume throughout, the knowledge cadence as the
//! retraining cadence, and a trained arm without a training price named as missing.

use rusqlite::{params, Connection};
use tunebench_core::cost::{self, Hosting, Scenario};
use tunebench_core::decision::{KnowledgeCadence, Questions, ReasonKind, Recommendation, Supports};
use tunebench_core::report::{decide, save_run_scenario, DecisionView};
use tunebench_core::store;

use crate::cost::prices_md_example;
use crate::support::temp_db;

const TODAY: &str = "2026-06-01";

/// A completed run of two arms (A prompting, B fine-tuned) on ten test cases, with 600
/// train examples. Arm prices go in the arms' `params`; `b_price` is arm B's price object.
fn seed_run(conn: &Connection, provider_kind: &str, b_model: &str, b_price: &str) -> i32 {
    conn.execute_batch(&format!(
        "INSERT INTO dataset (id, name, source_file, source_format, imported_at, row_count)
             VALUES (1, 'tickets', 'tickets.csv', 'csv', '2026-01-01T00:00:00Z', 610);
         INSERT INTO provider (id, name, kind, base_url) VALUES (1, 'p', '{provider_kind}', 'http://127.0.0.1:9/v1');
         INSERT INTO arm (id, name, kind, provider_id, model, created_at, params)
             VALUES (1, 'prompting', 'prompt', 1, 'base-model', '2026-01-01T00:00:00Z',
                     '{{\"price\":{{\"input\":0.40,\"output\":1.60}}}}'),
                    (2, 'fine-tuned', 'fine_tuned', 1, '{b_model}', '2026-01-01T00:00:00Z', '{b_price}');
         INSERT INTO experiment (id, name, dataset_id, split, primary_metric, margin_kind, margin_value, labels, created_at)
             VALUES (1, 'support', 1, 'test', 'accuracy', 'relative', 0.05, '[\"billing\",\"shipping\"]', '2026-01-01T00:00:00Z');
         INSERT INTO experiment_arm (experiment_id, arm_id, position) VALUES (1, 1, 0), (1, 2, 1);
         INSERT INTO run (id, experiment_id, started_at, finished_at, status)
             VALUES (1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'completed');"
    ))
    .unwrap();
    // 600 train examples of 400 characters (100 tokens) each: 60,000 training tokens.
    for i in 0..600 {
        conn.execute(
            "INSERT INTO example (id, dataset_id, ordinal, input, expected, split)
             VALUES (?1, 1, ?2, ?3, 'billing', 'train')",
            params![1000 + i, i, "x".repeat(393)],
        )
        .unwrap();
    }
    for i in 0..10 {
        let expected = if i % 2 == 0 { "billing" } else { "shipping" };
        conn.execute(
            "INSERT INTO example (id, dataset_id, ordinal, input, expected, split)
             VALUES (?1, 1, ?2, ?3, ?4, 'test')",
            params![100 + i, 600 + i, format!("case {i}"), expected],
        )
        .unwrap();
        for (arm, prompt) in [(1, 2300), (2, 350)] {
            conn.execute(
                "INSERT INTO result (run_id, arm_id, example_id, output, prompt_tokens,
                                     completion_tokens, latency_ms, created_at)
                 VALUES (1, ?1, ?2, ?3, ?4, 100, 50.0, '2026-01-01T00:00:30Z')",
                params![arm, 100 + i, expected, prompt],
            )
            .unwrap();
        }
    }
    1
}

/// A fine-tuned arm priced with a training price of $1,000 per 1M tokens.
const TRAINED: &str = r#"{"price":{"input":0.20,"output":0.80,"training":1000.0}}"#;

/// The team's answers at `queries_per_day`. Quality parity is enough for them: the seeded
/// arms answer alike, and these tests weigh what cost alone says (the quality rule that a
/// tie keeps prompting by default has its own tests).
fn questions(queries_per_day: f64, knowledge: KnowledgeCadence) -> Questions {
    Questions {
        queries_per_day,
        knowledge_change: knowledge,
        labelled_examples: 1000,
        quality_parity_enough: true,
        ..Questions::default()
    }
}

/// The decision of a run whose cost scenario is `s` (saved with it, as the crossover
/// screen does), under `q`.
fn decide_with(s: Option<&Scenario>, b_price: &str, q: &Questions) -> DecisionView {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run = seed_run(&conn, "openai", "ft-model", b_price);
    if let Some(s) = s {
        save_run_scenario(&conn, run, s, "2026-06-01T00:00:00Z").unwrap();
    }
    decide(&conn, &db.path, run, TODAY, Some(q)).unwrap()
}

fn cost_reason(r: &Recommendation) -> (String, Supports) {
    let reason = r
        .reasons
        .iter()
        .find(|x| x.kind == ReasonKind::Cost)
        .unwrap_or_else(|| panic!("no cost reason in {r:#?}"));
    (reason.text.clone(), reason.supports)
}

/// Case 1: fine-tuned $0.00015 a query, prompting $0.00108, no training or hosting.
fn case_1() -> Scenario {
    let mut s = prices_md_example(0.0);
    s.today = TODAY.into();
    s.arm_b.training = None;
    s
}

/// Case 2: prompting hosted at $10/h at $0.00108 a query; fine-tuned $0.00312 a query and
/// $2.25 of training a month.
fn case_2() -> Scenario {
    let mut s = prices_md_example(0.0);
    s.today = TODAY.into();
    s.arm_a.hosting = Hosting::Hourly { per_hour: 10.0 };
    s.arm_b.tokens = prices_md_example(0.0).arm_a.tokens;
    s.arm_b.tokens.output = cost::Estimate::exact(400.0);
    s.arm_b.price.input = 0.80;
    s.arm_b.price.output = 3.20;
    s
}

/// Case 3: case 1 with the fine-tuned arm on provisioned units of $0.20 an hour, 11,000
/// queries a day each, peak twice the mean.
fn case_3() -> Scenario {
    let mut s = case_1();
    s.arm_b.hosting = Hosting::Provisioned {
        per_unit_hour: 0.20,
        unit_queries_per_day: 11_000.0,
        peak_to_mean: 2.0,
    };
    s
}

/// What the reader sees of a decision: the headline, then each reason with its side.
fn shown(r: &Recommendation) -> String {
    let mut out = format!("{}\n", r.headline);
    for x in &r.reasons {
        out.push_str(&format!("- {:?}: {}\n", x.supports, x.text));
    }
    for c in &r.conflicts {
        out.push_str(&format!("! {c}\n"));
    }
    out
}

#[test]
fn the_decision_names_the_arm_cheaper_at_the_teams_volume_and_where_that_flips() {
    // (case, scenario, team's volume, knowledge cadence, side, what the reason must say)
    type Case = (
        &'static str,
        Scenario,
        f64,
        KnowledgeCadence,
        Supports,
        &'static [&'static str],
    );
    let cases: [Case; 4] = [
        (
            "case 1: cheaper at every volume is a cost win",
            case_1(),
            10_000.0,
            KnowledgeCadence::Quarterly,
            Supports::FineTune,
            &[
                "cheaper at every volume",
                "fine-tuned $45.60 vs prompting $328 a month",
            ],
        ),
        (
            "case 2: fine-tuning is cheaper below the crossing (monthly knowledge, no hybrid arm measured: not yet)",
            case_2(),
            10_000.0,
            KnowledgeCadence::Monthly,
            Supports::FineTune,
            &[
                "fine-tuned arm is cheaper at your 10,000 queries/day",
                "fine-tuned $951 vs prompting $7,628 a month",
                "up to 117,675 queries/day, prompting above",
            ],
        ),
        (
            "case 2 above the crossing: prompting is cheaper",
            case_2(),
            150_000.0,
            KnowledgeCadence::Monthly,
            Supports::Against,
            &[
                "Prompting is cheaper at your 150,000 queries/day",
                "from 117,675 queries/day, the fine-tuned arm below",
            ],
        ),
        (
            "case 3: step hosting makes the fine-tuned arm dearer again at 50,000/day",
            case_3(),
            50_000.0,
            KnowledgeCadence::Quarterly,
            Supports::Against,
            &[
                "Prompting is cheaper at your 50,000 queries/day",
                "fine-tuned $1,688 vs prompting $1,642 a month",
                "the fine-tuned arm below and above",
            ],
        ),
    ];
    for (name, s, v, knowledge, supports, says) in cases {
        let view = decide_with(Some(&s), TRAINED, &questions(v, knowledge));
        let (text, side) = cost_reason(&view.recommendation);
        assert_eq!(side, supports, "{name}: {text}");
        for part in says {
            assert!(text.contains(part), "{name}: {text:?} lacks {part:?}");
        }
    }
}

#[test]
fn the_decision_report_of_cases_1_2_and_3_reads_as_the_reader_sees_it() {
    for (name, s, v, knowledge) in [
        ("case_1", case_1(), 10_000.0, KnowledgeCadence::Quarterly),
        ("case_2", case_2(), 10_000.0, KnowledgeCadence::Monthly),
        ("case_3", case_3(), 50_000.0, KnowledgeCadence::Quarterly),
    ] {
        let view = decide_with(Some(&s), TRAINED, &questions(v, knowledge));
        insta::assert_snapshot!(format!("decision_cost_{name}"), shown(&view.recommendation));
    }
}

#[test]
fn every_figure_of_a_decision_is_at_the_teams_volume_not_the_scenarios() {
    // The scenario is saved at 1,000 queries/day; the team expects 50,000.
    let s = case_1();
    assert_eq!(s.queries_per_day, 1000.0);
    let view = decide_with(
        Some(&s),
        TRAINED,
        &questions(50_000.0, KnowledgeCadence::Quarterly),
    );
    let (text, _) = cost_reason(&view.recommendation);
    // At 50,000/day: 30.4 · 50,000 · $0.00015 = $228.00 and · $0.00108 = $1,641.60.
    assert!(
        text.contains("fine-tuned $228 vs prompting $1,642 a month"),
        "{text}"
    );
    let (a, b) = view.evidence.monthly_cost.both().unwrap();
    assert!(
        (a - 1641.6).abs() < 1e-6 && (b - 228.0).abs() < 1e-6,
        "the evidence shown is at the team's volume too: {a}, {b}"
    );
}

#[test]
fn the_knowledge_cadence_sets_the_retraining_cadence_the_cost_is_worked_out_at() {
    // One run: 60,000 tokens × 3 epochs at $1,000 per 1M = $180 (measured scenario).
    for (knowledge, every, monthly, dollars) in [
        (
            KnowledgeCadence::Weekly,
            "every week",
            180.0 * 52.0 / 12.0,
            "$780 of",
        ),
        (KnowledgeCadence::Monthly, "every month", 180.0, "$180 of"),
        (
            KnowledgeCadence::Quarterly,
            "every three months",
            60.0,
            "$60.00 of",
        ),
        (KnowledgeCadence::Rarely, "once a year", 15.0, "$15.00 of"),
    ] {
        let view = decide_with(None, TRAINED, &questions(10_000.0, knowledge));
        let e = &view.evidence;
        let r = e.retraining_monthly_cost.expect("a trained arm");
        assert!((r - monthly).abs() < 1e-6, "{knowledge:?}: ${r} a month");
        let text = &view
            .recommendation
            .reasons
            .iter()
            .find(|x| x.kind == ReasonKind::Retraining)
            .unwrap()
            .text;
        assert!(
            text.contains(&format!("retraining {every}")) && text.contains(dollars),
            "{knowledge:?}: {text} (expected {dollars})"
        );
    }
}

#[test]
fn a_fine_tuned_arm_without_a_training_price_is_a_missing_price_not_zero() {
    let untrained_price = r#"{"price":{"input":0.20,"output":0.80}}"#;
    let view = decide_with(
        None,
        untrained_price,
        &questions(10_000.0, KnowledgeCadence::Quarterly),
    );
    let note = view.cost_note.as_deref().expect("cost is not priced");
    assert!(
        note.contains("ft-model") && note.contains("no training price"),
        "{note}"
    );
    let (text, side) = cost_reason(&view.recommendation);
    assert_eq!(side, Supports::Neutral);
    assert!(
        text.starts_with("Cost is not weighed: no price for model ft-model"),
        "{text}"
    );
}

#[test]
fn a_model_on_an_openai_compatible_provider_is_not_priced_from_azures_wildcard() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    tunebench_core::price::seed(&conn).unwrap();
    // No own price: only the catalog could price `my-llama`, and it has no entry for it.
    let run = seed_run(&conn, "openai_compatible", "my-llama", "{}");
    let err = tunebench_core::report::run_scenario(&conn, run, TODAY, None).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("no price for model"), "{text}");
    assert!(!text.contains("azure_openai"), "{text}");
}

mod claims;

/// The Markdown decision report of a run whose cost scenario is `s`, under `q`.
fn document(s: &Scenario, q: &Questions) -> String {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run = seed_run(&conn, "openai", "ft-model", TRAINED);
    save_run_scenario(&conn, run, s, "2026-06-01T00:00:00Z").unwrap();
    let out = db.path.with_file_name("decision.md");
    let d = tunebench_core::report::run_decision(
        &conn,
        &db.path,
        run,
        TODAY,
        &tunebench_core::report::ReportOptions::default(),
    )
    .unwrap();
    tunebench_core::report::render(
        &conn,
        &db.path,
        &d,
        TODAY,
        q,
        tunebench_core::report::DocFormat::Markdown,
        &out,
    )
    .unwrap();
    std::fs::read_to_string(&out).unwrap()
}

/// The cost section of a Markdown report: its table's lines, then the paragraph under it.
fn cost_section(doc: &str) -> (String, String) {
    let section = &doc[doc.find("## Cost").expect("a cost section")..];
    let table: Vec<&str> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    let after = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .skip_while(|l| l.starts_with('|'))
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    (table.join("\n"), after.to_string())
}

#[test]
fn the_reports_cost_section_is_at_the_teams_volume_and_names_the_arm_cheaper_there() {
    // Saved at 10,000 queries a day; the team expects 50,000, where provisioned units make
    // prompting cheaper again although fine-tuning first breaks even at 5,164.
    let mut s = case_3();
    s.queries_per_day = 10_000.0;
    let q = questions(50_000.0, KnowledgeCadence::Quarterly);
    let doc = document(&s, &q);
    let (table, sentence) = cost_section(&doc);
    assert!(
        table.starts_with("| at 50,000 queries/day |"),
        "the table is at the team's volume: {table}"
    );
    assert!(
        sentence.contains(
            "At 50,000 queries/day prompting is cheaper, from 49,500 to 51,641 queries/day: \
             fine-tuned $1,688 vs prompting $1,642 a month"
        ),
        "{sentence}"
    );
    assert!(
        !sentence.starts_with("Break-even: 5,164"),
        "not only the first crossing: {sentence}"
    );
    // The decision's cost reason says the same arm and the same figures.
    let view = decide_with(Some(&s), TRAINED, &q);
    let (reason, supports) = cost_reason(&view.recommendation);
    assert_eq!(supports, Supports::Against, "{reason}");
    assert!(
        reason.contains("fine-tuned $1,688 vs prompting $1,642 a month"),
        "{reason}"
    );
}

#[test]
fn every_dollar_figure_under_the_reports_cost_table_is_one_the_table_shows() {
    // The fine-tuned arm hosted at $0.10 an hour with its training: dearer than prompting
    // before training at 1,000 queries a day, so its training is never paid back.
    let mut s = case_1();
    s.queries_per_day = 1_000.0;
    s.arm_b.training = prices_md_example(0.0).arm_b.training;
    s.arm_b.hosting = Hosting::Hourly { per_hour: 0.10 };
    let doc = document(&s, &questions(1_000.0, KnowledgeCadence::Monthly));
    let (table, sentence) = cost_section(&doc);
    assert!(sentence.contains("never paid back"), "{sentence}");
    let figures: Vec<&str> = sentence
        .split(|c: char| c.is_whitespace() || "();:".contains(c))
        .filter(|w| w.starts_with('$'))
        .map(|w| w.trim_end_matches(['.', ',']))
        .collect();
    assert!(figures.len() >= 4, "{sentence}");
    for f in figures {
        assert!(
            table.contains(&format!("| {f} |")) || table.contains(&format!("| {f}\n")),
            "{f} of {sentence:?} is not in the cost table:\n{table}"
        );
    }
}
