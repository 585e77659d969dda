//! `tunebench prices`: list, import and export the catalog through the binary.

use predicates::prelude::*;

mod support;
use support::tunebench_at as tunebench;

#[test]
fn prices_list_shows_the_seeded_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let out = tunebench(&db)
        .args(["prices", "list", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let prices = v["prices"].as_array().unwrap();
    let mini = prices
        .iter()
        .find(|p| p["model_pattern"] == "gpt-4.1-mini")
        .expect("seeded gpt-4.1-mini");
    assert_eq!(mini["input"], 0.4);
    assert_eq!(mini["as_of"], "2026-08-21");
    tunebench(&db)
        .args(["prices", "list"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("ft:gpt-4.1-mini*")
                .and(predicate::str::contains("2027-01-14")),
        );
}

#[test]
fn exported_prices_import_into_another_store() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("prices.json");
    let custom = dir.path().join("custom.json");
    std::fs::write(
        &custom,
        r#"{"format": "tunebench-prices", "version": 1, "prices": [{"provider": "openai", "model_pattern": "ft:gpt-4.1-mini:acme:*", "kind": "fine_tuned", "input": 0.5, "output": 2.0, "source": "contract", "as_of": "2026-11-01"}]}"#,
    )
    .unwrap();
    let a = dir.path().join("a.db");
    let out = tunebench(&a)
        .args(["prices", "import"])
        .arg(&custom)
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["imported"], 1);
    tunebench(&a)
        .args(["prices", "export"])
        .arg(&file)
        .assert()
        .success();
    let b = dir.path().join("b.db");
    tunebench(&b)
        .args(["prices", "import"])
        .arg(&file)
        .assert()
        .success();
    let list = |db: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(
            &tunebench(db)
                .args(["prices", "list", "--json"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
    };
    assert_eq!(list(&a), list(&b));
    assert!(list(&b)["prices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["origin"] == "custom" && p["input"] == 0.5));
}

#[test]
fn a_bad_price_file_exits_2_naming_entry_and_field_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"prices": [
            {"provider": "openai", "model_pattern": "ok", "kind": "base", "input": 1, "output": 2, "source": "s", "as_of": "2026-01-01"},
            {"provider": "openai", "model_pattern": "bad", "kind": "base", "input": 1, "output": 2, "source": "s", "as_of": "2026-13-01"}
        ]}"#,
    )
    .unwrap();
    let out = tunebench(&db)
        .args(["prices", "import"])
        .arg(&bad)
        .arg("--json")
        .assert()
        .code(2)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("bad.json") && msg.contains("prices[1]") && msg.contains("`as_of`"),
        "{msg}"
    );
    let list: serde_json::Value = serde_json::from_slice(
        &tunebench(&db)
            .args(["prices", "list", "--json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        !list["prices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["origin"] == "custom"),
        "nothing imported"
    );
}
