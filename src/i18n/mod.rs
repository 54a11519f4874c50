//! Interface text in English and Chinese.
//!
//! Modelled on trippy's `locales.toml` + `t!`: one table of `(key, en, zh)`,
//! looked up by a stable dotted key, falling back to English. The table is a
//! sorted static slice searched by bisection, so a lookup costs a few string
//! comparisons and nothing is allocated or parsed at start-up; a test keeps it
//! sorted, duplicate-free and complete.
//!
//! Chinese keeps Kafka's own English names (acks, linger.ms, ISR, HW,
//! batch.size, leader, offset…): they are what learners meet in logs, docs and
//! configuration files, so translating them would hide the link.
//!
//! Keys that follow a sim name: `verdict.{Verdict::name()}`,
//! `reason.{SendReason::name()}` (and `.help`), `knob.{setting name}`,
//! `commit_mode.{commit.mode with '-' as '_'}`.

mod ab;
mod course;
pub mod describe;
mod flow;
#[cfg(test)]
pub(crate) mod glossary_test;
pub mod ids;
mod journey;
mod live;
mod reasons;
mod screen;
mod serve;
mod time;

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// From the POSIX locale variables, in their order of precedence: the first
    /// non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`. Chinese if it starts with
    /// `zh`, English otherwise (including `C` and `POSIX`).
    pub fn from_env() -> Lang {
        let var = |name: &str| std::env::var(name).ok();
        Lang::from_locale(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    }

    /// [`Lang::from_env`] with the variables passed in, so tests need not
    /// change the process environment.
    pub fn from_locale(
        lc_all: Option<&str>,
        lc_messages: Option<&str>,
        lang: Option<&str>,
    ) -> Lang {
        let chosen = [lc_all, lc_messages, lang]
            .into_iter()
            .flatten()
            .find(|v| !v.is_empty())
            .unwrap_or("");
        if chosen.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// A language as a user types it: `en`, `zh`, or a locale such as
    /// `zh-CN`, `zh_CN.UTF-8`, `en_US` (any case).
    pub fn parse(s: &str) -> Result<Lang, String> {
        let t = s.trim();
        let base = t
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match base.as_str() {
            "en" | "english" => Ok(Lang::En),
            "zh" | "chinese" | "中文" => Ok(Lang::Zh),
            _ => Err(format!(
                "unknown language '{s}': accepted are en, zh (also locales such as en-US, zh-CN, zh_CN.UTF-8)"
            )),
        }
    }

    /// The other language (the `l` key).
    #[must_use]
    pub fn toggle(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    /// "en" or "zh".
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::parse(s)
    }
}

/// The text for `key` in `lang`; English when the Chinese is missing, and the
/// key itself when the key is unknown (visible on screen, never a panic, in
/// debug builds too: a typo should not crash a classroom demo).
///
/// The result lives as long as the key, so literal keys give `&'static str`
/// while keys built at run time (`format!("verdict.{name}")`) also work.
pub fn tr(lang: Lang, key: &str) -> &str {
    match lookup(key) {
        Some((_, en, zh)) => match lang {
            Lang::Zh if !zh.is_empty() => zh,
            _ => en,
        },
        None => key,
    }
}

/// Whether the table has `key` (for tests in other modules).
pub fn has(key: &str) -> bool {
    lookup(key).is_some()
}

/// Every key, in order.
pub fn keys() -> impl Iterator<Item = &'static str> {
    entries().map(|&(k, _, _)| k)
}

/// Every `(key, English, Chinese)` of every table.
fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// `(key, English, Chinese)` tables, each sorted by key (byte order); a key is in
/// one table only. They are split by subject so that the screen's words, the
/// simulation's reasons and the lessons' words can each be kept in one file.
type Table = &'static [(&'static str, &'static str, &'static str)];
static TABLES: &[Table] = &[
    ab::TEXTS,
    screen::TEXTS,
    reasons::TEXTS,
    course::TEXTS,
    flow::TEXTS,
    journey::TEXTS,
    time::TEXTS,
    serve::TEXTS,
    live::TEXTS,
];

fn lookup(key: &str) -> Option<(&'static str, &'static str, &'static str)> {
    TABLES.iter().find_map(|t| {
        t.binary_search_by(|&(k, _, _)| k.cmp(key))
            .ok()
            .map(|i| t[i])
    })
}

/// [`tr`], then each `{name}` replaced by its value from `args`. Placeholders
/// without a value stay as written; substituted values are not scanned again,
/// so a value containing `{x}` is shown as is.
pub fn trf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let template = tr(lang, key);
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            args.iter()
                .find(|&&(n, _)| n == name)
                .map(|&(_, v)| (v, close))
        });
        if let Some((v, close)) = value {
            out.push_str(v);
            rest = &after[close + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::find_setting;
    use crate::sim::ledger::Verdict;
    use crate::sim::trace::SendReason;
    use std::collections::BTreeSet;

    #[test]
    fn table_is_sorted_unique_and_complete() {
        for table in TABLES {
            for pair in table.windows(2) {
                assert!(
                    pair[0].0 < pair[1].0,
                    "not sorted or duplicated: {} / {}",
                    pair[0].0,
                    pair[1].0
                );
            }
        }
        let mut seen = BTreeSet::new();
        for &(k, en, zh) in entries() {
            assert!(seen.insert(k), "{k}: in two tables");
            assert!(!en.trim().is_empty(), "{k}: English missing");
            assert!(!zh.trim().is_empty(), "{k}: Chinese missing");
            assert!(
                !k.is_empty()
                    && k.contains('.')
                    && k.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)),
                "{k}: keys are dotted lower-case names"
            );
        }
    }

    fn placeholders(s: &str) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        let mut rest = s;
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    out.insert(&after[..close]);
                    rest = &after[close + 1..];
                }
                None => break,
            }
        }
        out
    }

    #[test]
    fn both_languages_use_the_same_placeholders() {
        for &(k, en, zh) in entries() {
            assert_eq!(placeholders(en), placeholders(zh), "{k}");
        }
    }

    /// A Chinese character (CJK Unified Ideographs), not full-width punctuation.
    fn is_cjk(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
    }

    #[test]
    fn chinese_uses_chinese_punctuation() {
        // "，" not ",", "（）" not "()" next to Chinese characters; ASCII
        // punctuation inside code such as close(0) or acks=all is fine.
        for &(k, _, zh) in entries() {
            let chars: Vec<char> = zh.chars().collect();
            for (i, &c) in chars.iter().enumerate() {
                if !",;:!?()".contains(c) {
                    continue;
                }
                let before = i.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i + 1).copied();
                assert!(
                    !before.is_some_and(is_cjk) && !after.is_some_and(is_cjk),
                    "{k}: ASCII {c:?} next to Chinese in {zh:?}"
                );
            }
        }
    }

    #[test]
    fn knob_texts_match_the_settings() {
        for &(k, en, _) in entries() {
            if let Some(name) = k.strip_prefix("knob.") {
                let info = find_setting(name).unwrap_or_else(|| panic!("{k}: no such setting"));
                assert_eq!(en, info.doc, "{k}: keep the English equal to settings.rs");
            }
        }
    }

    #[test]
    fn every_sim_name_has_a_text() {
        for v in Verdict::ALL {
            assert!(has(&format!("verdict.{}", v.name())), "{v:?}");
        }
        for r in SendReason::ALL {
            assert!(has(&format!("reason.{}", r.name())), "{r:?}");
            assert!(has(&format!("reason.{}.help", r.name())), "{r:?}");
        }
        for mode in crate::sim::config::CommitMode::NAMES {
            assert!(
                has(&format!("commit_mode.{}", mode.replace('-', "_"))),
                "{mode}"
            );
        }
        for p in [
            "producer",
            "accumulator",
            "sender",
            "brokers",
            "consumer",
            "ledger",
            "knobs",
            "log",
            "metrics",
        ] {
            assert!(has(&format!("panel.{p}")), "{p}");
        }
    }

    #[test]
    fn lookup_and_fallback() {
        assert_eq!(tr(Lang::En, "panel.producer"), "Producer main thread");
        assert_eq!(tr(Lang::Zh, "panel.producer"), "生产者 main 线程");
        assert_eq!(tr(Lang::Zh, "panel.accumulator"), "RecordAccumulator");
        assert_eq!(tr(Lang::Zh, "stage.interceptor"), "拦截器");
        assert_eq!(tr(Lang::En, "no.such.key"), "no.such.key");
        assert_eq!(tr(Lang::Zh, ""), "");
        let dynamic = format!("verdict.{}", "lost_broker");
        assert_eq!(tr(Lang::En, &dynamic), "lost in broker");
        assert!(keys().count() == entries().count() && has("app.name") && !has("app"));
    }

    #[test]
    fn trf_substitutes_named_values() {
        assert_eq!(
            trf(Lang::En, "status.refused", &[("reason", "acks=0")]),
            "refused: acks=0"
        );
        assert_eq!(
            trf(Lang::Zh, "status.refused", &[("reason", "acks=0")]),
            "已拒绝：acks=0"
        );
        assert_eq!(
            trf(
                Lang::En,
                "status.restart_producer",
                &[("name", "enable.idempotence")]
            ),
            "restarting the producer: Kafka reads enable.idempotence only at start-up"
        );
        assert_eq!(
            trf(
                Lang::Zh,
                "status.setting_changed",
                &[("name", "linger.ms"), ("value", "20"), ("t", "1.5 s")]
            ),
            "1.5 s：linger.ms 已改为 20"
        );
        // Missing values stay visible; values are not re-expanded; stray braces survive.
        assert_eq!(trf(Lang::En, "status.refused", &[]), "refused: {reason}");
        assert_eq!(
            trf(Lang::En, "status.refused", &[("reason", "{reason}")]),
            "refused: {reason}"
        );
        assert_eq!(trf(Lang::En, "x {a} {b", &[("a", "1")]), "x 1 {b");
        assert_eq!(trf(Lang::En, "{", &[]), "{");
        assert_eq!(trf(Lang::En, "}{}", &[("", "e")]), "}e");
    }

    #[test]
    fn lang_from_locale_variables() {
        assert_eq!(Lang::from_locale(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(None, None, Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None, None, None), Lang::En);
        assert_eq!(Lang::from_locale(Some("C"), None, Some("zh_CN")), Lang::En);
        assert_eq!(
            Lang::from_locale(Some(""), Some("zh_TW"), Some("en_US")),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_locale(None, Some("en_GB"), Some("zh_CN")),
            Lang::En
        );
        assert_eq!(Lang::from_locale(Some("ZH_cn"), None, None), Lang::Zh);
    }

    #[test]
    fn lang_parse_accepts_codes_and_locales() {
        for s in ["en", "EN", "en-US", "en_GB.UTF-8", "english", " en "] {
            assert_eq!(Lang::parse(s), Ok(Lang::En), "{s}");
        }
        for s in [
            "zh",
            "zh-CN",
            "zh_CN",
            "zh_CN.UTF-8",
            "zh-Hans",
            "ZH",
            "中文",
        ] {
            assert_eq!(Lang::parse(s), Ok(Lang::Zh), "{s}");
        }
        let err = Lang::parse("fr").unwrap_err();
        assert!(err.contains("'fr'") && err.contains("en, zh"), "{err}");
        assert!(Lang::parse("").is_err());
        assert_eq!("zh-CN".parse::<Lang>(), Ok(Lang::Zh));
    }

    #[test]
    fn lang_toggle_and_code() {
        assert_eq!(Lang::En.toggle(), Lang::Zh);
        assert_eq!(Lang::Zh.toggle(), Lang::En);
        assert_eq!(Lang::En.code(), "en");
        assert_eq!(Lang::Zh.to_string(), "zh");
        for l in Lang::ALL {
            assert_eq!(Lang::parse(l.code()), Ok(l));
        }
    }
}
