use symphony_operators::methods::{self, RunParams};
use symphony_operators::testing::{ErrorCode, TestHost, json};

#[test]
fn shouts_a_column_and_names_a_missing_one() {
    let host = TestHost::spawn(env!("CARGO_BIN_EXE_@NAME@")).unwrap();
    let run = RunParams::new("text.shout")
        .param("column", "name")
        .input("records", json!([{ "name": "ada", "city": "London" }]));
    let result = host.request::<methods::Run>(&run).unwrap();
    assert_eq!(result.outputs["records"], json!([{ "name": "ADA", "city": "London" }]));

    let typo = RunParams::new("text.shout")
        .param("column", "nmae")
        .input("records", json!([{ "name": "ada" }]));
    let error = host.request::<methods::Run>(&typo).unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::InvalidInput));
    assert!(error.to_string().contains("unknown column `nmae`"), "{error}");
    host.shutdown().unwrap();
}
