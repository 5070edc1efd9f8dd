//! The escalation matrix: tiers (role, authority, SLAs, what "resolved at tier"
//! means), teams, and rules (`when` conditions → `then` action), versioned and
//! validated with errors that name the key path.
//!
//! The same types are read from TOML by the server (feature `matrix-toml`, see
//! [`load_toml`]) and sent as JSON to the widget for its proactive rules. The sample
//! matrix at `core/examples/escalation-matrix.toml` encodes DESIGN.md §1.

mod condition;
#[cfg(feature = "matrix-toml")]
mod load;
mod model;
mod policy;
pub(crate) mod table;
mod validate;

pub use condition::{Condition, SlaKind};
#[cfg(feature = "matrix-toml")]
pub use load::load_toml;
pub use model::{
    ActionKind, ContextField, EscalationMatrix, MATRIX_VERSION, Rule, RuleAction, Team, Tier, When,
};
pub use policy::{Autonomy, RequiredInfo, StageRequirement, TicketType};
pub use table::render_table;
pub use validate::{MatrixError, Problem};
