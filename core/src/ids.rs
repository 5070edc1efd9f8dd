//! Newtype identifiers, so a ticket id is never passed where a site id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// Wraps an id.
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }
    };
}

string_id!(
    /// A customer's installation of Waymark (one widget site key, one matrix).
    SiteId
);
string_id!(
    /// A browser session of the widget.
    SessionId
);
string_id!(
    /// A conversation between an end user and support.
    ConversationId
);
string_id!(
    /// A support ticket.
    TicketId
);
string_id!(
    /// A support tier of the escalation matrix (`tier1`, `tier2`, …).
    TierId
);
string_id!(
    /// A team that tickets can be transferred to (`billing`, `technical`, …).
    TeamId
);
string_id!(
    /// A human support agent.
    AgentId
);
string_id!(
    /// A knowledge-base article.
    ArticleId
);
string_id!(
    /// A rule of the escalation matrix.
    RuleId
);
string_id!(
    /// An end customer (an identified user or an account).
    CustomerId
);
string_id!(
    /// A stable fingerprint of an error, equal for every occurrence of the same error.
    Fingerprint
);
