//! The extension side of a connection as a sans-IO state machine.
//!
//! It decides what each incoming line means (dispatch, cancel, reply with an error, exit),
//! keeps the cancellation tokens of requests in flight, and assembles the answer to a batch
//! from the responses of its requests; a serve loop does the I/O and runs the handlers. This
//! crate's blocking loop and the async loop of `symphony_instruments` share it.

use std::collections::{HashMap, VecDeque};

use crate::codec::{DecodeError, Frame};
use crate::protocol::{
    CancelParams, ErrorCode, ErrorObject, Id, InitializeParams, Message, Notification,
    PROTOCOL_VERSION, Reply, Request, Response, method,
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

/// What a serve loop must do next, as decided by [`SessionMachine::poll_action`].
///
/// The answer to a request ([`Initialize`](Action::Initialize), [`Dispatch`](Action::Dispatch),
/// [`Shutdown`](Action::Shutdown)) goes back through [`SessionMachine::complete`], which says what to
/// write: the response, or nothing yet while other requests of its batch are running.
#[non_exhaustive]
#[derive(Debug)]
pub enum Action {
    /// Run the handshake for this `initialize` request, before the next action.
    Initialize(Request),
    /// Run the handler for this request.
    Dispatch(Request, CancelToken),
    /// Give this notification to the handler.
    Notify(Notification),
    /// Write this now.
    Reply(Reply),
    /// Answer this `shutdown` request (with `null`) once the requests in flight are done.
    Shutdown(Id),
    /// Stop serving; the process should exit with this code.
    Exit(u8),
}

/// A request being handled.
#[derive(Debug)]
struct InFlight {
    cancel: CancelToken,
    /// The batch whose answer its response belongs in.
    batch: Option<u64>,
}

/// A batch whose answer is being assembled.
#[derive(Debug, Default)]
struct Batch {
    /// Entries not yet turned into actions.
    unread: usize,
    /// Requests of it in flight.
    waiting: usize,
    responses: Vec<Response>,
}

/// The protocol rules of the extension side, without I/O: messages are taken in the order
/// they arrive, the handshake must come first, nothing is accepted after `shutdown`, ids in
/// flight are unique, `$/cancelRequest` cancels, `exit` ends the session with code 0 after
/// `shutdown` and 1 otherwise, and a batch is answered with one array once every request in
/// it is answered (nothing at all for a batch of notifications).
///
/// A loop feeds it each decoded line with [`receive`](Self::receive), carries out the actions
/// from [`poll_action`](Self::poll_action) in order, and passes each response through
/// [`complete`](Self::complete).
///
/// ```
/// # use symphony_core::codec::Decoder;
/// # use symphony_core::protocol::Reply;
/// # use symphony_core::serve::{Action, SessionMachine};
///
/// let mut session = SessionMachine::new();
/// let mut decoder = Decoder::new();
/// decoder.extend(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}\n");
/// session.receive(decoder.next_frame().unwrap());
/// // Before `initialize`, requests are answered with an error.
/// assert!(matches!(session.poll_action(), Some(Action::Reply(Reply::One(_)))));
/// assert!(session.poll_action().is_none());
/// ```
#[derive(Debug)]
pub struct SessionMachine {
    phase: Phase,
    in_flight: HashMap<Id, InFlight>,
    /// Messages received and not yet acted on, with the batch each belongs to.
    incoming: VecDeque<(Result<Message, DecodeError>, Option<u64>)>,
    /// Actions decided but not yet taken (a batch's answer after its last entry's action).
    ready: VecDeque<Action>,
    batches: HashMap<u64, Batch>,
    next_batch: u64,
    /// Whether `shutdown` was received.
    shut_down: bool,
}

impl Default for SessionMachine {
    fn default() -> Self {
        SessionMachine::new()
    }
}

impl SessionMachine {
    /// A session awaiting `initialize`.
    pub fn new() -> Self {
        SessionMachine {
            phase: Phase::AwaitingInitialize,
            in_flight: HashMap::new(),
            incoming: VecDeque::new(),
            ready: VecDeque::new(),
            batches: HashMap::new(),
            next_batch: 0,
            shut_down: false,
        }
    }

    /// Takes one decoded line (a message, a line that failed to decode, or a batch).
    pub fn receive(&mut self, frame: Frame) {
        if self.phase == Phase::Exited {
            return;
        }
        match frame {
            Frame::Single(message) => self.incoming.push_back((message, None)),
            Frame::Batch(entries) => {
                let key = self.next_batch;
                self.next_batch += 1;
                self.batches.insert(
                    key,
                    Batch {
                        unread: entries.len(),
                        ..Batch::default()
                    },
                );
                self.incoming
                    .extend(entries.into_iter().map(|entry| (entry, Some(key))));
            }
        }
    }

    /// The next thing to do, in the order the messages arrived; `None` when every message
    /// received so far has been acted on.
    ///
    /// Carry out each action before polling the next: an `initialize` must have completed
    /// (and [`initialized`](Self::initialized) been called) for the requests after it to run.
    pub fn poll_action(&mut self) -> Option<Action> {
        loop {
            if let Some(action) = self.ready.pop_front() {
                return Some(action);
            }
            let (message, batch) = self.incoming.pop_front()?;
            let action = self.on_message(message, batch);
            if let Some(Action::Exit(code)) = action {
                self.exiting(batch);
                self.ready.push_back(Action::Exit(code));
                continue;
            }
            let Some(key) = batch else {
                if action.is_some() {
                    return action;
                }
                continue;
            };
            let Some(entry) = self.batches.get_mut(&key) else {
                continue;
            };
            entry.unread -= 1;
            match action {
                // An answer decided here joins the batch's array.
                Some(Action::Reply(Reply::One(response))) => entry.responses.push(response),
                Some(other) => self.ready.push_back(other),
                None => {}
            }
            if let Some(reply) = self.batch_done(key) {
                self.ready.push_back(Action::Reply(reply));
            }
        }
    }

    /// `exit` was read (in `batch`, if it was in one): nothing after it will be, so the
    /// batches it cuts short are answered with what they have, before the exit.
    fn exiting(&mut self, batch: Option<u64>) {
        let mut cut: Vec<u64> = batch.into_iter().collect();
        if let Some(entry) = batch.and_then(|key| self.batches.get_mut(&key)) {
            entry.unread -= 1;
        }
        for (_, key) in self.incoming.drain(..) {
            if let Some(key) = key
                && let Some(entry) = self.batches.get_mut(&key)
            {
                entry.unread -= 1;
                cut.push(key);
            }
        }
        cut.dedup();
        for key in cut {
            if let Some(reply) = self.batch_done(key) {
                self.ready.push_back(Action::Reply(reply));
            }
        }
    }

    /// A request from an action has been answered: returns what to write, if anything yet
    /// (the response itself, or the whole array once the last request of its batch is
    /// answered).
    pub fn complete(&mut self, response: Response) -> Option<Reply> {
        let batch = response
            .id
            .as_ref()
            .and_then(|id| self.in_flight.remove(id))
            .and_then(|in_flight| in_flight.batch);
        let Some(key) = batch else {
            return Some(Reply::One(response));
        };
        let Some(entry) = self.batches.get_mut(&key) else {
            return Some(Reply::One(response));
        };
        entry.waiting -= 1;
        entry.responses.push(response);
        self.batch_done(key)
    }

    /// The batch's answer if nothing of it is left to read or answer (and the batch is
    /// forgotten then); `None` for a batch of notifications.
    fn batch_done(&mut self, key: u64) -> Option<Reply> {
        let entry = self.batches.get(&key)?;
        if entry.unread > 0 || entry.waiting > 0 {
            return None;
        }
        let entry = self.batches.remove(&key)?;
        (!entry.responses.is_empty()).then_some(Reply::Batch(entry.responses))
    }

    fn on_message(
        &mut self,
        message: Result<Message, DecodeError>,
        batch: Option<u64>,
    ) -> Option<Action> {
        match message {
            Err(error) => Some(Action::Reply(Reply::One(error.to_response()))),
            Ok(Message::Request(request)) => Some(self.on_request(request, batch)),
            Ok(Message::Notification(notification)) => self.on_notification(notification),
            Ok(Message::Response(response)) => {
                // The serve loop sends no requests, so no response is expected.
                tracing::warn!(id = ?response.id, "ignoring a response to no request");
                None
            }
        }
    }

    fn on_request(&mut self, request: Request, batch: Option<u64>) -> Action {
        let refusal = match (self.phase, request.method.as_str()) {
            (Phase::AwaitingInitialize, method::INITIALIZE) => None,
            (_, method::INITIALIZE) => Some((
                ErrorCode::InvalidRequest,
                "`initialize` was already received; it may only be sent once".to_owned(),
            )),
            (Phase::AwaitingInitialize, _) => Some((
                ErrorCode::NotInitialized,
                format!(
                    "`{}` arrived before `initialize`; send `initialize` first",
                    request.method
                ),
            )),
            (Phase::ShuttingDown | Phase::Exited, _) => Some((
                ErrorCode::ShuttingDown,
                format!(
                    "`{}` arrived after `shutdown`; no new requests are accepted",
                    request.method
                ),
            )),
            (Phase::Running, _) => None,
        };
        let refusal = refusal.or_else(|| {
            self.in_flight.contains_key(&request.id).then(|| {
                (
                    ErrorCode::InvalidRequest,
                    format!("id {} is already used by a request in flight", request.id),
                )
            })
        });
        if let Some((code, message)) = refusal {
            return Action::Reply(Reply::One(Response::error(
                Some(request.id),
                ErrorObject::new(code, message),
            )));
        }
        if let Some(key) = batch
            && let Some(entry) = self.batches.get_mut(&key)
        {
            entry.waiting += 1;
        }
        let cancel = CancelToken::new();
        self.in_flight.insert(
            request.id.clone(),
            InFlight {
                cancel: cancel.clone(),
                batch,
            },
        );
        match request.method.as_str() {
            method::INITIALIZE => Action::Initialize(request),
            method::SHUTDOWN => {
                self.phase = Phase::ShuttingDown;
                self.shut_down = true;
                Action::Shutdown(request.id)
            }
            _ => Action::Dispatch(request, cancel),
        }
    }

    fn on_notification(&mut self, notification: Notification) -> Option<Action> {
        match notification.method.as_str() {
            method::EXIT => {
                let code = if self.shut_down { 0 } else { 1 };
                self.phase = Phase::Exited;
                Some(Action::Exit(code))
            }
            method::CANCEL_REQUEST => {
                match notification.params_as::<CancelParams>() {
                    Ok(CancelParams { id }) => {
                        // Unknown ids are normal: the request may have just finished.
                        if let Some(in_flight) = self.in_flight.get(&id) {
                            in_flight.cancel.cancel();
                        }
                    }
                    Err(error) => tracing::warn!(%error, "ignoring a malformed $/cancelRequest"),
                }
                None
            }
            method::INITIALIZED => None,
            name if method::is_protocol(name) => None,
            _ if self.phase == Phase::Running => Some(Action::Notify(notification)),
            name => {
                tracing::warn!(
                    method = name,
                    "ignoring a notification outside a running session"
                );
                None
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
        SessionMachine::check_version(&params)?;
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

    /// How many requests are in flight (dispatched, or `initialize`/`shutdown` being
    /// handled) and not yet [`complete`](Self::complete)d.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Cancels every request in flight (their handlers should answer soon, with
    /// [`Cancelled`](ErrorCode::Cancelled)).
    pub fn cancel_all(&mut self) {
        for in_flight in self.in_flight.values() {
            in_flight.cancel.cancel();
        }
    }

    /// The connection is over: nothing more is read, and every request in flight is
    /// cancelled.
    pub fn end(&mut self) {
        self.phase = Phase::Exited;
        self.incoming.clear();
        self.cancel_all();
    }

    /// Whether `shutdown` was received (so that end of input is a clean exit).
    pub fn was_shut_down(&self) -> bool {
        self.shut_down
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Decoder;

    /// Feeds `text` (one line) and returns every action it leads to.
    fn feed(session: &mut SessionMachine, text: &str) -> Vec<Action> {
        let mut decoder = Decoder::new();
        decoder.extend(text.as_bytes());
        decoder.extend(b"\n");
        session.receive(decoder.next_frame().expect("one line"));
        std::iter::from_fn(|| session.poll_action()).collect()
    }

    /// The one action `text` leads to.
    fn on(session: &mut SessionMachine, text: &str) -> Action {
        let mut actions = feed(session, text);
        assert_eq!(actions.len(), 1, "{actions:?}");
        actions.remove(0)
    }

    fn error_code(action: Action) -> Option<ErrorCode> {
        match action {
            Action::Reply(Reply::One(Response { result: Err(e), .. })) => e.kind(),
            other => panic!("expected an error reply, got {other:?}"),
        }
    }

    const INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1.0","host":{"name":"t","version":"1"}}}"#;

    fn running() -> SessionMachine {
        let mut session = SessionMachine::new();
        let Action::Initialize(request) = on(&mut session, INIT) else {
            panic!("initialize not recognised")
        };
        session.initialized();
        assert!(
            session
                .complete(Response::ok(
                    request.id,
                    crate::protocol::to_raw(&()).expect("null")
                ))
                .is_some()
        );
        session
    }

    #[test]
    fn requests_need_a_handshake_first() {
        let mut session = SessionMachine::new();
        let call = r#"{"jsonrpc":"2.0","id":1,"method":"echo"}"#;
        assert_eq!(
            error_code(on(&mut session, call)),
            Some(ErrorCode::NotInitialized)
        );
        let Action::Initialize(request) = on(&mut session, INIT) else {
            panic!("initialize not recognised")
        };
        assert!(SessionMachine::check_initialize(&request).is_ok());
        session.initialized();
        assert!(matches!(on(&mut session, call), Action::Dispatch(..)));
        assert_eq!(
            error_code(on(&mut session, &INIT.replace("\"id\":0", "\"id\":5"))),
            Some(ErrorCode::InvalidRequest)
        );
    }

    #[test]
    fn cancel_sets_the_token_and_duplicate_ids_are_refused() {
        let mut session = running();
        let call = r#"{"jsonrpc":"2.0","id":"a","method":"slow"}"#;
        let Action::Dispatch(request, token) = on(&mut session, call) else {
            panic!("not dispatched")
        };
        assert_eq!(
            error_code(on(&mut session, call)),
            Some(ErrorCode::InvalidRequest)
        );
        assert!(!token.is_cancelled());
        assert!(
            feed(
                &mut session,
                r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":"a"}}"#,
            )
            .is_empty()
        );
        assert!(token.is_cancelled());
        let done = session.complete(Response::error(Some(request.id), ErrorObject::cancelled()));
        assert!(matches!(done, Some(Reply::One(_))));
        assert!(matches!(on(&mut session, call), Action::Dispatch(..)));
    }

    #[test]
    fn cancel_finds_a_request_by_an_id_kept_as_written() {
        let mut session = running();
        let Action::Dispatch(_, token) = on(
            &mut session,
            r#"{"jsonrpc":"2.0","id":1.50,"method":"slow"}"#,
        ) else {
            panic!("not dispatched")
        };
        feed(
            &mut session,
            r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1.5}}"#,
        );
        assert!(!token.is_cancelled(), "1.5 is not the id 1.50");
        feed(
            &mut session,
            r#"{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":1.50}}"#,
        );
        assert!(token.is_cancelled());
    }

    #[test]
    fn exit_code_depends_on_shutdown() {
        let exit = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let mut session = SessionMachine::new();
        assert!(matches!(on(&mut session, exit), Action::Exit(1)));

        let mut session = running();
        let shutdown = r#"{"jsonrpc":"2.0","id":9,"method":"shutdown"}"#;
        assert!(matches!(on(&mut session, shutdown), Action::Shutdown(_)));
        let late = r#"{"jsonrpc":"2.0","id":10,"method":"echo"}"#;
        assert_eq!(
            error_code(on(&mut session, late)),
            Some(ErrorCode::ShuttingDown)
        );
        assert!(matches!(on(&mut session, exit), Action::Exit(0)));
        assert!(session.was_shut_down());
    }

    #[test]
    fn a_whole_session_in_one_read_is_taken_in_order() {
        let mut session = SessionMachine::new();
        let mut decoder = Decoder::new();
        decoder.extend(INIT.as_bytes());
        decoder.extend(b"\n{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"echo\"}\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"shutdown\"}\n{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}\n");
        while let Some(frame) = decoder.next_frame() {
            session.receive(frame);
        }
        let Some(Action::Initialize(_)) = session.poll_action() else {
            panic!("initialize first")
        };
        // The request after `initialize` is dispatched once the handshake is done.
        session.initialized();
        assert!(matches!(session.poll_action(), Some(Action::Dispatch(..))));
        assert!(matches!(session.poll_action(), Some(Action::Shutdown(_))));
        assert!(matches!(session.poll_action(), Some(Action::Exit(0))));
        assert!(session.poll_action().is_none());
    }

    #[test]
    fn a_batch_is_answered_with_one_array_once_all_its_requests_are() {
        let mut session = running();
        let actions = feed(
            &mut session,
            r#"[{"jsonrpc":"2.0","id":"1","method":"sum","params":[1,2]},{"jsonrpc":"2.0","method":"note"},{"foo":"boo"},{"jsonrpc":"2.0","id":5e0,"method":"get"}, 3]"#,
        );
        let mut dispatched = Vec::new();
        for action in actions {
            match action {
                Action::Dispatch(request, _) => dispatched.push(request.id),
                Action::Notify(n) => assert_eq!(n.method, "note"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(dispatched, [Id::from("1"), Id::Raw("5e0".into())]);
        let null = || crate::protocol::to_raw(&()).expect("null");
        assert!(
            session
                .complete(Response::ok(dispatched[1].clone(), null()))
                .is_none()
        );
        let Some(Reply::Batch(responses)) =
            session.complete(Response::ok(dispatched[0].clone(), null()))
        else {
            panic!("no array")
        };
        let text = serde_json::to_string(&Reply::Batch(responses)).expect("json");
        assert_eq!(text.matches("-32600").count(), 2, "{text}");
        assert!(
            text.contains(r#""id":5e0,"#) && text.contains(r#""id":"1","#),
            "{text}"
        );
        assert_eq!(session.in_flight(), 0);
    }

    #[test]
    fn batches_of_notifications_or_errors_only() {
        let mut session = running();
        assert!(
            feed(
                &mut session,
                r#"[{"jsonrpc":"2.0","method":"a"},{"jsonrpc":"2.0","method":"$/x"}]"#
            )
            .iter()
            .all(|action| matches!(action, Action::Notify(_)))
        );
        let [Action::Reply(Reply::Batch(responses))] = &feed(&mut session, "[1,2,3]")[..] else {
            panic!("not one array")
        };
        assert_eq!(responses.len(), 3);
        assert!(responses.iter().all(|r| r.id.is_none()));
        assert_eq!(
            error_code(on(&mut session, "[]")),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            error_code(on(
                &mut session,
                r#"[{"jsonrpc":"2.0","method":"sum"},{"jsonrpc":"2.0","method""#
            )),
            Some(ErrorCode::ParseError)
        );
    }

    #[test]
    fn exit_inside_a_batch_still_answers_the_batch() {
        let mut session = running();
        let actions = feed(
            &mut session,
            r#"[{"jsonrpc":"2.0","id":1,"method":"echo"},{"jsonrpc":"2.0","id":2,"method":"shutdown"},{"jsonrpc":"2.0","method":"exit"},{"jsonrpc":"2.0","id":3,"method":"echo"}]"#,
        );
        assert!(matches!(actions[0], Action::Dispatch(..)), "{actions:?}");
        assert!(matches!(actions[1], Action::Shutdown(_)), "{actions:?}");
        assert!(matches!(actions[2], Action::Exit(0)), "{actions:?}");
        assert_eq!(actions.len(), 3, "{actions:?}");
        let null = || crate::protocol::to_raw(&()).expect("null");
        assert!(
            session
                .complete(Response::ok(Id::Number(1), null()))
                .is_none()
        );
        let Some(Reply::Batch(responses)) = session.complete(Response::ok(Id::Number(2), null()))
        else {
            panic!("the batch is never answered")
        };
        assert_eq!(responses.len(), 2);

        // Everything answered before the exit: the array comes before it.
        let mut session = running();
        let actions = feed(
            &mut session,
            r#"[{"jsonrpc":"2.0","id":1,"method":"echo","params":3},{"jsonrpc":"2.0","method":"exit"}]"#,
        );
        assert!(
            matches!(actions[0], Action::Reply(Reply::Batch(_))),
            "{actions:?}"
        );
        assert!(matches!(actions[1], Action::Exit(1)), "{actions:?}");
    }

    #[test]
    fn incompatible_major_version_names_both() {
        let text = INIT.replace("\"1.0\"", "\"2.3\"");
        let mut session = SessionMachine::new();
        let Action::Initialize(request) = on(&mut session, &text) else {
            panic!("not a request")
        };
        let error = SessionMachine::check_initialize(&request).expect_err("major 2");
        assert_eq!(error.kind(), Some(ErrorCode::IncompatibleVersion));
        assert!(
            error.message.contains("2.3") && error.message.contains("1.0"),
            "{}",
            error.message
        );
    }

    #[test]
    fn malformed_input_gets_the_matching_json_rpc_code() {
        let mut session = SessionMachine::new();
        assert_eq!(
            error_code(on(&mut session, "{oops")),
            Some(ErrorCode::ParseError)
        );
        assert_eq!(
            error_code(on(&mut session, r#"{"jsonrpc":"2.0","id":1}"#)),
            Some(ErrorCode::InvalidRequest)
        );
        assert_eq!(
            error_code(on(&mut session, r#""2.0",8,"echo",["hi"]"#)),
            Some(ErrorCode::ParseError)
        );
        assert_eq!(
            error_code(on(&mut session, "5")),
            Some(ErrorCode::InvalidRequest)
        );
    }
}
