//! One module per subcommand: its arguments and how it renders.

pub mod inventory;
pub mod stacks;
