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
    fn printable_text_loses_control_characters() {
        assert_eq!(printable("Ann\x1b[2J\tLee\n"), "Ann[2JLee");
    }
}
