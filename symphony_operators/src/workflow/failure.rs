//! Which failure a run reports, and what a panic said.

use super::WorkflowError;

/// The first failure that is a cause rather than an echo of another node's failure (an
/// upstream that failed, a downstream that closed, a cancellation), else the first echo.
pub(super) fn first_cause(
    errors: impl IntoIterator<Item = WorkflowError>,
) -> Option<WorkflowError> {
    let mut echo = None;
    for error in errors {
        if is_echo(&error) {
            echo.get_or_insert(error);
        } else {
            return Some(error);
        }
    }
    echo
}

fn is_echo(error: &WorkflowError) -> bool {
    matches!(error, WorkflowError::Node { source, .. } if source.is_consequence())
}
