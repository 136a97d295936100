//! Line iteration shared by the line-oriented parsers.
