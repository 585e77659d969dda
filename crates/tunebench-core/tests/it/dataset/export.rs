//! Export: every format round-trips, an empty export touches nothing, formulas are defused.

use super::*;

fn roundtrip(conn: &Connection, dir: &Path, id: i32, format: ExportFormat, ext: &str) -> i32 {
    let out = dir.join(format!("export-{id}.{ext}"));
    let opts = ExportOptions {
        split: SplitFilter::All,
        format,
        system: None,
        raw_values: true,
    };
    dataset::export(conn, id, &opts, &out).unwrap();
    import(conn, &out).unwrap().dataset_id
}

#[test]
fn an_export_with_no_rows_leaves_a_file_already_there_untouched() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "s.csv", TICKETS_CSV))
        .unwrap()
        .dataset_id;
    let keep = write(dir(&t), "keep.txt", "precious");
    let before: Vec<_> = std::fs::read_dir(dir(&t))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let opts = ExportOptions {
        split: SplitFilter::Train,
        format: ExportFormat::Jsonl,
        system: None,
        raw_values: false,
    };
    let err = dataset::export(&conn, id, &opts, &keep).unwrap_err();
    assert!(err.to_string().contains("no train rows"), "{err}");
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "precious");
    let after: Vec<_> = std::fs::read_dir(dir(&t))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(after, before, "no temporary file is left behind");
}

#[test]
fn csv_export_defuses_cells_a_spreadsheet_would_run_as_formulas_unless_raw_values_are_asked() {
    let (t, conn) = db();
    let src = "input,expected\n\
               \"=cmd|' /C calc'!A0\",a\n\
               @SUM(1+1),b\n\
               \"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",c\n\
               +1,-2\n\
               \"\tx\",plain\n";
    let id = import(&conn, &write(dir(&t), "f.csv", src))
        .unwrap()
        .dataset_id;
    let export = |raw_values: bool| {
        let out = dir(&t).join(format!("out-{raw_values}.csv"));
        let opts = ExportOptions {
            split: SplitFilter::All,
            format: ExportFormat::Csv,
            system: None,
            raw_values,
        };
        dataset::export(&conn, id, &opts, &out).unwrap();
        let mut r = csv::Reader::from_path(&out).unwrap();
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                (rec[0].to_string(), rec[1].to_string())
            })
            .collect::<Vec<_>>()
    };
    let safe = export(false);
    assert_eq!(
        safe,
        [
            ("'=cmd|' /C calc'!A0".to_string(), "a".to_string()),
            ("'@SUM(1+1)".into(), "b".into()),
            (
                "'=HYPERLINK(\"http://evil.example\",\"x\")".into(),
                "c".into()
            ),
            ("'+1".into(), "'-2".into()),
            ("'\tx".into(), "plain".into()),
        ]
    );
    let raw = export(true);
    assert_eq!(raw[0].0, "=cmd|' /C calc'!A0");
    assert_eq!(raw[3], ("+1".to_string(), "-2".to_string()));
}

#[test]
fn export_then_import_gives_the_same_rows_for_every_format() {
    let (t, conn) = db();
    let sources = [
        write(dir(&t), "src.csv", TICKETS_CSV),
        write(
            dir(&t),
            "src.jsonl",
            "{\"id\":\"a\",\"input\":\"x, \\\"y\\\"\",\"expected\":\"1\",\"n\":\"2\"}\n{\"input\":\"z\",\"expected\":\"\",\"n\":\"3\"}\n",
        ),
        write(dir(&t), "src.json", "[{\"input\":\"é\\nz\",\"expected\":\"b\"}]"),
        write(dir(&t), "src.tsv", "input\texpected\tsplit\nwith, comma\tx\ttest\nplain\ty\ttrain\n"),
        fixture("tickets.xlsx"),
        fixture("tickets.xls"),
        fixture("tickets.ods"),
    ];
    for src in &sources {
        let id = import(&conn, src).unwrap().dataset_id;
        let original = content(&rows(&conn, id));
        for (format, ext) in [(ExportFormat::Jsonl, "jsonl"), (ExportFormat::Csv, "csv")] {
            let again = roundtrip(&conn, dir(&t), id, format, ext);
            assert_eq!(content(&rows(&conn, again)), original, "{src:?} via {ext}");
        }
    }
}

#[test]
fn openai_chat_export_carries_the_system_prompt_and_reimports_input_and_expected() {
    let (t, conn) = db();
    let id = import(&conn, &write(dir(&t), "s.csv", TICKETS_CSV))
        .unwrap()
        .dataset_id;
    let plain = roundtrip(&conn, dir(&t), id, ExportFormat::OpenaiChat, "jsonl");
    let pairs = |id| {
        rows(&conn, id)
            .into_iter()
            .map(|e| (e.input, e.expected))
            .collect::<Vec<_>>()
    };
    assert_eq!(pairs(plain), pairs(id));
    let out = dir(&t).join("sys.jsonl");
    let opts = ExportOptions {
        split: SplitFilter::All,
        format: ExportFormat::OpenaiChat,
        system: Some("Route tickets.".into()),
        raw_values: false,
    };
    dataset::export(&conn, id, &opts, &out).unwrap();
    let first: serde_json::Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["messages"][0]["role"], "system");
    assert_eq!(first["messages"][0]["content"], "Route tickets.");
    assert_eq!(first["messages"][2]["content"], "billing");
}
