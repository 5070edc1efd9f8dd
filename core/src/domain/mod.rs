//! The support domain: tickets and their state machine, lifecycle stages, escalation
//! vs transfer, ownership, and what the widget saw on the page.

mod handoff;
mod page;
mod ticket;

pub use handoff::{
    Assignment, AssignmentError, EscalationType, Handoff, HandoffError, HandoffNote,
    LifecycleStage, PreviousOwner, Priority,
};
pub use page::{PageContext, PageSignal, SignalKind};
pub use ticket::{Resolution, TicketAction, TicketState, TransitionError};
