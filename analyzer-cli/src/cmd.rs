//! One module per subcommand: its arguments and how it renders.

pub mod analyze;
pub mod completions;
pub mod inventory;
pub mod man;
pub mod rules;
pub mod serve;
pub mod stacks;
pub mod timeline;
