//! Local arms priced by this machine's time: each answer's share of the serving wall time
//! × the machine's cost per hour (one stored setting, default $0), so the report and the
//! cost model show a cost per query for them, and the report states the rate it assumed.

use rusqlite::{params, Connection};
use tunebench_core::report::{measured_scenario, run_report, ReportOptions};
use tunebench_core::{cost, store};

use crate::support::temp_db;

/// Two local arms over four cases, every answer right; each answer took `ms` of this
/// machine and was priced at `per_hour` USD an hour; 100 prompt and 2 answer tokens.
fn seed_local_run(conn: &Connection, ms: [f64; 2], per_hour: f64) -> i32 {
    conn.execute_batch(
        "INSERT INTO dataset (id, name, source_file, source_format, imported_at, row_count)
             VALUES (1, 'spam', 'spam.csv', 'csv', '2026-01-01T00:00:00Z', 4);
         INSERT INTO provider (id, name, kind, base_url) VALUES (1, 'laptop', 'local', 'local');
         INSERT INTO arm (id, name, kind, provider_id, model, created_at)
             VALUES (1, 'prompting', 'prompt', 1, '/m/base.gguf', '2026-01-01T00:00:00Z'),
                    (2, 'fine-tuned', 'fine_tuned', 1, '/m/ft.gguf', '2026-01-01T00:00:00Z');
         INSERT INTO experiment (id, name, dataset_id, split, primary_metric, margin_kind, margin_value, labels, created_at)
             VALUES (1, 'offline', 1, 'test', 'accuracy', 'relative', 0.05, '[\"spam\",\"ham\"]', '2026-01-01T00:00:00Z');
         INSERT INTO experiment_arm (experiment_id, arm_id, position) VALUES (1, 1, 0), (1, 2, 1);
         INSERT INTO run (id, experiment_id, started_at, finished_at, status)
             VALUES (1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', 'completed');",
    )
    .unwrap();
    for i in 0..4 {
        let expected = if i % 2 == 0 { "spam" } else { "ham" };
        conn.execute(
            "INSERT INTO example (id, dataset_id, ordinal, input, expected, split)
             VALUES (?1, 1, ?1, 'mail', ?2, 'test')",
            params![i, expected],
        )
        .unwrap();
        for (arm, ms) in [(1, ms[0]), (2, ms[1])] {
            conn.execute(
                "INSERT INTO result (run_id, arm_id, example_id, output, prompt_tokens,
                                     completion_tokens, latency_ms, cost, machine_ms, created_at)
                 VALUES (1, ?1, ?2, ?3, 100, 2, ?4, ?5, ?4, '2026-01-01T00:00:30Z')",
                params![arm, i, expected, ms, ms / 3_600_000.0 * per_hour],
            )
            .unwrap();
        }
    }
    1
}

#[test]
fn a_local_arm_at_the_default_rate_costs_0_per_query_and_the_report_says_so() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    assert_eq!(store::setting::machine_cost_per_hour(&conn).unwrap(), 0.0);
    let run = seed_local_run(&conn, [900.0, 300.0], 0.0);
    let r = run_report(&conn, &db.path, run, &ReportOptions::default()).unwrap();
    for arm in &r.arms {
        assert_eq!(arm.cost_per_query, Some(0.0), "{}", arm.name);
        let note = arm.cost_note.as_deref().unwrap_or_default();
        assert!(note.contains("at $0 per hour of this machine"), "{note}");
    }
    assert!(
        r.arms[0].cost_note.as_deref().unwrap().contains("0.90 s"),
        "the measured serving time per answer: {:?}",
        r.arms[0].cost_note
    );
    let scenario = measured_scenario(&conn, run, "2026-11-01", None).unwrap();
    let costs = cost::evaluate(&scenario).unwrap();
    assert_eq!(costs.arm_a.per_query.mean, 0.0);
}

#[test]
fn a_local_arm_is_priced_by_its_share_of_the_machines_time_in_the_report_and_the_cost_model() {
    let db = temp_db();
    let conn = store::open(&db.path).unwrap();
    store::setting::set_machine_cost_per_hour(&conn, 1.8).unwrap();
    assert_eq!(store::setting::machine_cost_per_hour(&conn).unwrap(), 1.8);
    let run = seed_local_run(&conn, [2000.0, 1000.0], 1.8);
    let r = run_report(&conn, &db.path, run, &ReportOptions::default()).unwrap();
    // 2 s of a $1.80/h machine = $0.001; 1 s = $0.0005.
    let a = r.arms[0].cost_per_query.unwrap();
    let b = r.arms[1].cost_per_query.unwrap();
    assert!(
        (a - 0.001).abs() < 1e-12 && (b - 0.0005).abs() < 1e-12,
        "{a} {b}"
    );
    let note = r.arms[0].cost_note.as_deref().unwrap();
    assert!(
        note.contains("2.00 s") && note.contains("at $1.8 per hour of this machine"),
        "{note}"
    );
    let scenario = measured_scenario(&conn, run, "2026-11-01", None).unwrap();
    let costs = cost::evaluate(&scenario).unwrap();
    assert!(
        (costs.arm_a.per_query.mean - 0.001).abs() < 1e-12,
        "the cost model's cost per query is the measured one: {:?}",
        costs.arm_a.per_query
    );
    assert!((costs.arm_b.per_query.mean - 0.0005).abs() < 1e-12);
}
