//! The width text output is fitted to: `--width N`, else the terminal's width when standard
//! output is one, else `$COLUMNS`, else 100 columns.

use std::io::IsTerminal;

/// Width used when neither a terminal nor `$COLUMNS` says.
pub const DEFAULT_WIDTH: usize = 100;

/// Narrowest width honoured; below it lines would be mostly indentation.
pub const MIN_WIDTH: usize = 40;

/// The output width: the flag, the terminal, `$COLUMNS`, or [`DEFAULT_WIDTH`].
pub fn resolve(flag: Option<usize>) -> usize {
    let stdout = std::io::stdout();
    let from_terminal = || {
        stdout
            .is_terminal()
            .then(terminal_size::terminal_size)
            .flatten()
            .map(|(w, _)| usize::from(w.0))
    };
    flag.or_else(from_terminal)
        .or_else(|| columns(std::env::var("COLUMNS").ok().as_deref()))
        .unwrap_or(DEFAULT_WIDTH)
        .max(MIN_WIDTH)
}

/// `$COLUMNS` as a width, when it is a positive number.
fn columns(v: Option<&str>) -> Option<usize> {
    v?.trim().parse().ok().filter(|&n: &usize| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_variable() {
        assert_eq!(columns(Some("132")), Some(132));
        assert_eq!(columns(Some(" 90 ")), Some(90));
        assert_eq!(columns(Some("0")), None);
        assert_eq!(columns(Some("wide")), None);
        assert_eq!(columns(None), None);
        // The flag wins, and is never narrower than the minimum.
        assert_eq!(resolve(Some(120)), 120);
        assert_eq!(resolve(Some(10)), MIN_WIDTH);
    }
}
