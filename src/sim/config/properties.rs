//! Java `.properties` files, read the way `java.util.Properties.load` reads them, so the
//! course notes' producer configs load unchanged.
//!
//! Supported: `#` / `!` comment lines, blank lines, `key=value`, `key: value`, `key value`,
//! backslash line continuation, and the escapes `\t \n \r \f \\ \uXXXX` (any other
//! escaped character stands for itself, e.g. `\=`, `\:`, `\ `). Values are trimmed, as
//! Kafka's `ConfigDef` trims them. Files must be UTF-8; a leading byte-order mark is skipped.

use super::values::shown;
use super::{Config, ConfigError};
use std::path::Path;

/// Reads `path` and applies every `key=value` in it to `config`. On error `config` is unchanged.
pub fn load_properties_file(config: &mut Config, path: &Path) -> Result<(), ConfigError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ConfigError {
        file: None,
        line: None,
        key: None,
        message: format!("cannot read '{name}': {}", io_message(&e)),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = bytes[..at].split(|b| *b == b'\n').count();
        ConfigError {
            file: Some(name.clone()),
            line: Some(line),
            key: None,
            message: format!(
                "not UTF-8 text (byte 0x{:02X} at offset {at}); save the file as UTF-8 \
                 or write non-ASCII characters as \\uXXXX",
                bytes.get(at).copied().unwrap_or(0)
            ),
        }
    })?;
    apply_properties(config, &text, &name)
}

/// Applies the `key=value` lines of `text`; errors name `source_name:line: key`. Stops at
/// the first error and then leaves `config` unchanged.
pub fn apply_properties(
    config: &mut Config,
    text: &str,
    source_name: &str,
) -> Result<(), ConfigError> {
    let at = |line: usize, key: Option<String>, message: String| ConfigError {
        file: Some(source_name.to_string()),
        line: Some(line),
        // Escapes can put a newline in a key; the message must stay on one line.
        key: key.map(|k| shown(&k)),
        message,
    };
    // Applied to a copy so that a bad line 9 does not leave lines 1 to 8 half-applied.
    let mut staged = config.clone();
    for line in logical_lines(text) {
        let entry =
            parse_entry(&line.text).map_err(|(key, message)| at(line.number, key, message))?;
        staged
            .set(&entry.key, &entry.value)
            .map_err(|e| at(line.number, Some(entry.key.clone()), e.detail()))?;
    }
    *config = staged;
    Ok(())
}

/// `std::io::Error` without Rust's " (os error 2)" suffix, which means nothing to a student.
fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

struct LogicalLine {
    /// 1-based number of the natural line where it starts.
    number: usize,
    /// Still escaped; continuation backslashes and the next lines' indentation removed.
    text: String,
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

/// Joins continued lines and drops comments and blank lines, as `Properties.LineReader` does.
fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // `\r\n`, `\n` and a lone `\r` all end a line.
    let natural: Vec<&str> = text
        .split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < natural.len() {
        let number = i + 1;
        let mut current = natural[i].trim_start_matches(is_blank);
        i += 1;
        // Only the first line of a logical line can be a comment; a continued line
        // that starts with `#` is part of the value.
        if current.is_empty() || current.starts_with('#') || current.starts_with('!') {
            continue;
        }
        let mut joined = String::new();
        loop {
            let trailing = current.len() - current.trim_end_matches('\\').len();
            if trailing % 2 == 0 {
                joined.push_str(current);
                break;
            }
            joined.push_str(&current[..current.len() - 1]);
            match natural.get(i) {
                Some(next) => {
                    current = next.trim_start_matches(is_blank);
                    i += 1;
                }
                // A backslash on the very last line continues into nothing.
                None => break,
            }
        }
        out.push(LogicalLine {
            number,
            text: joined,
        });
    }
    out
}

struct Entry {
    key: String,
    value: String,
}

/// Splits a logical line into key and value and unescapes both. The error carries the key
/// when it is known.
fn parse_entry(line: &str) -> Result<Entry, (Option<String>, String)> {
    // The key ends at the first unescaped `=`, `:` or blank.
    let mut escaped = false;
    let mut key_end = line.len();
    let mut separator = false;
    for (i, c) in line.char_indices() {
        if !escaped && (c == '=' || c == ':' || is_blank(c)) {
            key_end = i;
            separator = c == '=' || c == ':';
            break;
        }
        escaped = c == '\\' && !escaped;
    }
    let raw_key = &line[..key_end];
    let mut rest = line[key_end..].chars();
    if key_end < line.len() {
        rest.next();
    }
    // Then blanks, at most one `=` or `:` (if the key ended at a blank), and blanks again.
    let mut rest = rest.as_str().trim_start_matches(is_blank);
    if !separator {
        if let Some(after) = rest.strip_prefix(['=', ':']) {
            separator = true;
            rest = after.trim_start_matches(is_blank);
        }
    }
    let key = unescape(raw_key).map_err(|m| (None, m))?;
    let key = key.trim().to_string();
    if key.is_empty() {
        return Err((
            None,
            format!("missing the key before the value '{}'", shown(rest)),
        ));
    }
    if !separator && rest.is_empty() {
        return Err((
            Some(key.clone()),
            format!(
                "has no value (write '{key}=value'; '{key}: value' and '{key} value' work too)"
            ),
        ));
    }
    let value = unescape(rest).map_err(|m| (Some(key.clone()), m))?;
    Ok(Entry {
        key,
        value: value.trim().to_string(),
    })
}

/// `Properties.loadConvert`: `\t \n \r \f`, `\uXXXX` (with surrogate pairs), and `\x` → `x`.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    let mut pending_high: Option<u32> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            if pending_high.is_some() {
                return Err(lone_surrogate());
            }
            out.push(c);
            continue;
        }
        let Some(next) = chars.next() else { break };
        if next != 'u' {
            if pending_high.is_some() {
                return Err(lone_surrogate());
            }
            out.push(match next {
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                'f' => '\x0c',
                other => other,
            });
            continue;
        }
        let hex: String = chars.by_ref().take(4).collect();
        let code = match u32::from_str_radix(&hex, 16) {
            Ok(code) if hex.len() == 4 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => code,
            _ => {
                return Err(format!(
                    "malformed \\uXXXX escape '\\u{hex}' (expected 4 hex digits)"
                ));
            }
        };
        // Java strings are UTF-16, so characters beyond U+FFFF arrive as two escapes.
        let scalar = match (pending_high.take(), code) {
            (None, 0xD800..=0xDBFF) => {
                pending_high = Some(code);
                continue;
            }
            (Some(high), 0xDC00..=0xDFFF) => 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00),
            (Some(_), _) | (None, 0xDC00..=0xDFFF) => return Err(lone_surrogate()),
            (None, _) => code,
        };
        out.push(char::from_u32(scalar).ok_or_else(lone_surrogate)?);
    }
    if pending_high.is_some() {
        return Err(lone_surrogate());
    }
    Ok(out)
}

fn lone_surrogate() -> String {
    "malformed \\uXXXX escape: half of a UTF-16 surrogate pair".to_string()
}

#[cfg(test)]
mod tests {
    use super::super::{Acks, Config, KafkaVersion};
    use super::{apply_properties, load_properties_file};
    use std::path::PathBuf;

    fn load(text: &str) -> Result<Config, String> {
        let mut config = Config::defaults(KafkaVersion::V4);
        let before = config.clone();
        match apply_properties(&mut config, text, "p.properties") {
            Ok(()) => Ok(config),
            Err(e) => {
                assert_eq!(config, before, "a failed load must not change the config");
                Err(e.to_string())
            }
        }
    }

    fn client_id(text: &str) -> String {
        load(text)
            .unwrap_or_else(|e| panic!("{e}"))
            .producer
            .client_id
    }

    /// A scratch file under the system temp dir, removed when dropped.
    struct TempFile(PathBuf);
    impl TempFile {
        fn new(name: &str, bytes: &[u8]) -> Self {
            let path =
                std::env::temp_dir().join(format!("kafka-flow-{}-{name}", std::process::id()));
            std::fs::write(&path, bytes).unwrap();
            TempFile(path)
        }
    }
    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn the_course_notes_producer_config_loads() {
        let notes = "\
# producer.properties from the course notes
bootstrap.servers=hadoop102:9092
key.serializer=org.apache.kafka.common.serialization.StringSerializer
value.serializer=org.apache.kafka.common.serialization.StringSerializer
acks=all
retries=1
batch.size=16384
linger.ms=1
buffer.memory=33554432
";
        let file = TempFile::new("notes.properties", notes.as_bytes());
        let mut config = Config::defaults(KafkaVersion::V3);
        load_properties_file(&mut config, &file.0).unwrap();
        let p = &config.producer;
        assert_eq!(
            (p.acks, p.retries, p.batch_size, p.linger_ms),
            (Acks::All, 1, 16_384, 1)
        );
        assert_eq!(p.buffer_memory, 33_554_432);
        let explicit: Vec<_> = config.explicit.iter().copied().collect();
        assert_eq!(
            explicit,
            [
                "acks",
                "batch.size",
                "buffer.memory",
                "linger.ms",
                "retries"
            ]
        );
        assert!(config.validate().unwrap().idempotence);
    }

    #[test]
    fn all_three_separators_and_surrounding_blanks() {
        for line in [
            "linger.ms=7",
            "linger.ms: 7",
            "linger.ms 7",
            "  linger.ms   =   7   ",
            "\tlinger.ms\t:\t7",
        ] {
            assert_eq!(load(line).unwrap().producer.linger_ms, 7, "{line:?}");
        }
        // Only one separator is consumed, as in Java: the value is "=7".
        assert!(
            load("linger.ms:=7")
                .unwrap_err()
                .contains("'=7' is not a whole number")
        );
    }

    #[test]
    fn comments_and_blank_lines_are_skipped_with_line_numbers_kept() {
        let text = "# comment\n! also a comment\n   # indented comment\n\n   \nacks=two\n";
        assert_eq!(
            load(text).unwrap_err(),
            "p.properties:6: acks: 'two' is not accepted (accepted: all, -1, 1, 0)"
        );
    }

    #[test]
    fn a_malformed_line_is_reported_where_it_is() {
        assert_eq!(
            load("acks=all\nretries=3\n\nlinger.ms\n").unwrap_err(),
            "p.properties:4: linger.ms: has no value (write 'linger.ms=value'; 'linger.ms: value' \
             and 'linger.ms value' work too)"
        );
        assert_eq!(
            load("acks=all\nlinger.mss=5\n").unwrap_err(),
            "p.properties:2: linger.mss: unknown setting (did you mean 'linger.ms'?)"
        );
        assert!(
            load("=5")
                .unwrap_err()
                .starts_with("p.properties:1: missing the key")
        );
        // The first error wins.
        assert!(
            load("acks=x\nretries=y\n")
                .unwrap_err()
                .starts_with("p.properties:1: acks")
        );
    }

    #[test]
    fn continuation_lines() {
        assert_eq!(
            client_id("client.id=my\\\n      -producer\n"),
            "my-producer"
        );
        // A continued line starting with '#' is value, not a comment.
        assert_eq!(client_id("client.id=a\\\n#b"), "a#b");
        // An even number of backslashes is an escaped backslash, not a continuation.
        assert_eq!(client_id("client.id=a\\\\\nacks=1"), "a\\");
        // A backslash at the very end of the file continues into nothing.
        assert_eq!(client_id("client.id=abc\\"), "abc");
        // Errors after a continued line count every natural line.
        let err = load("client.id=a\\\n  b\\\n  c\nacks=2\n").unwrap_err();
        assert!(err.starts_with("p.properties:4: acks:"), "{err}");
        let err = load("acks=all\nlinger.ms=\\\n  x\n").unwrap_err();
        assert!(err.starts_with("p.properties:2: linger.ms: 'x'"), "{err}");
    }

    #[test]
    fn escapes() {
        assert_eq!(client_id("client.id=tab\\there"), "tab\there");
        assert_eq!(client_id("client.id=a\\=b\\:c\\ d"), "a=b:c d");
        assert_eq!(client_id("client.id=\\u0041\\u00e9\\u4e2d"), "Aé中");
        assert_eq!(client_id("client.id=\\uD83D\\uDE00"), "😀");
        assert_eq!(client_id("client\\.id=escaped-key"), "escaped-key");
        assert_eq!(client_id("client.id=caf\u{e9}  "), "café");
        let bad = load("acks=all\nclient.id=\\u00G1\n").unwrap_err();
        assert!(
            bad.starts_with("p.properties:2: client.id: malformed \\uXXXX escape"),
            "{bad}"
        );
        assert!(load("client.id=\\uD83D").unwrap_err().contains("surrogate"));
        assert!(load("client.id=\\u12").unwrap_err().contains("malformed"));
    }

    #[test]
    fn line_endings_and_byte_order_mark() {
        let config = load("\u{feff}acks=0\r\nretries=2\rlinger.ms=3\n").unwrap();
        assert_eq!(config.producer.acks, Acks::Zero);
        assert_eq!((config.producer.retries, config.producer.linger_ms), (2, 3));
        assert!(
            load("acks=0\r\n\r\nretries=x\r\n")
                .unwrap_err()
                .starts_with("p.properties:3:")
        );
    }

    #[test]
    fn missing_and_non_utf8_files() {
        let mut config = Config::default();
        let missing = PathBuf::from("/nonexistent-dir/x.properties");
        assert_eq!(
            load_properties_file(&mut config, &missing)
                .unwrap_err()
                .to_string(),
            "cannot read '/nonexistent-dir/x.properties': No such file or directory"
        );
        let file = TempFile::new("latin1.properties", b"acks=all\nclient.id=caf\xe9\n");
        let err = load_properties_file(&mut config, &file.0).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.message.starts_with("not UTF-8 text (byte 0xE9"),
            "{err}"
        );
        assert_eq!(config, Config::default());
    }
}
