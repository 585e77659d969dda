//! Format compliance: errors counted apart from answers outside the format, a run where
//! neither arm answers within the taxonomy, and answers checked against an arm's JSON schema.

use super::*;

#[test]
fn format_checks_count_errors_apart_from_answers_outside_the_format() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    use tunebench_core::decision::{FormatCounts, FormatNeed};
    let taxonomy = r
        .format_checks
        .iter()
        .find(|c| c.need == FormatNeed::Taxonomy)
        .unwrap();
    assert_eq!(
        taxonomy.prompting,
        FormatCounts {
            compliant: 17,
            non_compliant: 1,
            errors: 2
        },
        "'no idea' is outside the taxonomy; the two timeouts are errors"
    );
    assert_eq!(taxonomy.fine_tuned.compliant, 20);
    // A only: none; B only: case 17 and the two timeouts.
    assert!(
        (taxonomy.p_value - 0.25).abs() < 1e-12,
        "{}",
        taxonomy.p_value
    );
    let json = r
        .format_checks
        .iter()
        .find(|c| c.need == FormatNeed::Json)
        .unwrap();
    assert_eq!(
        json.prompting,
        FormatCounts {
            compliant: 0,
            non_compliant: 18,
            errors: 2
        },
        "a bare label is not JSON"
    );
}

#[test]
fn a_run_where_neither_arm_answers_within_the_taxonomy_says_so_and_decides_not_yet() {
    use tunebench_core::decision::{Choice, Questions};
    use tunebench_core::report::run_decision;
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let junk: Answers = std::array::from_fn(|i| {
        Some(if i < 15 {
            "I am not sure."
        } else {
            "Sure! Here is the label"
        })
    });
    let run_id = seed_run(&conn, &junk, &junk);
    let d = run_decision(
        &conn,
        &db.path,
        run_id,
        "2026-11-29",
        &ReportOptions::default(),
    )
    .unwrap();
    let warning = d.report.task_warning.clone().unwrap();
    assert_eq!(
        warning,
        "Neither arm does the task: accuracy is 0.000 for prompting and 0.000 for fine-tuned; \
         100.0 % of prompting's answers and 100.0 % of fine-tuned's fall outside the taxonomy; \
         prompting's most common answers: \"I am not sure.\" (15), \"Sure! Here is the label\" (5); \
         fine-tuned's most common answers: \"I am not sure.\" (15), \"Sure! Here is the label\" (5)"
    );
    for volume in [10_000.0, 500_000.0] {
        let q = Questions {
            queries_per_day: volume,
            labelled_examples: 2000,
            quality_parity_enough: true,
            ..d.default_questions()
        };
        let r = d.recommend(&q);
        assert_eq!(r.choice, Choice::NotYet);
        assert_eq!(r.headline, "Not yet: neither arm does the task");
        assert_eq!(r.reasons[0].text, warning);
    }
    // A run where the arms do the task says nothing of the kind.
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    assert_eq!(r.task_warning, None);
}

#[test]
fn an_arm_asking_for_a_json_schema_gets_its_answers_checked_against_it() {
    use tunebench_core::decision::{FormatCounts, FormatNeed, Questions, ReasonKind};
    use tunebench_core::report::run_decision;
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    let run_id = seed_run(&conn, &arm_a(), &arm_b());
    // The fine-tuned arm (id 1) asks for structured output in this schema; the prompting
    // arm asks for none, so it is held to the same schema.
    let schema = r#"{"type":"object","required":["label"],"properties":{"label":{"enum":["billing","shipping"]}},"additionalProperties":false}"#;
    let params = serde_json::json!({
        "response_format": {"type": "json_schema", "name": "ticket", "schema": schema}
    });
    conn.execute(
        "UPDATE arm SET params = ?1 WHERE id = 1",
        [params.to_string()],
    )
    .unwrap();
    // B answers in JSON: valid on cases 0–13, an unknown label on 14–15, an extra field on
    // 16, bare text on 17–19. A answers bare labels (and times out on 18 and 19).
    for i in 0..20 {
        let out = match i {
            0..=13 => format!(r#"{{"label": "{}"}}"#, expected(i)),
            14 | 15 => r#"{"label": "refund"}"#.to_owned(),
            16 => format!(r#"{{"label": "{}", "why": "x"}}"#, expected(i)),
            _ => expected(i).to_owned(),
        };
        conn.execute(
            "UPDATE result SET output = ?1 WHERE arm_id = 1 AND example_id = ?2",
            rusqlite::params![out, 100 + i as i32],
        )
        .unwrap();
    }
    let r = run_report(&conn, &db.path, run_id, &ReportOptions::default()).unwrap();
    let check = r
        .format_checks
        .iter()
        .find(|c| c.need == FormatNeed::JsonSchema)
        .expect("schema compliance is measured when an arm asks for a schema");
    assert_eq!(
        check.fine_tuned,
        FormatCounts {
            compliant: 14,
            non_compliant: 6,
            errors: 0
        }
    );
    assert_eq!(
        check.prompting,
        FormatCounts {
            compliant: 0,
            non_compliant: 18,
            errors: 2
        },
        "a bare label is not schema-valid JSON; the two timeouts are errors"
    );
    // B only passes on 14 cases, A only on none: McNemar's exact p = 2 · 0.5^14.
    assert!(
        (check.p_value - 2.0 * 0.5f64.powi(14)).abs() < 1e-12,
        "{}",
        check.p_value
    );
    // The decision weighs it for a team that needs schema-valid JSON.
    let d = run_decision(
        &conn,
        &db.path,
        run_id,
        "2026-11-29",
        &ReportOptions::default(),
    )
    .unwrap();
    let q = Questions {
        format: FormatNeed::JsonSchema,
        ..d.default_questions()
    };
    let rec = d.recommend(&q);
    let format = rec
        .reasons
        .iter()
        .find(|x| x.kind == ReasonKind::Format)
        .expect("a format reason");
    assert!(!format.text.contains("not measured"), "{}", format.text);
    assert!(format.text.contains("14"), "{}", format.text);
}
