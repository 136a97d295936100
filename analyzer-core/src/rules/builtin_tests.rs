//! Tests of the built-in rule library, one module per rule file.

use super::testkit::*;
