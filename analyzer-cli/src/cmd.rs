//! One module per subcommand: its arguments and how it renders.

pub mod analyze;
pub mod inventory;
pub mod rules;
pub mod stacks;
