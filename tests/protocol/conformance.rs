//! JSON-RPC 2.0 conformance of both serve loops, over real pipes with raw JSON lines: core's
//! blocking loop (the `echo` example) and the tokio loop of `symphony_instruments` (the
//! `http-chat` example). Batches as the spec's examples have them, ids echoed byte for byte,
//! a whole session written at once, and a prompt `exit`.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use symphony_instruments::methods::{Info, Method};
use symphony_tests::extension::{echo_command, example_binary};
use symphony_tests::raw::RawChild;

/// One of the two serve loops, as a child process with a method that answers at once.
#[derive(Clone, Copy)]
enum Loop {
    /// Core's blocking loop: `echo` answers with its params.
    Core,
    /// The tokio loop: [`Info`] answers with the model's info.
    Tokio,
}

const LOOPS: [Loop; 2] = [Loop::Core, Loop::Tokio];

impl Loop {
    fn command(self) -> Command {
        match self {
            Loop::Core => echo_command(),
            Loop::Tokio => Command::new(example_binary("http-chat")),
        }
    }

    /// Started and initialized.
    fn start(self) -> RawChild {
        let mut raw = RawChild::start(self.command());
        let answer = raw.request(&self.initialize(0));
        assert_eq!(answer["result"]["protocolVersion"], "1.0", "{answer}");
        raw
    }

    fn initialize(self, id: i64) -> Value {
        let config = match self {
            Loop::Core => json!({}),
            Loop::Tokio => {
                json!({"endpoint": "http://127.0.0.1:9/v1", "model": "m", "api_key": "k"})
            }
        };
        json!({"jsonrpc": "2.0", "id": id, "method": "initialize", "params": {
            "protocolVersion": "1.0", "host": {"name": "raw", "version": "0"}, "config": config}})
    }

    /// A request answered at once, with `id` as raw JSON text.
    fn call(self, id: &str) -> String {
        match self {
            Loop::Core => {
                format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"echo","params":["hi"]}}"#)
            }
            Loop::Tokio => format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{}"}}"#, Info::NAME),
        }
    }

    /// Whether `answer` is this loop's successful answer to [`call`](Self::call).
    fn answered(self, answer: &Value) -> bool {
        match self {
            Loop::Core => answer["result"] == json!(["hi"]),
            Loop::Tokio => answer["result"].is_object(),
        }
    }

    /// A request that runs for `ms` milliseconds.
    fn slow(self, id: i64, ms: u64) -> Option<String> {
        match self {
            Loop::Core => Some(format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"sleep","params":[{ms}]}}"#
            )),
            Loop::Tokio => None,
        }
    }
}

fn code(answer: &Value) -> i64 {
    answer["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {answer}"))
}

/// The answers of a batch's array, by id (`null` ids under `"null"`), in id order.
fn by_id(answer: &Value) -> Vec<(String, Value)> {
    let mut entries: Vec<(String, Value)> = answer
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {answer}"))
        .iter()
        .map(|entry| (entry["id"].to_string(), entry.clone()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

/// The next answer is to `id` and is the call's result: nothing came in between.
fn next_is(raw: &RawChild, server: Loop, id: &str) {
    let answer = raw.recv();
    assert_eq!(answer["id"], json!(id), "{answer}");
    assert!(server.answered(&answer), "{answer}");
}

#[test]
fn batches_are_answered_as_the_json_rpc_spec_shows() {
    for server in LOOPS {
        let mut raw = server.start();
        // "rpc call Batch": two calls, a notification, an invalid entry, an unknown method.
        let batch = format!(
            r#"[{}, {{"jsonrpc":"2.0","method":"notify_hello","params":[7]}}, {},
                {{"foo":"boo"}},
                {{"jsonrpc":"2.0","method":"foo.get","params":{{"name":"myself"}},"id":"5"}}]"#,
            server.call(r#""1""#),
            server.call(r#""2""#),
        )
        .replace('\n', " ");
        raw.send(batch.as_bytes());
        let answer = raw.recv();
        let entries = by_id(&answer);
        let ids: Vec<&str> = entries.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, [r#""1""#, r#""2""#, r#""5""#, "null"], "{answer}");
        assert!(server.answered(&entries[0].1) && server.answered(&entries[1].1));
        assert_eq!(code(&entries[2].1), -32601);
        assert_eq!(code(&entries[3].1), -32600);

        // "invalid Batch": one error per entry, with id null, in one array.
        raw.send(b"[1,2,3]");
        let answer = raw.recv();
        let entries = answer.as_array().expect("an array");
        assert_eq!(entries.len(), 3, "{answer}");
        assert!(
            entries
                .iter()
                .all(|e| e["id"].is_null() && code(e) == -32600)
        );

        // "invalid Batch but not empty", then the empty array: a single error object.
        raw.send(b"[1]");
        let answer = raw.recv();
        assert_eq!(answer.as_array().map(Vec::len), Some(1), "{answer}");
        raw.send(b"[]");
        let answer = raw.recv();
        assert!(answer.is_object(), "{answer}");
        assert_eq!((code(&answer), &answer["id"]), (-32600, &Value::Null));

        // "invalid JSON batch": one parse error, not an array.
        raw.send(br#"[{"jsonrpc":"2.0","method":"sum","params":[1,2,4],"id":"1"},{"jsonrpc":"2.0","method""#);
        let answer = raw.recv();
        assert!(answer.is_object(), "{answer}");
        assert_eq!((code(&answer), &answer["id"]), (-32700, &Value::Null));

        // "all notifications": nothing at all, so the next answer is the next call's.
        raw.send(br#"[{"jsonrpc":"2.0","method":"notify_sum","params":[1,2,4]},{"jsonrpc":"2.0","method":"notify_hello","params":[7]}]"#);
        raw.send(server.call(r#""after""#).as_bytes());
        next_is(&raw, server, "after");
    }
}

#[test]
fn arrays_are_never_read_as_positional_requests() {
    for server in LOOPS {
        let mut raw = server.start();
        let positional = match server {
            Loop::Core => r#"["2.0",8,"echo",["hi"]]"#.to_owned(),
            Loop::Tokio => format!(r#"["2.0",8,"{}"]"#, Info::NAME),
        };
        raw.send(positional.as_bytes());
        let answer = raw.recv();
        let entries = answer
            .as_array()
            .unwrap_or_else(|| panic!("executed: {answer}"));
        assert!(
            entries
                .iter()
                .all(|e| e["id"].is_null() && code(e) == -32600),
            "{answer}"
        );
        // `[5]` is not an answer to a request 5.
        raw.send(b"[5]");
        let answer = raw.recv();
        assert_eq!(answer[0]["id"], Value::Null, "{answer}");
        // A line starting with `[` that is not JSON is a parse error.
        raw.send(b"[not json");
        assert_eq!(code(&raw.recv()), -32700);
    }
}

#[test]
fn a_batch_may_hold_the_handshake_and_the_calls_after_it() {
    for server in LOOPS {
        let mut raw = RawChild::start(server.command());
        let batch = format!(
            "[{}, {{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}}, {}]",
            server.initialize(0),
            server.call("1")
        );
        raw.send(batch.as_bytes());
        let answer = raw.recv();
        let entries = by_id(&answer);
        assert_eq!(entries.len(), 2, "{answer}");
        assert_eq!(entries[0].1["result"]["protocolVersion"], "1.0", "{answer}");
        assert!(server.answered(&entries[1].1), "{answer}");
    }
}

#[test]
fn ids_are_echoed_exactly_as_sent() {
    let ids = [
        "1.5",
        "-1",
        "0",
        "-0",
        "1e3",
        "2.50",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "123456789012345678901234567890",
        r#""a string""#,
        r#""""#,
        r#""\u00e9\"q""#,
        "null",
    ];
    for server in LOOPS {
        let mut raw = server.start();
        for id in ids {
            raw.send(server.call(id).as_bytes());
            let line = raw.recv_line();
            if id.starts_with('"') {
                // Strings may be re-escaped; they must still be the same string.
                let sent: String = serde_json::from_str(id).expect("string");
                let answer: Value = serde_json::from_str(&line).expect("json");
                assert_eq!(answer["id"], json!(sent), "{line}");
            } else {
                let expected = format!(r#""id":{id},"#);
                assert!(line.contains(&expected), "id {id}: {line}");
            }
            let answer: Value = serde_json::from_str(&line).expect("json");
            assert!(server.answered(&answer), "{line}");
        }
        // Two ids equal as numbers but written differently are different requests.
        raw.send(server.call("7.0").as_bytes());
        raw.send(server.call("7").as_bytes());
        let mut lines = [raw.recv_line(), raw.recv_line()];
        lines.sort();
        assert!(
            lines[0].contains(r#""id":7,"#) && lines[1].contains(r#""id":7.0,"#),
            "{lines:?}"
        );
    }
}

#[test]
fn a_whole_session_written_at_once_gets_every_reply_before_exit() {
    for server in LOOPS {
        let mut raw = RawChild::start(server.command());
        let mut session = format!("{}\n", server.initialize(0));
        session.push_str("{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}\n");
        session.push_str(&format!("{}\n", server.call("1")));
        if let Some(slow) = server.slow(2, 300) {
            session.push_str(&format!("{slow}\n"));
        }
        session.push_str(&format!("{}\n", server.call("3")));
        session.push_str("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"shutdown\"}\n");
        session.push_str("{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}\n");
        raw.write(session.as_bytes());
        let lines = raw.rest(Duration::from_secs(20));
        let answers: Vec<Value> = lines
            .iter()
            .map(|line| serde_json::from_str(line).expect("json"))
            .collect();
        let id_of = |id: i64| answers.iter().find(|a| a["id"] == json!(id));
        assert!(
            id_of(0).is_some_and(|a| a["result"].is_object()),
            "{lines:?}"
        );
        assert!(id_of(1).is_some_and(|a| server.answered(a)), "{lines:?}");
        assert!(id_of(3).is_some_and(|a| server.answered(a)), "{lines:?}");
        if server.slow(2, 0).is_some() {
            assert_eq!(
                id_of(2).map(|a| a["result"].clone()),
                Some(json!(300)),
                "{lines:?}"
            );
        }
        // `shutdown` is answered after the requests before it.
        let position = |id: i64| answers.iter().position(|a| a["id"] == json!(id));
        assert_eq!(position(4), Some(answers.len() - 1), "{lines:?}");
        assert_eq!(answers[answers.len() - 1]["result"], Value::Null);
        assert_eq!(raw.wait().code(), Some(0));
    }
}

/// Starts a `hang` request (the handler ignores cancellation) and waits until it runs.
fn hanging() -> RawChild {
    let mut raw = Loop::Core.start();
    raw.send(br#"{"jsonrpc":"2.0","id":1,"method":"hang","params":[60000]}"#);
    // Give the handler time to start.
    std::thread::sleep(Duration::from_millis(200));
    raw
}

#[test]
fn exit_ends_the_process_promptly_while_a_handler_ignores_cancellation() {
    let mut raw = hanging();
    let sent = Instant::now();
    raw.send(br#"{"jsonrpc":"2.0","method":"exit"}"#);
    let status = raw.wait_within(Duration::from_secs(3));
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(1),
        "still running after {:?}",
        sent.elapsed()
    );

    // After `shutdown`: the hanging request gets the drain period, then the process exits.
    let mut raw = hanging();
    raw.send(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#);
    raw.send(br#"{"jsonrpc":"2.0","method":"exit"}"#);
    let status = raw.wait_within(Duration::from_secs(3));
    assert_eq!(status.and_then(|s| s.code()), Some(0));

    // End of input instead of `exit`.
    let mut raw = hanging();
    raw.close_stdin();
    let status = raw.wait_within(Duration::from_secs(3));
    assert_eq!(status.and_then(|s| s.code()), Some(1));
}

#[test]
fn exit_answers_a_cancellable_request_before_the_process_ends() {
    let mut raw = Loop::Core.start();
    raw.send(br#"{"jsonrpc":"2.0","id":1,"method":"sleep","params":[60000]}"#);
    std::thread::sleep(Duration::from_millis(100));
    raw.send(br#"{"jsonrpc":"2.0","method":"exit"}"#);
    let lines = raw.rest(Duration::from_secs(3));
    assert_eq!(lines.len(), 1, "{lines:?}");
    let answer: Value = serde_json::from_str(&lines[0]).expect("json");
    assert_eq!((answer["id"].clone(), code(&answer)), (json!(1), -32002));
    assert_eq!(raw.wait().code(), Some(1));
}
