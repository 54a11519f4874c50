//! Reading a scenario file (format in `scenarios/README.md`). The file is walked as toml's
//! spanned tree rather than through serde, so that every error, of syntax or of meaning,
//! is one line naming the file, the line and column of the offending text and the key:
//! `scenarios/x.toml:12:9: key 'commands[2].fault': unknown fault 'explode' (…)`.

use super::{Beat, BeatWhen, Moment, ScenarioFile, SideB};
use crate::lesson::Text;
use crate::lesson::goals::{Condition, Op};
use crate::lesson::metric::Metric;
use crate::scenario::{Scenario, WorkloadSpec, WorldOptions};
use crate::sim::command::Fault;
use crate::sim::config::{
    Effect, OffsetReset, SetError, find_setting, load_properties_file, parse_assignment,
};
use crate::sim::time::parse_duration;
use crate::sim::workload::Workload;
use crate::sim::{Command, Config, KafkaVersion, SimTime};
use std::fmt::Display;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The most commands a file may hold: far more than any story needs; more is a generated
/// file gone wrong, and each one is an event the simulation keeps until its time.
pub const MAX_COMMANDS: usize = 10_000;
/// The most beats (pauses) a file may hold.
pub const MAX_BEATS: usize = 1_000;
/// The most `[[expect]]` conditions a file may hold.
pub const MAX_EXPECT: usize = 1_000;

const TOP_KEYS: &[&str] = &[
    "id",
    "title",
    "summary",
    "notes",
    "kafka_version",
    "seed",
    "until",
    "settings",
    "workload",
    "commands",
    "beats",
    "expect",
    "b",
];
/// `[b]`: side B of an A/B comparison.
const B_KEYS: &[&str] = &["settings", "expect"];
const WORKLOAD_KEYS: &[&str] = &[
    "records",
    "rate",
    "key",
    "value",
    "value_bytes",
    "sync",
    "flush_every",
    "close",
];
const COMMAND_KEYS: &[&str] = &["at", "fault", "set", "rate"];
const BEAT_KEYS: &[&str] = &["at", "first", "caption"];
const EXPECT_KEYS: &[&str] = &["metric", "op", "value"];
const TEXT_KEYS: &[&str] = &["en", "zh"];

type Value<'i> = Spanned<DeValue<'i>>;

/// Line and column (both from 1, the column in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The text being read and its name, to place errors.
struct Reader<'a> {
    text: &'a str,
    source: &'a str,
}

impl Reader<'_> {
    fn error(&self, span: &Range<usize>, key: &str, message: impl Display) -> String {
        let (line, col) = line_col(self.text, span.start);
        let message = message.to_string().replace('\n', " ");
        format!("{}:{line}:{col}: key '{key}': {message}", self.source)
    }

    /// A syntax error from the TOML parser: the key is whatever the offending line
    /// assigns or opens, as far as it can be told.
    fn syntax(&self, e: &toml::de::Error) -> String {
        let span = e.span().unwrap_or(0..0);
        let start = span.start.min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line = self.text[line_start..].lines().next().unwrap_or("");
        let key = if let Some((k, _)) = line.split_once('=') {
            k.trim()
        } else {
            line.trim().trim_matches(['[', ']']).trim()
        };
        let key = if key.is_empty() { "(syntax)" } else { key };
        let message = format!("invalid TOML: {}", e.message().trim());
        self.error(&span, key, message)
    }
}

fn kind(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn integer(v: &DeValue<'_>) -> Option<i128> {
    match v {
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

fn number(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(_) => integer(v).map(|i| i as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse().ok(),
        _ => None,
    }
}

/// One table of the file, its keys in the file's order, unknown keys refused.
struct Table<'r, 'i> {
    reader: &'r Reader<'r>,
    /// How its keys are named in errors: `""` for the top level, `workload.`, `commands[2].`.
    prefix: String,
    span: Range<usize>,
    entries: Vec<(String, Range<usize>, &'i Value<'i>)>,
}

impl<'r, 'i> Table<'r, 'i> {
    fn new(
        reader: &'r Reader<'r>,
        prefix: String,
        table: &'i DeTable<'i>,
        span: Range<usize>,
        allowed: Option<&[&str]>,
    ) -> Result<Self, String> {
        let mut entries: Vec<(String, Range<usize>, &'i Value<'i>)> = table
            .iter()
            .map(|(k, v)| (k.get_ref().to_string(), k.span(), v))
            .collect();
        // toml's map is sorted by name; the file's order matters (settings apply in order).
        entries.sort_by_key(|(_, span, _)| span.start);
        if let Some(allowed) = allowed {
            if let Some((name, span, _)) = entries.iter().find(|(n, ..)| !allowed.contains(&&**n)) {
                // A Kafka setting at the top level is the likeliest slip of all.
                let hint = if prefix.is_empty() && find_setting(name).is_some() {
                    "; settings go under [settings]"
                } else {
                    ""
                };
                return Err(reader.error(
                    span,
                    &format!("{prefix}{name}"),
                    format!("unknown key (accepted: {}){hint}", allowed.join(", ")),
                ));
            }
        }
        Ok(Table {
            reader,
            prefix,
            span,
            entries,
        })
    }

    /// A value that must be a table.
    fn of(
        reader: &'r Reader<'r>,
        key: &str,
        value: &'i Value<'i>,
        allowed: Option<&[&str]>,
    ) -> Result<Self, String> {
        match value.get_ref() {
            DeValue::Table(t) => Table::new(reader, format!("{key}."), t, value.span(), allowed),
            other => Err(reader.error(
                &value.span(),
                key,
                format!("expected a table, found {}", kind(other)),
            )),
        }
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn get(&self, name: &str) -> Option<&'i Value<'i>> {
        self.entries
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, _, v)| *v)
    }

    fn error(&self, span: &Range<usize>, name: &str, message: impl Display) -> String {
        self.reader.error(span, &self.key(name), message)
    }

    fn missing(&self, name: &str) -> String {
        self.error(&self.span, name, "missing")
    }

    fn wrong(&self, name: &str, v: &Value<'_>, expected: &str) -> String {
        self.error(
            &v.span(),
            name,
            format!("expected {expected}, found {}", kind(v.get_ref())),
        )
    }

    fn string(&self, name: &str) -> Result<Option<(String, Range<usize>)>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::String(s) => Ok(Some((s.to_string(), v.span()))),
                _ => Err(self.wrong(name, v, "a string")),
            },
        }
    }

    fn unsigned(&self, name: &str, max: u64) -> Result<Option<(u64, Range<usize>)>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => {
                let i = integer(v.get_ref()).ok_or_else(|| self.wrong(name, v, "an integer"))?;
                u64::try_from(i)
                    .ok()
                    .filter(|n| *n <= max)
                    .map(|n| Some((n, v.span())))
                    .ok_or_else(|| {
                        self.error(
                            &v.span(),
                            name,
                            format!("{i} is out of range (accepted: 0 to {max})"),
                        )
                    })
            }
        }
    }

    fn float(&self, name: &str) -> Result<Option<(f64, Range<usize>)>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => number(v.get_ref())
                .filter(|x| x.is_finite())
                .map(|x| Some((x, v.span())))
                .ok_or_else(|| self.wrong(name, v, "a finite number")),
        }
    }

    fn boolean(&self, name: &str) -> Result<Option<bool>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.get_ref() {
                DeValue::Boolean(b) => Ok(Some(*b)),
                _ => Err(self.wrong(name, v, "true or false")),
            },
        }
    }

    /// A setting's value as Kafka's text: strings as written, numbers and booleans as TOML
    /// writes them (`linger.ms = 5` is `5`).
    fn scalar_text(&self, name: &str, v: &Value<'_>) -> Result<String, String> {
        match v.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            DeValue::Integer(_) => integer(v.get_ref())
                .map(|i| i.to_string())
                .ok_or_else(|| self.wrong(name, v, "an integer")),
            DeValue::Float(f) => Ok(f.as_str().replace('_', "")),
            DeValue::Boolean(b) => Ok(b.to_string()),
            _ => Err(self.wrong(name, v, "a string, number or boolean")),
        }
    }

    fn duration(&self, name: &str) -> Result<Option<(SimTime, Range<usize>)>, String> {
        let Some((text, span)) = self.string(name)? else {
            return Ok(None);
        };
        let d = parse_duration(&text).map_err(|e| self.error(&span, name, e))?;
        Ok(Some((SimTime::ZERO + d, span)))
    }

    /// `{ en = "...", zh = "..." }`: English is required (the fallback of every language).
    fn text(&self, name: &str) -> Result<Option<Text>, String> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let t = Table::of(self.reader, &self.key(name), v, Some(TEXT_KEYS))?;
        let en = t.string("en")?;
        let zh = t.string("zh")?.map(|z| z.0).unwrap_or_default();
        match en {
            Some((en, _)) if !en.trim().is_empty() => Ok(Some(Text { en, zh })),
            Some((_, span)) => Err(t.error(&span, "en", "is empty")),
            None => Err(t.missing("en")),
        }
    }

    /// An array of tables (`[[commands]]`), each checked against `allowed`, at most `max`.
    fn tables(&self, name: &str, allowed: &[&str], max: usize) -> Result<Vec<Self>, String> {
        let Some(v) = self.get(name) else {
            return Ok(Vec::new());
        };
        let DeValue::Array(items) = v.get_ref() else {
            return Err(self.wrong(name, v, "an array of tables"));
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("{}[{}]", self.key(name), i + 1);
            if i == max {
                return Err(self.reader.error(
                    &item.span(),
                    &self.key(name),
                    format!("more than {max} entries"),
                ));
            }
            out.push(Table::of(self.reader, &key, item, Some(allowed))?);
        }
        Ok(out)
    }
}

/// The configuration every scenario starts from: the version's defaults, and the notes'
/// CustomConsumer reading from the beginning (as `WorldOptions::config` does).
fn base_config(version: KafkaVersion) -> Config {
    let mut cfg = Config::defaults(version);
    cfg.consumer.auto_offset_reset = OffsetReset::Earliest;
    cfg
}

impl ScenarioFile {
    /// Reads a scenario file; `source` names it in errors (a path, or `scenarios/ID.toml`).
    pub fn parse(text: &str, source: &str) -> Result<ScenarioFile, String> {
        let reader = Reader { text, source };
        let root = DeTable::parse(text).map_err(|e| reader.syntax(&e))?;
        let top = Table::new(
            &reader,
            String::new(),
            root.get_ref(),
            root.span(),
            Some(TOP_KEYS),
        )?;
        let id = match top.string("id")? {
            Some((id, span)) => {
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                {
                    return Err(top.error(
                        &span,
                        "id",
                        format!("'{id}' must be lowercase letters, digits and -"),
                    ));
                }
                id
            }
            None => Path::new(source)
                .file_stem()
                .map_or_else(|| "scenario".to_string(), |s| s.to_string_lossy().into()),
        };
        let title = top.text("title")?.ok_or_else(|| top.missing("title"))?;
        let summary = top.text("summary")?;
        let notes = top.string("notes")?.map(|n| n.0);
        let (kafka_version, version) = match top.get("kafka_version") {
            None => (None, KafkaVersion::default()),
            Some(v) => {
                let written = top.scalar_text("kafka_version", v)?;
                let version = KafkaVersion::parse(&written)
                    .map_err(|e| top.error(&v.span(), "kafka_version", e))?;
                (Some(written), version)
            }
        };
        let seed = match top.get("seed") {
            None => crate::sim::DEFAULT_SEED,
            // A seed above i64::MAX cannot be a TOML integer: it may be written as a string.
            Some(v) => top
                .scalar_text("seed", v)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| top.wrong("seed", v, "a whole number from 0 to 2^64-1"))?,
        };
        let until = top.duration("until")?.map(|u| u.0);

        let mut config = base_config(version);
        let settings_table = match top.get("settings") {
            Some(v) => Some(Table::of(&reader, "settings", v, None)?),
            None => None,
        };
        let settings = match &settings_table {
            Some(t) => apply_settings(t, &mut config)?,
            None => Vec::new(),
        };
        validate(&reader, &config, settings_table.as_ref(), "settings")?;

        let workload = workload_spec(&top)?;
        let commands = commands(&top, &config)?;
        let beats = top
            .tables("beats", BEAT_KEYS, MAX_BEATS)?
            .iter()
            .map(beat)
            .collect::<Result<Vec<_>, _>>()?;
        let expect = top
            .tables("expect", EXPECT_KEYS, MAX_EXPECT)?
            .iter()
            .map(|t| condition(t, &config))
            .collect::<Result<Vec<_>, _>>()?;
        let b = match top.get("b") {
            Some(v) => Some(side_b(&reader, v, &config)?),
            None => None,
        };
        Ok(ScenarioFile {
            id,
            title,
            summary,
            notes,
            kafka_version,
            seed,
            settings,
            workload,
            commands,
            beats,
            until,
            expect,
            b,
            source: source.to_string(),
        })
    }

    /// Reads a scenario file from disk; an unreadable file says so with its path.
    pub fn load(path: &Path) -> Result<ScenarioFile, String> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{name}: cannot read the scenario file: {e}"))?;
        ScenarioFile::parse(&text, &name)
    }

    /// The configuration: the version (`over`'s, else the file's), the file's settings, then
    /// `over`'s `.properties` file and `--set`s on top, validated.
    pub fn config(&self, over: &WorldOptions) -> Result<Config, String> {
        let version = match (&over.kafka_version, &self.kafka_version) {
            (Some(v), _) => KafkaVersion::parse(v).map_err(|e| format!("--kafka-version: {e}"))?,
            (None, Some(v)) => KafkaVersion::parse(v)
                .map_err(|e| format!("{}: kafka_version: {e}", self.source))?,
            (None, None) => KafkaVersion::default(),
        };
        let mut cfg = base_config(version);
        for (name, value) in &self.settings {
            cfg.set(name, value)
                .map_err(|e| format!("{}: settings: {e}", self.source))?;
        }
        if let Some(path) = &over.properties {
            load_properties_file(&mut cfg, path).map_err(|e| e.to_string())?;
        }
        for s in &over.set {
            let (name, value) = parse_assignment(s).map_err(|e| format!("--set {s}: {e}"))?;
            cfg.set(name, value).map_err(|e| format!("--set {e}"))?;
        }
        cfg.validate().map_err(|e| e.to_string())?;
        Ok(cfg)
    }

    /// The world to build: `over` adds settings on top of the file's and replaces its seed
    /// and version. The file's commands come along, to be scheduled by `Scenario::build`.
    pub fn scenario(&self, over: &WorldOptions) -> Result<Scenario, String> {
        let config = self.config(over)?;
        let workload: Workload = self
            .workload
            .build()
            .map_err(|e| format!("{}: workload: {e}", self.source))?;
        // `--set brokers=1` may leave a fault of the file without its target: say so now
        // rather than let the simulation meet a broker that does not exist.
        for (at, command) in &self.commands {
            if let Command::Fault { fault } = command {
                Fault::parse(
                    &fault.spec(),
                    config.topology.brokers,
                    config.topology.partitions,
                    config.consumer.consumers,
                )
                .map_err(|e| {
                    format!(
                        "{}: the command at {}: {e}",
                        self.source,
                        super::save::duration(*at)
                    )
                })?;
            }
        }
        let mut scenario = Scenario::new(config, workload, over.seed.unwrap_or(self.seed));
        scenario.commands.clone_from(&self.commands);
        Ok(scenario)
    }
}

/// A table of settings by Kafka's names, applied in the file's order; each error points at
/// the key (an unknown name) or at the value.
fn apply_settings(t: &Table<'_, '_>, config: &mut Config) -> Result<Vec<(String, String)>, String> {
    let mut settings = Vec::new();
    for (name, key_span, v) in &t.entries {
        let value = t.scalar_text(name, v)?;
        config.set(name, &value).map_err(|e| match &e {
            SetError::Unknown { .. } => t.error(key_span, name, &e),
            SetError::BadValue { .. } => t.error(&v.span(), name, e.detail()),
        })?;
        settings.push((name.clone(), value));
    }
    Ok(settings)
}

/// The whole configuration checked; a clash is reported at the setting it names when the
/// table has it, else at the table (`key`).
fn validate(
    reader: &Reader<'_>,
    config: &Config,
    table: Option<&Table<'_, '_>>,
    key: &str,
) -> Result<(), String> {
    let Err(e) = config.validate() else {
        return Ok(());
    };
    // The message starts with the setting it is about when there is one: point there.
    let message = e.to_string();
    let named = table.and_then(|t| {
        t.entries
            .iter()
            .find(|(n, ..)| message.starts_with(&format!("{n}:")))
            .map(|(n, _, v)| t.error(&v.span(), n, &message))
    });
    let span = table.map_or(0..0, |t| t.span.clone());
    Err(named.unwrap_or_else(|| reader.error(&span, key, &message)))
}

/// `[b]`: side B's settings on top of the file's (at least one: B would be A), checked as a
/// whole, and what side B is meant to show.
fn side_b(reader: &Reader<'_>, v: &Value<'_>, config: &Config) -> Result<SideB, String> {
    let b = Table::of(reader, "b", v, Some(B_KEYS))?;
    let st = b.get("settings").ok_or_else(|| b.missing("settings"))?;
    let table = Table::of(reader, "b.settings", st, None)?;
    let mut config = config.clone();
    let settings = apply_settings(&table, &mut config)?;
    if settings.is_empty() {
        return Err(reader.error(
            &table.span,
            "b.settings",
            "is empty: side B needs at least one setting of its own",
        ));
    }
    validate(reader, &config, Some(&table), "b.settings")?;
    let expect = b
        .tables("expect", EXPECT_KEYS, MAX_EXPECT)?
        .iter()
        .map(|t| condition(t, &config))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SideB { settings, expect })
}

fn workload_spec(top: &Table<'_, '_>) -> Result<WorkloadSpec, String> {
    let mut spec = WorkloadSpec::notes_loop();
    let Some(v) = top.get("workload") else {
        return Ok(spec);
    };
    let t = Table::of(top.reader, "workload", v, Some(WORKLOAD_KEYS))?;
    if let Some((n, _)) = t.unsigned("records", Workload::MAX_RECORDS)? {
        spec.records = n;
    }
    if let Some((x, _)) = t.float("rate")? {
        spec.rate = x;
    }
    if let Some((k, _)) = t.string("key")? {
        spec.key = k;
    }
    if let Some((k, _)) = t.string("value")? {
        spec.value = k;
    }
    if let Some((n, _)) = t.unsigned("value_bytes", Workload::MAX_VALUE_BYTES as u64)? {
        spec.value_bytes = Some(n as usize);
    }
    if let Some(b) = t.boolean("sync")? {
        spec.sync = b;
    }
    if let Some((n, _)) = t.unsigned("flush_every", u64::MAX)? {
        spec.flush_every = n;
    }
    if let Some(b) = t.boolean("close")? {
        spec.close_when_done = b;
    }
    if let Err(e) = spec.build() {
        // The builder names its flags (`--key: …`, `--records 9 is too many`): point at the
        // key of the file that flag stands for.
        let name = [
            ("--records", "records"),
            ("--rate", "rate"),
            ("--value-bytes", "value_bytes"),
            ("--flush-every", "flush_every"),
            ("--key", "key"),
            ("--value", "value"),
        ]
        .into_iter()
        .find(|(flag, _)| e.contains(flag))
        .map(|(_, name)| name);
        return Err(match name.and_then(|n| t.get(n).map(|v| (n, v.span()))) {
            Some((n, span)) => t.error(&span, n, e),
            None => top.error(&t.span, "workload", e),
        });
    }
    Ok(spec)
}

fn commands(top: &Table<'_, '_>, config: &Config) -> Result<Vec<(SimTime, Command)>, String> {
    let mut out = Vec::new();
    for t in top.tables("commands", COMMAND_KEYS, MAX_COMMANDS)? {
        let at = t.duration("at")?.ok_or_else(|| t.missing("at"))?.0;
        let given: Vec<&str> = ["fault", "set", "rate"]
            .into_iter()
            .filter(|k| t.get(k).is_some())
            .collect();
        if given.is_empty() {
            return Err(t.error(
                &t.span,
                "fault",
                "a command needs one of fault, set or rate",
            ));
        }
        if let [first, second, ..] = given.as_slice() {
            let span = t.get(second).map_or(t.span.clone(), Spanned::span);
            return Err(t.error(
                &span,
                second,
                format!(
                    "a command has exactly one of fault, set or rate (this one has {first} too)"
                ),
            ));
        }
        let command = match given[0] {
            "fault" => {
                let (f, span) = t.string("fault")?.ok_or_else(|| t.missing("fault"))?;
                let fault = Fault::parse(
                    &f,
                    config.topology.brokers,
                    config.topology.partitions,
                    config.consumer.consumers,
                )
                .map_err(|e| t.error(&span, "fault", e))?;
                Command::Fault { fault }
            }
            "set" => {
                let (kv, span) = t.string("set")?.ok_or_else(|| t.missing("set"))?;
                let (name, value) = parse_assignment(&kv).map_err(|e| t.error(&span, "set", e))?;
                config
                    .clone()
                    .set(name, value)
                    .map_err(|e| t.error(&span, "set", e))?;
                // Sim::apply refuses these at run time; a file can say so when it loads.
                if find_setting(name).is_some_and(|s| s.effect == Effect::FixedAtStart) {
                    return Err(t.error(
                        &span,
                        "set",
                        format!("{name} is fixed when the simulation starts: put it in [settings]"),
                    ));
                }
                Command::Set {
                    name: name.trim().to_string(),
                    value: value.trim().to_string(),
                }
            }
            _ => {
                let (rate, span) = t.float("rate")?.ok_or_else(|| t.missing("rate"))?;
                if !(0.0..=Workload::MAX_RATE).contains(&rate) {
                    return Err(t.error(
                        &span,
                        "rate",
                        format!(
                            "{rate} is out of range (accepted: 0 to {}, 0 = as fast as send() returns)",
                            Workload::MAX_RATE
                        ),
                    ));
                }
                Command::SetRate { rate }
            }
        };
        out.push((at, command));
    }
    // Stable: commands of one instant keep the file's order.
    out.sort_by_key(|(at, _)| *at);
    Ok(out)
}

fn beat(t: &Table<'_, '_>) -> Result<Beat, String> {
    let when = match (t.get("at"), t.get("first")) {
        (Some(_), None) => BeatWhen::At(t.duration("at")?.ok_or_else(|| t.missing("at"))?.0),
        (None, Some(_)) => {
            let (name, span) = t.string("first")?.ok_or_else(|| t.missing("first"))?;
            let moment = Moment::parse(&name).ok_or_else(|| {
                let names: Vec<&str> = Moment::ALL.iter().map(|m| m.name()).collect();
                t.error(
                    &span,
                    "first",
                    format!("unknown moment '{name}' (accepted: {})", names.join(", ")),
                )
            })?;
            BeatWhen::First(moment)
        }
        (Some(_), Some(v)) => {
            return Err(t.error(&v.span(), "first", "a beat has exactly one of at or first"));
        }
        (None, None) => return Err(t.error(&t.span, "at", "a beat needs at or first")),
    };
    let caption = t.text("caption")?.ok_or_else(|| t.missing("caption"))?;
    Ok(Beat { when, caption })
}

fn condition(t: &Table<'_, '_>, config: &Config) -> Result<Condition, String> {
    let (metric, span) = t.string("metric")?.ok_or_else(|| t.missing("metric"))?;
    let metric = Metric::parse(&metric, config).map_err(|e| t.error(&span, "metric", e))?;
    let (op, span) = t.string("op")?.ok_or_else(|| t.missing("op"))?;
    let op = Op::parse(&op).map_err(|e| t.error(&span, "op", e))?;
    let value = t.float("value")?.ok_or_else(|| t.missing("value"))?.0;
    Ok(Condition { metric, op, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
title = { en = "t", zh = "标题" }
seed = 7
[settings]
"linger.ms" = 20
acks = "1"
"enable.idempotence" = false
"consumer.process.ms" = 0.5
[workload]
records = 100
rate = 50
key = "none"
[[commands]]
at = "2s"
rate = 10
[[commands]]
at = "1s"
fault = "kill-leader:0"
[[commands]]
at = "2s"
set = "linger.ms=3"
"#;

    #[test]
    fn settings_keep_the_file_order_and_commands_are_sorted_stably() {
        let f = ScenarioFile::parse(FILE, "some/dir/my-demo.toml").unwrap();
        assert_eq!(f.id, "my-demo");
        let names: Vec<&str> = f.settings.iter().map(|(n, _)| n.as_str()).collect();
        // Not toml's alphabetical order: a later setting may depend on an earlier one.
        assert_eq!(
            names,
            [
                "linger.ms",
                "acks",
                "enable.idempotence",
                "consumer.process.ms"
            ]
        );
        assert_eq!(f.settings[0].1, "20");
        assert_eq!(f.settings[2].1, "false");
        assert_eq!(f.settings[3].1, "0.5");
        let times: Vec<u64> = f.commands.iter().map(|(t, _)| t.as_millis()).collect();
        assert_eq!(times, [1000, 2000, 2000]);
        assert_eq!(f.commands[1].1, Command::SetRate { rate: 10.0 });
        assert!(matches!(f.commands[2].1, Command::Set { .. }));
        assert!((f.workload.rate - 50.0).abs() < f64::EPSILON);
        assert_eq!(f.workload.key, "none");
    }

    #[test]
    fn the_command_line_goes_on_top_of_the_file() {
        let f = ScenarioFile::parse(FILE, "x.toml").unwrap();
        let s = f.scenario(&WorldOptions::default()).unwrap();
        assert_eq!(s.config.get("linger.ms").as_deref(), Some("20"));
        assert_eq!(s.config.consumer.auto_offset_reset, OffsetReset::Earliest);
        assert_eq!(s.seed, 7);
        assert_eq!(s.commands, f.commands);
        let over = WorldOptions {
            set: vec!["linger.ms=2".to_string()],
            seed: Some(9),
            kafka_version: Some("2.8".to_string()),
            ..WorldOptions::default()
        };
        let s = f.scenario(&over).unwrap();
        assert_eq!(s.config.get("linger.ms").as_deref(), Some("2"));
        assert_eq!(s.config.version, KafkaVersion::V2_8);
        assert_eq!(s.seed, 9);
        // A fault whose target the command line removed is refused, naming the file.
        let over = WorldOptions {
            set: vec!["partitions=1".to_string()],
            ..WorldOptions::default()
        };
        let s = f.scenario(&WorldOptions {
            set: vec!["partitions=1".to_string(), "kill".to_string()],
            ..WorldOptions::default()
        });
        assert!(s.unwrap_err().starts_with("--set kill"));
        let f =
            ScenarioFile::parse(&FILE.replace("kill-leader:0", "kill-leader:2"), "x.toml").unwrap();
        let e = f.scenario(&over).unwrap_err();
        assert!(
            e.starts_with("x.toml: the command at 1s:") && e.contains("no partition 2"),
            "{e}"
        );
    }
}
