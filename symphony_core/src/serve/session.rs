//! The extension side of a connection as a sans-IO state machine.
//!
//! It decides what each incoming message means (dispatch, cancel, reply with an error, exit)
//! and keeps the cancellation tokens of requests in flight; a serve loop does the I/O and
//! runs the handlers. This crate's blocking loop and the async loop of `symphony_instruments`
//! share it.

use std::collections::HashMap;

use crate::codec::DecodeError;
use crate::protocol::{
    CancelParams, ErrorCode, ErrorObject, Id, InitializeParams, Message, Notification,
    PROTOCOL_VERSION, Request, Response, method,
};

use super::CancelToken;

/// Where the session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    AwaitingInitialize,
    Running,
    ShuttingDown,
    Exited,
}

/// What a serve loop must do with a message, as decided by [`Session::on_message`].
#[non_exhaustive]
#[derive(Debug)]
pub enum Action {
    /// Run the handshake for this `initialize` request.
    Initialize(Request),
    /// Run the handler for this request.
    Dispatch(Request, CancelToken),
    /// Give this notification to the handler.
    Notify(Notification),
    /// Write this response now.
    Reply(Response),
    /// Answer this `shutdown` request once the requests in flight are done.
    Shutdown(Id),
    /// Stop serving; the process should exit with this code.
    Exit(u8),
    /// Nothing to do.
    Ignore,
}

/// The protocol rules of the extension side, without I/O: the handshake must come first,
/// nothing is accepted after `shutdown`, ids in flight are unique, `$/cancelRequest` cancels,
/// `exit` ends the session with code 0 after `shutdown` and 1 otherwise.
///
/// ```
/// use symphony_core::codec::Decoder;
/// use symphony_core::serve::{Action, Session};
///
/// let mut session = Session::new();
/// let mut decoder = Decoder::new();
/// decoder.extend(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}\n");
/// let message = decoder.next().unwrap();
/// // Before `initialize`, requests are answered with an error.
/// assert!(matches!(session.on_message(message), Action::Reply(_)));
/// ```
#[derive(Debug)]
pub struct Session {
    phase: Phase,
    in_flight: HashMap<Id, CancelToken>,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    /// A session awaiting `initialize`.
    pub fn new() -> Self {
        Session {
            phase: Phase::AwaitingInitialize,
            in_flight: HashMap::new(),
        }
    }

    /// What to do with one decoded message (or line that failed to decode).
    pub fn on_message(&mut self, message: Result<Message, DecodeError>) -> Action {
        match message {
            Err(error) => Action::Reply(error.to_response()),
            Ok(Message::Request(request)) => self.on_request(request),
            Ok(Message::Notification(notification)) => self.on_notification(notification),
            Ok(Message::Response(response)) => {
                // The serve loop sends no requests, so no response is expected.
                tracing::warn!(id = ?response.id, "ignoring a response to no request");
                Action::Ignore
            }
        }
    }

    fn on_request(&mut self, request: Request) -> Action {
        let reply = |code: ErrorCode, message: String| {
            Action::Reply(Response::error(
                Some(request.id.clone()),
                ErrorObject::new(code, message),
            ))
        };
        match (self.phase, request.method.as_str()) {
            (Phase::AwaitingInitialize, method::INITIALIZE) => Action::Initialize(request),
            (_, method::INITIALIZE) => reply(
                ErrorCode::InvalidRequest,
                "`initialize` was already received; it may only be sent once".into(),
            ),
            (Phase::AwaitingInitialize, _) => reply(
                ErrorCode::NotInitialized,
                format!(
                    "`{}` arrived before `initialize`; send `initialize` first",
                    request.method
                ),
            ),
            (Phase::ShuttingDown | Phase::Exited, _) => reply(
                ErrorCode::ShuttingDown,
                format!(
                    "`{}` arrived after `shutdown`; no new requests are accepted",
                    request.method
                ),
            ),
            (Phase::Running, method::SHUTDOWN) => {
                self.phase = Phase::ShuttingDown;
                Action::Shutdown(request.id)
            }
            (Phase::Running, _) => {
                if self.in_flight.contains_key(&request.id) {
                    return reply(
                        ErrorCode::InvalidRequest,
                        format!("id {} is already used by a request in flight", request.id),
                    );
                }
                let token = CancelToken::new();
                self.in_flight.insert(request.id.clone(), token.clone());
                Action::Dispatch(request, token)
            }
        }
    }

    fn on_notification(&mut self, notification: Notification) -> Action {
        match notification.method.as_str() {
            method::EXIT => {
                let code = if self.phase == Phase::ShuttingDown {
                    0
                } else {
                    1
                };
                self.end();
                Action::Exit(code)
            }
            method::CANCEL_REQUEST => {
                match notification.params_as::<CancelParams>() {
                    Ok(CancelParams { id }) => {
                        // Unknown ids are normal: the request may have just finished.
                        if let Some(token) = self.in_flight.get(&id) {
                            token.cancel();
                        }
                    }
                    Err(error) => tracing::warn!(%error, "ignoring a malformed $/cancelRequest"),
                }
                Action::Ignore
            }
            method::INITIALIZED => Action::Ignore,
            name if method::is_protocol(name) => Action::Ignore,
            _ if self.phase == Phase::Running => Action::Notify(notification),
            name => {
                tracing::warn!(
                    method = name,
                    "ignoring a notification outside a running session"
                );
                Action::Ignore
            }
        }
    }

    /// Validates `initialize` params: they parse, and the protocol versions are compatible.
    ///
    /// # Errors
    ///
    /// The error object to answer `initialize` with.
    pub fn check_initialize(request: &Request) -> Result<InitializeParams, ErrorObject> {
        let params: InitializeParams = request.params_as()?;
        Session::check_version(&params)?;
        Ok(params)
    }

    /// Checks that the host's protocol version is compatible with this SDK's.
    ///
    /// # Errors
    ///
    /// An [`IncompatibleVersion`](ErrorCode::IncompatibleVersion) error naming both versions.
    pub fn check_version(params: &InitializeParams) -> Result<(), ErrorObject> {
        params
            .protocol_version
            .negotiate(PROTOCOL_VERSION)
            .map(|_| ())
            .map_err(|error| {
                ErrorObject::new(ErrorCode::IncompatibleVersion, error.to_string()).with_data(
                    serde_json::json!({
                        "host": error.host.to_string(),
                        "extension": error.extension.to_string(),
                    }),
                )
            })
    }

    /// The handshake succeeded: requests are accepted from now on.
    pub fn initialized(&mut self) {
        if self.phase == Phase::AwaitingInitialize {
            self.phase = Phase::Running;
        }
    }

    /// A dispatched request has been answered.
    pub fn finish(&mut self, id: &Id) {
        self.in_flight.remove(id);
    }

    /// The connection is over: every request in flight is cancelled.
    pub fn end(&mut self) {
        self.phase = Phase::Exited;
        for token in self.in_flight.values() {
            token.cancel();
        }
    }

    /// Whether `shutdown` was received (so that end of input is a clean exit).
    pub fn was_shut_down(&self) -> bool {
        self.phase == Phase::ShuttingDown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Decoder;

    fn message(text: &str) -> Result<Message, DecodeError> {
        let mut decoder = Decoder::new();
        decoder.extend(text.as_bytes());
        decoder.extend(b"\n");
        decoder.next().expect("one line")
    }

    fn error_code(action: Action) -> Option<ErrorCode> {
        match action {
            Action::Reply(Response { result: Err(e), .. }) => e.kind(),
            other => panic!("expected an error reply, got {other:?}"),
        }
    }

    const INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1.0","host":{"name":"t","version":"1"}}}"#;

    #[test]
    fn requests_need_a_handshake_first() {
        let mut session = Session::new();
        let call = r#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#;
        assert_eq!(
            error_code(session.on_message(message(call))),
            Some(ErrorCode::NotInitialized)
        );
        let Action::Initialize(request) = session.on_message(message(INIT)) else {
            panic!("initialize not recognised")
        };
        assert!(Session::check_initialize(&request).is_ok());
        session.initialized();
        assert!(matches!(
            session.on_message(message(call)),
            Action::Dispatch(..)
        ));
        assert_eq!(
            error_code(session.on_message(message(INIT))),
            Some(ErrorCode::InvalidRequest)
        );
    }

    #[test]
    fn cancel_sets_the_token_and_duplicate_ids_are_refused() {
        let mut session = Session::new();
        session.on_message(message(INIT));
        session.initialized();
        let call = r#"{"jsonrpc":"2.0","id":"a","method":"slow"}"#;
        let Action::Dispatch(_, token) = session.on_message(message(call)) else {
            panic!("not dispatched")
        };
        assert_eq!(
            error_code(session.on_message(message(call))),
            Some(ErrorCode::InvalidRequest)
        );
        assert!(!token.is_cancelled());
        session.on_message(message(
            r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"a"}}"#,
        ));
        assert!(token.is_cancelled());
        session.finish(&Id::from("a"));
        assert!(matches!(
            session.on_message(message(call)),
            Action::Dispatch(..)
        ));
    }

    #[test]
    fn exit_code_depends_on_shutdown() {
        let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let mut session = Session::new();
        assert!(matches!(session.on_message(message(exit)), Action::Exit(1)));

        let mut session = Session::new();
        session.on_message(message(INIT));
        session.initialized();
        let shutdown = r#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#;
        assert!(matches!(
            session.on_message(message(shutdown)),
            Action::Shutdown(_)
        ));
        let late = r#"{"jsonrpc":"2.0","id":10,"method":"echo"}"#;
        assert_eq!(
            error_code(session.on_message(message(late))),
            Some(ErrorCode::ShuttingDown)
        );
        assert!(matches!(session.on_message(message(exit)), Action::Exit(0)));
    }

    #[test]
    fn incompatible_major_version_names_both() {
        let text = INIT.replace("\"1.0\"", "\"2.3\"");
        let Ok(Message::Request(request)) = message(&text) else {
            panic!("not a request")
        };
        let error = Session::check_initialize(&request).expect_err("major 2");
        assert_eq!(error.kind(), Some(ErrorCode::IncompatibleVersion));
        assert!(
            error.message.contains("2.3") && error.message.contains("1.0"),
            "{}",
            error.message
        );
    }

    #[test]
    fn malformed_input_gets_the_matching_json_rpc_code() {
        let mut session = Session::new();
        assert_eq!(
            error_code(session.on_message(message("{oops"))),
            Some(ErrorCode::ParseError)
        );
        assert_eq!(
            error_code(session.on_message(message(r#"{"jsonrpc":"2.0","id":1}"#))),
            Some(ErrorCode::InvalidRequest)
        );
    }
}
