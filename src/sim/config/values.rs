//! `Config::set` / `Config::get` over the name table, the value parsers behind them,
//! and `SetError` with its "did you mean" suggestions.

use super::settings::{Access, COMPAT_SETTINGS, SETTINGS, SettingInfo, SettingKind, Unit, lookup};
use super::{Acks, Config};
use std::fmt;

const KAFKA_CODECS: &[&str] = &["gzip", "snappy", "lz4", "zstd"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetError {
    Unknown {
        name: String,
        suggestion: Option<&'static str>,
    },
    BadValue {
        name: &'static str,
        value: String,
        problem: Problem,
    },
}

/// What is wrong with a value, as data, so that the screen can say it in its language.
/// `accepted` is the setting's accepted values or range, as `kafka-flow settings` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    NotBoolean {
        accepted: String,
    },
    NotAccepted {
        accepted: String,
    },
    TooSmall {
        accepted: String,
    },
    TooLarge {
        accepted: String,
    },
    Negative {
        accepted: String,
    },
    /// More than 3 decimals: the simulation counts whole microseconds.
    TooPrecise {
        accepted: String,
    },
    NotWhole {
        unit: Unit,
        accepted: String,
    },
    NotNumber {
        unit: Unit,
        accepted: String,
    },
    Empty {
        accepted: String,
    },
    /// Rarer refusals (topic names, codecs, serializers), in English.
    Other(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, accepted) = match self {
            Problem::NotBoolean { accepted } => ("is not a boolean".to_string(), accepted),
            Problem::NotAccepted { accepted } => ("is not accepted".to_string(), accepted),
            Problem::TooSmall { accepted } => ("is too small".to_string(), accepted),
            Problem::TooLarge { accepted } => ("is too large".to_string(), accepted),
            Problem::Negative { accepted } => ("is negative".to_string(), accepted),
            Problem::TooPrecise { accepted } => (
                "has more than 3 decimals: the simulation counts whole microseconds".to_string(),
                accepted,
            ),
            Problem::NotWhole { unit, accepted } => {
                (format!("is not a whole number{}", unit.phrase()), accepted)
            }
            Problem::NotNumber { unit, accepted } => {
                (format!("is not a number{}", unit.phrase()), accepted)
            }
            Problem::Empty { accepted } => ("is empty".to_string(), accepted),
            Problem::Other(text) => return f.write_str(text),
        };
        write!(f, "{what} (accepted: {accepted})")
    }
}

impl SetError {
    /// The setting name as written.
    pub fn name(&self) -> &str {
        match self {
            SetError::Unknown { name, .. } => name,
            SetError::BadValue { name, .. } => name,
        }
    }

    /// The message without the leading name, for reports that print the name themselves.
    pub fn detail(&self) -> String {
        match self {
            SetError::Unknown { suggestion, .. } => {
                format!("unknown setting ({})", hint(*suggestion))
            }
            SetError::BadValue { value, problem, .. } => format!("'{}' {problem}", shown(value)),
        }
    }
}

fn hint(suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("did you mean '{s}'?"),
        None => "`kafka-flow settings` lists the accepted names".to_string(),
    }
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::Unknown { name, suggestion } => {
                write!(
                    f,
                    "unknown setting '{}' ({})",
                    shown(name),
                    hint(*suggestion)
                )
            }
            SetError::BadValue { name, .. } => write!(f, "{name}: {}", self.detail()),
        }
    }
}

impl std::error::Error for SetError {}

/// A value as quoted in a one-line message: control characters escaped, long text cut.
pub fn shown(text: &str) -> String {
    const LIMIT: usize = 60;
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == LIMIT {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl Config {
    /// Sets one setting from text, as `--set name=value` or a `.properties` line does,
    /// and remembers that the user chose it (Kafka treats explicit and default values
    /// differently, see `validate`). On error nothing changes.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SetError> {
        let name = name.trim();
        let Some((info, written)) = lookup(name) else {
            return Err(SetError::Unknown {
                name: name.to_string(),
                suggestion: suggest(name),
            });
        };
        // ConfigDef trims every value before parsing it; so do we.
        let value = value.trim();
        let bad = |problem: Problem| SetError::BadValue {
            name: written,
            value: value.to_string(),
            problem,
        };
        match (info.access, info.kind) {
            (Access::Bool(_, set), _) => {
                let parsed = if value.eq_ignore_ascii_case("true") {
                    true
                } else if value.eq_ignore_ascii_case("false") {
                    false
                } else {
                    return Err(bad(Problem::NotBoolean {
                        accepted: info.accepted(),
                    }));
                };
                set(self, parsed);
            }
            (Access::Int(_, set), kind) => set(self, parse_number(value, kind, info).map_err(bad)?),
            (Access::Text(_, set), kind) => {
                check_text(value, kind, info).map_err(bad)?;
                set(self, value.to_string());
            }
            (Access::Acks, _) => {
                self.producer.acks = match value {
                    "all" | "-1" => Acks::All,
                    "1" => Acks::One,
                    "0" => Acks::Zero,
                    _ => {
                        return Err(bad(Problem::NotAccepted {
                            accepted: info.accepted(),
                        }));
                    }
                };
            }
            (Access::Choice(_, set), kind) => {
                check_text(value, kind, info).map_err(bad)?;
                set(self, value);
            }
            (Access::Ignored, kind) => {
                check_text(value, kind, info).map_err(bad)?;
                // Nothing to store: recording it in `explicit` would promise a value `get` cannot give.
                return Ok(());
            }
        }
        self.explicit.insert(info.name);
        Ok(())
    }

    /// The current value as Kafka would write it (`acks` gives `all`, `1` or `0`; the
    /// simulation's delays in ms with decimals). `None` for unknown names and for the
    /// compatibility-only names, which have no value here.
    pub fn get(&self, name: &str) -> Option<String> {
        let (info, _) = lookup(name.trim())?;
        Some(match info.access {
            Access::Bool(get, _) => get(self).to_string(),
            Access::Int(get, _) => match info.kind {
                SettingKind::DecimalMs { .. } => format_us_as_ms(get(self)),
                _ => get(self).to_string(),
            },
            Access::Text(get, _) => get(self),
            Access::Acks => self.producer.acks.to_string(),
            Access::Choice(get, _) => get(self).to_string(),
            Access::Ignored => return None,
        })
    }
}

fn parse_number(value: &str, kind: SettingKind, info: &SettingInfo) -> Result<u64, Problem> {
    let accepted = info.accepted();
    let (min, max, parsed, unit) = match kind {
        SettingKind::Int { min, max, unit } => (min, max, parse_whole(value), unit),
        SettingKind::DecimalMs { min_us, max_us } => {
            (min_us, max_us, parse_decimal_ms(value), Unit::Ms)
        }
        _ => return Err(Problem::NotAccepted { accepted }),
    };
    match parsed {
        Number::Value(v) if v < min => Err(Problem::TooSmall { accepted }),
        Number::Value(v) if v > max => Err(Problem::TooLarge { accepted }),
        Number::Value(v) => Ok(v),
        Number::Negative => Err(Problem::Negative { accepted }),
        Number::TooLarge => Err(Problem::TooLarge { accepted }),
        Number::TooPrecise => Err(Problem::TooPrecise { accepted }),
        Number::Malformed if matches!(kind, SettingKind::Int { .. }) => {
            Err(Problem::NotWhole { unit, accepted })
        }
        Number::Malformed => Err(Problem::NotNumber { unit, accepted }),
    }
}

enum Number {
    Value(u64),
    Negative,
    TooLarge,
    TooPrecise,
    Malformed,
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Java's `Integer.parseInt` / `Long.parseLong`: optional sign, ASCII digits only.
fn parse_whole(text: &str) -> Number {
    if let Some(digits) = text.strip_prefix('-') {
        return match all_digits(digits) {
            true if digits.bytes().all(|b| b == b'0') => Number::Value(0),
            true => Number::Negative,
            false => Number::Malformed,
        };
    }
    let digits = text.strip_prefix('+').unwrap_or(text);
    if !all_digits(digits) {
        return Number::Malformed;
    }
    digits.parse().map_or(Number::TooLarge, Number::Value)
}

/// `1.5` → 1500 µs. Up to three decimals, because time in the simulation is whole µs.
fn parse_decimal_ms(text: &str) -> Number {
    let (sign_negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let well_formed = (all_digits(whole) || (whole.is_empty() && !frac.is_empty()))
        && (frac.is_empty() || all_digits(frac))
        && !body.ends_with('.');
    if !well_formed {
        return Number::Malformed;
    }
    let nonzero = whole.bytes().chain(frac.bytes()).any(|b| b != b'0');
    if sign_negative && nonzero {
        return Number::Negative;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > 3 {
        return Number::TooPrecise;
    }
    let whole_ms: u64 = if whole.is_empty() {
        0
    } else {
        match whole.parse() {
            Ok(v) => v,
            Err(_) => return Number::TooLarge,
        }
    };
    // `frac` has at most 3 digits here, so the padded value is below 1000.
    let frac_us: u64 = format!("{frac:0<3}").parse().unwrap_or(0);
    match whole_ms
        .checked_mul(1000)
        .and_then(|us| us.checked_add(frac_us))
    {
        Some(us) => Number::Value(us),
        None => Number::TooLarge,
    }
}

/// 1500 → "1.5", 50 → "0.05", 2000 → "2".
pub fn format_us_as_ms(us: u64) -> String {
    let (ms, rest) = (us / 1000, us % 1000);
    if rest == 0 {
        ms.to_string()
    } else {
        let frac = format!("{rest:03}");
        format!("{ms}.{}", frac.trim_end_matches('0'))
    }
}

fn check_text(value: &str, kind: SettingKind, info: &SettingInfo) -> Result<(), Problem> {
    match kind {
        SettingKind::TopicName => check_topic_name(value).map_err(Problem::Other),
        SettingKind::Text { allow_empty: false } if value.is_empty() => Err(Problem::Empty {
            accepted: info.accepted(),
        }),
        SettingKind::Choice(options) if !options.contains(&value) => {
            Err(choice_problem(info, value))
        }
        _ => Ok(()),
    }
}

fn choice_problem(info: &SettingInfo, value: &str) -> Problem {
    let accepted = info.accepted();
    Problem::Other(match info.name {
        "compression.type" if KAFKA_CODECS.contains(&value) => {
            format!("is not simulated yet: batches are sent uncompressed (accepted: {accepted})")
        }
        "compression.type" => format!(
            "is an unknown codec (accepted: {accepted}; Kafka also has {}, not simulated yet)",
            KAFKA_CODECS.join(", ")
        ),
        "key.serializer" | "value.serializer" => format!(
            "is not simulated: records are text, so only the String serializer is (accepted: {accepted})"
        ),
        _ => return Problem::NotAccepted { accepted },
    })
}

/// Kafka's `Topic.validate` rules.
fn check_topic_name(name: &str) -> Result<(), String> {
    const LEGAL: &str = "it may only contain ASCII letters, digits, '.', '_' and '-'";
    if name.is_empty() {
        Err("is not a legal topic name: it is empty".to_string())
    } else if name == "." || name == ".." {
        Err("is not a legal topic name: it cannot be \".\" or \"..\"".to_string())
    } else if name.chars().count() > 249 {
        Err("is not a legal topic name: it is longer than 249 characters".to_string())
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        Err(format!("is not a legal topic name: {LEGAL}"))
    } else {
        Ok(())
    }
}

/// The closest known name, if it is close enough to be what the user meant.
pub fn suggest(name: &str) -> Option<&'static str> {
    // Kafka names are lower-case and dotted; forgive `LINGER_MS` and `batch-size`.
    let wanted: String = name
        .chars()
        .map(|c| {
            if c == '_' || c == '-' {
                '.'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    if wanted.is_empty() || wanted.len() > 200 {
        return None;
    }
    let candidates = || {
        SETTINGS
            .iter()
            .chain(COMPAT_SETTINGS)
            .flat_map(|info| std::iter::once(&info.name).chain(info.aliases))
            .copied()
    };
    let best = candidates()
        .map(|c| (edit_distance(&wanted, c), c))
        .min_by_key(|(d, _)| *d)?;
    let limit = (wanted.chars().count() / 4).clamp(2, 4);
    if best.0 <= limit {
        return Some(best.1);
    }
    // A fragment such as `idempotence` or `latency` names one setting unambiguously.
    let mut containing = candidates().filter(|c| wanted.len() >= 5 && c.contains(wanted.as_str()));
    match (containing.next(), containing.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// Levenshtein distance over chars (lesson metric paths use it for their suggestions too).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// Splits `--set name=value` at the first `=`.
pub fn parse_assignment(text: &str) -> Result<(&str, &str), String> {
    let Some((name, value)) = text.split_once('=') else {
        return Err(format!(
            "expected name=value (for example linger.ms=5), got '{}'",
            shown(text)
        ));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(format!(
            "missing the setting name before '=' in '{}'",
            shown(text)
        ));
    }
    Ok((name, value.trim()))
}

#[cfg(test)]
mod tests {
    use super::super::{Acks, COMPAT_SETTINGS, Config, KafkaVersion, SETTINGS, SettingKind};
    use super::{parse_assignment, suggest};

    fn set_err(name: &str, value: &str) -> String {
        let mut config = Config::default();
        let before = config.clone();
        let err = config
            .set(name, value)
            .expect_err("the value should be refused");
        assert_eq!(
            config, before,
            "a refused value must leave the config untouched"
        );
        err.to_string()
    }

    #[test]
    fn unknown_names_get_the_closest_suggestion() {
        assert_eq!(
            set_err("linger.mss", "5"),
            "unknown setting 'linger.mss' (did you mean 'linger.ms'?)"
        );
        assert_eq!(
            set_err("frobnicate.level", "5"),
            "unknown setting 'frobnicate.level' (`kafka-flow settings` lists the accepted names)"
        );
        assert_eq!(
            suggest("max_in_flight_requests_per_connection"),
            Some("max.in.flight.requests.per.connection")
        );
        assert_eq!(suggest("LINGER_MS"), Some("linger.ms"));
        assert_eq!(suggest("idempotence"), Some("enable.idempotence"));
        assert_eq!(suggest("num.partition"), Some("num.partitions"));
        // "timeout" is part of several names: no guess rather than a wrong one.
        assert_eq!(suggest("timeout"), None);
        assert_eq!(suggest(""), None);
    }

    #[test]
    fn integers_report_the_accepted_range() {
        assert_eq!(
            set_err("linger.ms", "abc"),
            "linger.ms: 'abc' is not a whole number of milliseconds (accepted: 0 to 9223372036854775807)"
        );
        assert_eq!(
            set_err("retries", "-1"),
            "retries: '-1' is negative (accepted: 0 to 2147483647)"
        );
        assert_eq!(
            set_err("batch.size", "2147483648"),
            "batch.size: '2147483648' is too large (accepted: 0 to 2147483647)"
        );
        // Larger than u64, and larger than Long.MAX_VALUE but within u64.
        assert!(set_err("linger.ms", "99999999999999999999").contains("is too large"));
        assert!(set_err("linger.ms", "9223372036854775808").contains("is too large"));
        assert_eq!(
            set_err("max.in.flight.requests.per.connection", "0"),
            "max.in.flight.requests.per.connection: '0' is too small (accepted: 1 to 2147483647)"
        );
        assert!(set_err("batch.size", "16 KB").contains("is not a whole number of bytes"));
        assert!(set_err("linger.ms", "1.5").contains("is not a whole number"));
        assert!(set_err("linger.ms", "0x10").contains("is not a whole number"));
        assert!(set_err("linger.ms", "").contains("is not a whole number"));
    }

    #[test]
    fn integers_parse_like_java() {
        let mut config = Config::default();
        config.set("linger.ms", " +7 ").unwrap();
        assert_eq!(config.producer.linger_ms, 7);
        config.set("linger.ms", "-0").unwrap();
        assert_eq!(config.producer.linger_ms, 0);
        config.set("retries", "2147483647").unwrap();
        assert_eq!(config.producer.retries, 2_147_483_647);
        assert!(config.explicit.contains("linger.ms") && config.explicit.contains("retries"));
    }

    #[test]
    fn booleans_are_case_insensitive_and_nothing_else() {
        let mut config = Config::default();
        config.set("enable.idempotence", "FALSE").unwrap();
        assert!(!config.producer.enable_idempotence);
        config
            .set("unclean.leader.election.enable", "True")
            .unwrap();
        assert!(config.topology.unclean_leader_election_enable);
        assert_eq!(
            set_err("enable.idempotence", "yes"),
            "enable.idempotence: 'yes' is not a boolean (accepted: true, false)"
        );
        assert!(set_err("partitioner.ignore.keys", "1").contains("is not a boolean"));
    }

    #[test]
    fn acks_accepts_kafkas_four_spellings() {
        let mut config = Config::defaults(KafkaVersion::V2_8);
        for (text, acks, shown) in [
            ("-1", Acks::All, "all"),
            ("0", Acks::Zero, "0"),
            ("all", Acks::All, "all"),
            ("1", Acks::One, "1"),
        ] {
            config.set("acks", text).unwrap();
            assert_eq!(config.producer.acks, acks);
            assert_eq!(config.get("acks").as_deref(), Some(shown));
        }
        assert_eq!(
            set_err("acks", "two"),
            "acks: 'two' is not accepted (accepted: all, -1, 1, 0)"
        );
        // Kafka's ValidString is case-sensitive.
        assert!(set_err("acks", "ALL").contains("is not accepted"));
    }

    #[test]
    fn aliases_store_under_the_canonical_name_but_errors_repeat_the_alias() {
        let mut config = Config::default();
        config.set("num.partitions", "6").unwrap();
        config.set("default.replication.factor", "2").unwrap();
        assert_eq!(
            (
                config.topology.partitions,
                config.topology.replication_factor
            ),
            (6, 2)
        );
        assert!(config.explicit.contains("partitions"));
        assert!(!config.explicit.iter().any(|n| n.starts_with("num.")));
        assert_eq!(config.get("num.partitions").as_deref(), Some("6"));
        assert_eq!(
            set_err("num.partitions", "100"),
            "num.partitions: '100' is too large (accepted: 1 to 64)"
        );
    }

    #[test]
    fn simulation_delays_take_decimal_milliseconds() {
        let mut config = Config::default();
        config.set("network.latency.ms", "1.5").unwrap();
        assert_eq!(config.sim.network_latency_us, 1_500);
        assert_eq!(config.get("network.latency.ms").as_deref(), Some("1.5"));
        config.set("broker.append.ms", "0.05").unwrap();
        assert_eq!(config.sim.broker_append_us, 50);
        assert_eq!(config.get("broker.append.ms").as_deref(), Some("0.05"));
        config.set("network.jitter.ms", ".25").unwrap();
        assert_eq!(config.sim.network_jitter_us, 250);
        config.set("network.jitter.ms", "2.500").unwrap();
        assert_eq!(config.sim.network_jitter_us, 2_500);
        assert_eq!(config.get("network.jitter.ms").as_deref(), Some("2.5"));
        config.set("producer.send.cost.us", "3").unwrap();
        assert_eq!(config.sim.producer_send_cost_us, 3);

        assert!(set_err("network.latency.ms", "0.0005").contains("has more than 3 decimals"));
        assert!(set_err("network.latency.ms", "-1").contains("is negative"));
        assert!(set_err("network.latency.ms", "600000.001").contains("is too large"));
        assert!(set_err("network.latency.ms", "99999999999999999999").contains("is too large"));
        for bad in ["abc", "1.", ".", "1.2.3", "1e3", ""] {
            assert!(
                set_err("network.latency.ms", bad).contains("is not a number of milliseconds"),
                "{bad}"
            );
        }
    }

    #[test]
    fn topic_names_follow_kafkas_rules() {
        let mut config = Config::default();
        config.set("topic", "orders_v2.eu-west").unwrap();
        assert_eq!(config.topology.topic, "orders_v2.eu-west");
        assert!(set_err("topic", "my topic").contains("is not a legal topic name"));
        assert!(set_err("topic", "..").contains("cannot be \".\" or \"..\""));
        assert!(set_err("topic", "").contains("it is empty"));
        assert!(set_err("topic", &"t".repeat(250)).contains("longer than 249"));
        config.set("topic", &"t".repeat(249)).unwrap();
    }

    #[test]
    fn compatibility_names_are_checked_but_change_nothing() {
        let mut config = Config::default();
        let before = config.clone();
        config.set("bootstrap.servers", "hadoop102:9092").unwrap();
        config
            .set(
                "key.serializer",
                "org.apache.kafka.common.serialization.StringSerializer",
            )
            .unwrap();
        config.set("value.serializer", "StringSerializer").unwrap();
        config.set("compression.type", "none").unwrap();
        assert_eq!(config, before);
        assert_eq!(config.get("compression.type"), None);

        assert!(set_err("bootstrap.servers", " ").contains("is empty"));
        let serializer = set_err(
            "value.serializer",
            "org.apache.kafka.common.serialization.ByteArraySerializer",
        );
        assert!(
            serializer.contains("only the String serializer"),
            "{serializer}"
        );
        assert_eq!(
            set_err("compression.type", "gzip"),
            "compression.type: 'gzip' is not simulated yet: batches are sent uncompressed (accepted: none)"
        );
        let unknown = set_err("compression.type", "brotli");
        assert!(
            unknown.contains("unknown codec") && unknown.contains("zstd"),
            "{unknown}"
        );
    }

    #[test]
    fn every_setting_round_trips_through_get_and_set() {
        let defaults = Config::default();
        for info in SETTINGS {
            let mut config = defaults.clone();
            let text = config
                .get(info.name)
                .unwrap_or_else(|| panic!("{} has no value", info.name));
            config
                .set(info.name, &text)
                .unwrap_or_else(|e| panic!("{e}"));
            config.explicit.clear();
            assert_eq!(
                config, defaults,
                "{} changed when set to its own value",
                info.name
            );
        }
        for info in COMPAT_SETTINGS {
            assert!(info.is_compat_only());
        }
    }

    #[test]
    fn range_ends_fit_the_fields() {
        // Catches a table range wider than the field it stores into (a u32 saturating).
        for info in SETTINGS {
            let (min, max) = match info.kind {
                SettingKind::Int { min, max, .. } => (min.to_string(), max.to_string()),
                SettingKind::DecimalMs { min_us, max_us } => (
                    super::format_us_as_ms(min_us),
                    super::format_us_as_ms(max_us),
                ),
                _ => continue,
            };
            for end in [min, max] {
                let mut config = Config::default();
                config
                    .set(info.name, &end)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(config.get(info.name), Some(end), "{}", info.name);
            }
        }
    }

    #[test]
    fn messages_stay_on_one_line() {
        let message = set_err("acks", "a\nb");
        assert!(
            !message.contains('\n') && message.contains("a\\nb"),
            "{message}"
        );
        let message = set_err("linger.ms", &"9".repeat(500));
        assert!(message.len() < 200, "{message}");
    }

    #[test]
    fn assignments_split_at_the_first_equals_sign() {
        assert_eq!(parse_assignment("linger.ms=5"), Ok(("linger.ms", "5")));
        assert_eq!(
            parse_assignment(" client.id = a=b "),
            Ok(("client.id", "a=b"))
        );
        assert_eq!(parse_assignment("client.id="), Ok(("client.id", "")));
        assert!(
            parse_assignment("linger.ms")
                .unwrap_err()
                .contains("expected name=value")
        );
        assert!(
            parse_assignment(" =5")
                .unwrap_err()
                .contains("missing the setting name")
        );
    }
}
