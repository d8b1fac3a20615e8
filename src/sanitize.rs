//! Keeping customer text from taking over a terminal.
//!
//! Exports hold whatever customers typed, escape sequences included; shown on
//! a terminal as they are, those could recolour or clear the screen of whoever
//! looks. A leaf module: it depends on nothing else in goldpan.

use std::io::Write;

/// Control characters make a terminal misbehave; show customer text without them.
pub fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// A message for stderr with every control character but the line break
/// shown escaped (`\u{1b}`): messages quote file content (order names,
/// dates, currencies, column names), which must not drive the terminal, yet
/// the reader should see that something odd is there.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.into();
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            escaped.extend(c.escape_debug());
        } else {
            escaped.push(c);
        }
    }
    escaped.into()
}

/// Drops control characters (other than line breaks and tabs) on their way to
/// a terminal: customer text can hold escape sequences that would recolour
/// or clear the screen of whoever looks at a list there.
pub struct Printable<W: Write>(pub W);

impl<W: Write> Write for Printable<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let keep = |b: &u8| *b >= 0x20 && *b != 0x7f || matches!(b, b'\n' | b'\r' | b'\t');
        let printable: Vec<u8> = bytes.iter().copied().filter(keep).collect();
        self.0.write_all(&printable)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_output_loses_control_characters() {
        let mut out = Printable(Vec::new());
        out.write_all("Ann\x1b[2J Lee\x07,\"a\nb\"\tok\r\n".as_bytes())
            .unwrap();
        assert_eq!(
            String::from_utf8(out.0).unwrap(),
            "Ann[2J Lee,\"a\nb\"\tok\r\n"
        );
    }

    #[test]
    fn messages_show_control_characters_escaped() {
        assert_eq!(
            escape_controls("#1\x1b]0;x\x07 \0\tok\n"),
            "#1\\u{1b}]0;x\\u{7} \\0\\tok\n"
        );
    }

    #[test]
    fn printable_text_loses_control_characters() {
        assert_eq!(printable("Ann\x1b[2J\tLee\n"), "Ann[2JLee");
    }
}
