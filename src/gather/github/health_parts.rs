//! A repository's health read in parts (workflows, pull requests, alerts), each asked and
//! refused on its own, by REST (`health.rs`) or GraphQL (`health_gql.rs`) alike.

use crate::gather::cache::RepoState;
use crate::gather::health::{AlertCounts, WorkflowRun};

/// One feature of a repository's health, read (and refused) on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Part {
    Actions,
    Pulls,
    Dependabot,
    CodeScanning,
}

impl Part {
    pub(super) const ALL: [Part; 4] = [
        Part::Actions,
        Part::Pulls,
        Part::Dependabot,
        Part::CodeScanning,
    ];

    pub(super) fn key(self) -> &'static str {
        match self {
            Part::Actions => "actions",
            Part::Pulls => "pulls",
            Part::Dependabot => "dependabot",
            Part::CodeScanning => "code-scanning",
        }
    }
}

/// One repository's figures as they come in: `None` is still to be asked, `Some(None)` not
/// available.
#[derive(Default)]
pub(super) struct Parts {
    pub(super) workflows: Option<Option<Vec<WorkflowRun>>>,
    pub(super) pulls: Option<Option<u64>>,
    pub(super) dependabot: Option<Option<AlertCounts>>,
    pub(super) code_scanning: Option<Option<AlertCounts>>,
    /// Features refused this run, with the status (403 or 404).
    pub(super) refused: Vec<(Part, u16)>,
}

impl Parts {
    /// Whether `part` is still to be asked.
    pub(super) fn open(&self, part: Part) -> bool {
        match part {
            Part::Actions => self.workflows.is_none(),
            Part::Pulls => self.pulls.is_none(),
            Part::Dependabot => self.dependabot.is_none(),
            Part::CodeScanning => self.code_scanning.is_none(),
        }
    }

    /// Marks `part` not available; `status` (403, 404) when GitHub refused it just now.
    pub(super) fn refuse(&mut self, part: Part, status: Option<u16>) {
        match part {
            Part::Actions => self.workflows = Some(None),
            Part::Pulls => self.pulls = Some(None),
            Part::Dependabot => self.dependabot = Some(None),
            Part::CodeScanning => self.code_scanning = Some(None),
        }
        self.refused.extend(status.map(|s| (part, s)));
    }

    /// Starts with the features still refused for `state`.
    pub(super) fn for_state(state: &RepoState, now: i64, recheck_secs: u64) -> Parts {
        let mut parts = Parts::default();
        for part in Part::ALL {
            if state
                .refused
                .get(part.key())
                .is_some_and(|r| r.stands(&state.pushed_at, now, recheck_secs))
            {
                parts.refuse(part, None);
            }
        }
        parts
    }
}
