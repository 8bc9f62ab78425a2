//! The exit status of every subcommand, decided in one place ([`status`]).
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success: something matched (query, filter); no alarm (metrics); everything in scope proven intact (validate) |
//! | 1 | a finding: nothing matched (query, filter, as grep); an alarm fired (metrics); evidence of tampering (validate) |
//! | 2 | a usage error, or an input that could not be read (a path, a file, a gzip stream), even if other inputs matched, as grep |
//! | 3 | validate only: nothing wrong found, but not everything could be proven (no keys, unsigned head, unverified digests) |
//! | 130 | interrupted |
//!
//! For validate, evidence of tampering (1) outranks an unreadable input (2), which outranks
//! "not all proven" (3): a script that sees 1 knows there is something to look at whatever else
//! happened. For the other subcommands an unreadable input (2) outranks the answer, as in grep.
//! Records inside a readable file that are not events are warnings, counted in the summary, and
//! do not change the status.

use std::process::ExitCode;

/// What a run established, before input errors are considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A search (query, filter): whether anything matched.
    Search { matched: bool },
    /// A replay of metric filters: whether an alarm would have fired.
    Alarm { fired: bool },
    /// An integrity check: whether tampering was found, and whether everything was proven.
    Integrity { tampered: bool, all_proven: bool },
}

/// An exit status; see the module table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    Success = 0,
    Finding = 1,
    Error = 2,
    Unproven = 3,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// The exit status of a run that gave `answer` and could not read `unreadable` inputs.
pub fn status(answer: Answer, unreadable: u64) -> Status {
    let failed = unreadable > 0;
    match answer {
        Answer::Integrity { tampered: true, .. } => Status::Finding,
        _ if failed => Status::Error,
        Answer::Integrity { all_proven: false, .. } => Status::Unproven,
        Answer::Integrity { .. } => Status::Success,
        Answer::Search { matched } => {
            if matched {
                Status::Success
            } else {
                Status::Finding
            }
        }
        Answer::Alarm { fired } => {
            if fired {
                Status::Finding
            } else {
                Status::Success
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_input_outranks_the_answer_except_tampering() {
        assert_eq!(status(Answer::Search { matched: true }, 0), Status::Success);
        assert_eq!(status(Answer::Search { matched: false }, 0), Status::Finding);
        assert_eq!(status(Answer::Search { matched: true }, 1), Status::Error);
        assert_eq!(status(Answer::Alarm { fired: true }, 0), Status::Finding);
        assert_eq!(status(Answer::Alarm { fired: false }, 2), Status::Error);
        assert_eq!(status(Answer::Integrity { tampered: true, all_proven: false }, 3), Status::Finding);
        assert_eq!(status(Answer::Integrity { tampered: false, all_proven: false }, 1), Status::Error);
        assert_eq!(status(Answer::Integrity { tampered: false, all_proven: false }, 0), Status::Unproven);
        assert_eq!(status(Answer::Integrity { tampered: false, all_proven: true }, 0), Status::Success);
    }
}
