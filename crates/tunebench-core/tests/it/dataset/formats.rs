//! Every format imports and maps: delimited text with or without a header, JSON Lines and
//! JSON arrays, OpenAI chat turns, other encodings, workbooks, and the preview.

use super::*;

#[test]
fn csv_columns_are_mapped_by_their_usual_names_and_the_rest_kept_as_metadata() {
    let (t, conn) = db();
    let p = write(dir(&t), "tickets.csv", TICKETS_CSV);
    let out = import(&conn, &p).unwrap();
    assert_eq!(out.rows, 3);
    assert_eq!(out.format, Format::Csv);
    assert_eq!(out.column_map.input, "question");
    assert_eq!(out.column_map.expected.as_deref(), Some("label"));
    assert_eq!(out.column_map.id.as_deref(), Some("id"));
    let r = rows(&conn, out.dataset_id);
    assert_eq!(r[0].input, "My invoice is wrong, again");
    assert_eq!(
        r[2].input, "She said \"hi\"\nthen left",
        "quotes and newlines survive"
    );
    assert_eq!(r[1].external_id.as_deref(), Some("t2"));
    assert_eq!(r[1].metadata[0].name, "channel");
    assert_eq!(r[1].metadata[0].value, "chat");
    assert_eq!(r[2].ordinal, 2);
}

#[test]
fn tab_and_semicolon_delimiters_are_detected_from_the_content() {
    let (t, conn) = db();
    let tsv = write(
        dir(&t),
        "a.txt",
        "input\texpected\nhello, world\tgreeting\n",
    );
    let out = import(&conn, &tsv).unwrap();
    assert_eq!(out.format, Format::Tsv);
    assert_eq!(rows(&conn, out.dataset_id)[0].input, "hello, world");
    let semi = write(dir(&t), "b.csv", "input;expected\n\"a;b\";x\nc;y\n");
    let out = import(&conn, &semi).unwrap();
    assert_eq!(content(&rows(&conn, out.dataset_id))[0].1, "a;b");
}

#[test]
fn without_a_header_columns_are_col1_col2_and_map_to_input_and_expected() {
    let (t, conn) = db();
    let p = write(dir(&t), "raw.csv", "hello,greeting,x\nbye,farewell,y\n");
    let opts = ImportOptions {
        no_header: true,
        ..ImportOptions::default()
    };
    let out = import_with(&conn, &p, &opts).unwrap();
    assert_eq!(out.rows, 2, "the first line is a row, not a header");
    assert_eq!(out.column_map.input, "col1");
    assert_eq!(out.column_map.expected.as_deref(), Some("col2"));
    assert_eq!(rows(&conn, out.dataset_id)[0].metadata[0].name, "col3");
}

#[test]
fn jsonl_and_json_arrays_keep_other_keys_as_metadata_in_order() {
    let (t, conn) = db();
    let lines = "{\"prompt\":\"2+2?\",\"answer\":\"4\",\"zeta\":1,\"alpha\":[1,2]}\n\n\
                 {\"prompt\":\"3+3?\",\"answer\":6,\"zeta\":null,\"alpha\":\"x\"}\n";
    let out = import(&conn, &write(dir(&t), "math.jsonl", lines)).unwrap();
    assert_eq!(out.format, Format::Jsonl);
    let r = rows(&conn, out.dataset_id);
    assert_eq!((r[1].input.as_str(), r[1].expected.as_str()), ("3+3?", "6"));
    let names: Vec<&str> = r[0].metadata.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["zeta", "alpha"], "file order, not sorted");
    assert_eq!(r[0].metadata[1].value, "[1,2]");

    let array = "[{\"input\":\"a\",\"expected\":\"x\"},\n {\"input\":\"b\",\"expected\":\"y\"}]";
    let out = import(&conn, &write(dir(&t), "arr.json", array)).unwrap();
    assert_eq!(out.format, Format::Json);
    assert_eq!(content(&rows(&conn, out.dataset_id))[1].1, "b");
}

#[test]
fn openai_chat_turns_become_input_and_the_last_assistant_turn_the_expected_output() {
    let (t, conn) = db();
    let line = r#"{"messages":[{"role":"system","content":"Route tickets."},{"role":"user","content":"Where is my parcel?"},{"role":"assistant","content":"shipping"}],"tag":"a"}"#;
    let out = import(&conn, &write(dir(&t), "ft.jsonl", format!("{line}\n"))).unwrap();
    assert_eq!(out.format, Format::OpenaiChat);
    let r = rows(&conn, out.dataset_id);
    assert_eq!(r[0].input, "Route tickets.\n\nWhere is my parcel?");
    assert_eq!(r[0].expected, "shipping");
    assert_eq!(r[0].metadata[0].name, "tag");
}

#[test]
fn utf16_and_bom_files_read_the_same_and_windows_1252_is_warned() {
    let (t, conn) = db();
    let text = "input,expected\ncafé,x\n";
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend(u.to_le_bytes());
        be.extend(u.to_be_bytes());
    }
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(text.as_bytes());
    for (name, bytes, label) in [
        ("le.csv", le, "UTF-16LE"),
        ("be.csv", be, "UTF-16BE"),
        ("bom.csv", bom, "UTF-8 (BOM)"),
    ] {
        let out = import(&conn, &write(dir(&t), name, bytes)).unwrap();
        assert_eq!(out.report.encoding, label);
        assert_eq!(
            out.column_map.input, "input",
            "{name}: the BOM is not part of the header"
        );
        assert_eq!(rows(&conn, out.dataset_id)[0].input, "café", "{name}");
    }
    let out = import(
        &conn,
        &write(dir(&t), "w.csv", b"input,expected\ncaf\xe9,x\n"),
    )
    .unwrap();
    assert_eq!(rows(&conn, out.dataset_id)[0].input, "café");
    assert!(out
        .report
        .warnings
        .iter()
        .any(|w| w.code == WarningCode::EncodingFallback));
}

#[test]
fn workbooks_read_numbers_and_dates_as_a_person_sees_them() {
    let (_t, conn) = db();
    let seen = import(&conn, &fixture("tickets_seen.csv")).unwrap();
    let expected = content(&rows(&conn, seen.dataset_id));
    for (file, format) in [
        ("tickets.xlsx", Format::Xlsx),
        ("tickets.xls", Format::Xls),
        ("tickets.ods", Format::Ods),
    ] {
        let out = import(&conn, &fixture(file)).unwrap();
        assert_eq!(out.format, format);
        assert_eq!(content(&rows(&conn, out.dataset_id)), expected, "{file}");
    }
}

#[test]
fn a_named_sheet_is_read_and_preview_lists_the_sheets() {
    let (_t, conn) = db();
    let opts = ImportOptions {
        sheet: Some("Other".into()),
        ..ImportOptions::default()
    };
    let p = dataset::preview(&fixture("tickets.xlsx"), &opts).unwrap();
    assert_eq!(p.sheets, ["Tickets", "Other"]);
    assert_eq!(p.columns, ["question", "answer"]);
    assert_eq!(p.rows, [["2+2?", "4"]]);
    let out = import_with(&conn, &fixture("tickets.xlsx"), &opts).unwrap();
    assert_eq!(rows(&conn, out.dataset_id)[0].expected, "4");
}

#[test]
fn preview_shows_format_columns_mapping_and_at_most_twenty_rows() {
    let (t, conn) = db();
    let body: String = (0..50)
        .map(|i| format!("{{\"text\":\"q{i}\",\"label\":\"a\"}}\n"))
        .collect();
    let p = write(dir(&t), "many.jsonl", body);
    let pv = dataset::preview(&p, &ImportOptions::default()).unwrap();
    assert_eq!(pv.format, Format::Jsonl);
    assert_eq!(pv.columns, ["text", "label"]);
    assert_eq!(pv.mapping.unwrap().input, "text");
    assert_eq!(pv.rows.len(), 20);
    assert_eq!(
        store::dataset::list(&conn).unwrap().len(),
        0,
        "a preview stores nothing"
    );
}

#[test]
fn jsonl_mapping_looks_at_the_same_first_rows_as_the_preview() {
    let (t, conn) = db();
    let body = "{\"input\":\"a\"}\n{\"input\":\"b\",\"label\":\"x\",\"note\":\"n\"}\n";
    let p = write(dir(&t), "late.jsonl", body);
    let preview = dataset::preview(&p, &ImportOptions::default()).unwrap();
    let out = import(&conn, &p).unwrap();
    assert_eq!(out.column_map.expected.as_deref(), Some("label"));
    assert_eq!(Some(&out.column_map), preview.mapping.as_ref());
    assert_eq!(out.column_map.metadata, ["note"]);
    assert_eq!(rows(&conn, out.dataset_id)[1].expected, "x");
}
