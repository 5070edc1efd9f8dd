//! The Waymark help widget.
