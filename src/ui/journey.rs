//! The followed record's journey as a compact line (issue 11):
//!
//! ```text
//! #1042 send() → p1, batch 88 2.301s → batch 88 drained: linger 2.306s → req #91 → b1 2.306s
//!   → p1@1038 ★b1 2.312s → b2,b0 copied 2.318s → ▲HW 1039 2.318s → c0 poll 2.330s → …
//!   → processed (c0) 2.331s → committed 1039 (c0) 7.000s
//! ```
//!
//! The stage it waits for comes last, dim. Lines wrap between stages, never inside one.

use super::Ctx;
use super::text;
use crate::app::journey::{Journey, Next, Stage};
use crate::i18n::ids;
use crate::i18n::{Lang, tr, trf};
use crate::sim::view::SimTime;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// One stage in words (without its time).
pub fn stage_words(lang: Lang, j: &Journey, stage: &Stage) -> String {
    let s = |v: &dyn std::fmt::Display| v.to_string();
    let p = s(&j.partition());
    match *stage {
        Stage::Joined { state, offset, .. } => {
            let mut out = tr(lang, "journey.stage.joined").to_string();
            match offset {
                Some(o) => {
                    out.push(' ');
                    out.push_str(&trf(
                        lang,
                        "journey.stage.joined_offset",
                        &[("p", &p), ("offset", &s(&o))],
                    ));
                }
                None if state.is_none() => {
                    out.push(' ');
                    out.push_str(tr(lang, "journey.stage.joined_forgotten"));
                }
                None => {}
            }
            out
        }
        Stage::Sent { partition, batch } => trf(
            lang,
            "journey.stage.sent",
            &[("p", &s(&partition)), ("batch", &s(&batch))],
        ),
        Stage::Drained { batch, reason, .. } => trf(
            lang,
            "journey.stage.drained",
            &[
                ("batch", &s(&batch)),
                ("reason", tr(lang, &format!("reason.{}", reason.name()))),
            ],
        ),
        Stage::Requested { request, broker } => trf(
            lang,
            "journey.stage.requested",
            &[("request", &s(&request)), ("broker", &s(&broker))],
        ),
        Stage::Retry { error, attempt } => trf(
            lang,
            "journey.stage.retry",
            &[("attempt", &s(&attempt)), ("error", error.name())],
        ),
        Stage::Failed { error } => trf(lang, "journey.stage.failed", &[("error", error.name())]),
        Stage::Appended { broker, offset } => trf(
            lang,
            "journey.stage.appended",
            &[("p", &p), ("offset", &s(&offset)), ("broker", &s(&broker))],
        ),
        Stage::Duplicate { broker } => {
            trf(lang, "journey.stage.duplicate", &[("broker", &s(&broker))])
        }
        Stage::Acked { offset } if offset < 0 => {
            tr(lang, "journey.stage.acked_no_offset").to_string()
        }
        Stage::Acked { offset } => trf(lang, "journey.stage.acked", &[("offset", &s(&offset))]),
        Stage::Replicated { broker } => trf(
            lang,
            "journey.stage.replicated",
            &[("brokers", &format!("b{broker}"))],
        ),
        Stage::BelowHighWatermark { hw } => trf(lang, "journey.stage.below_hw", &[("hw", &s(&hw))]),
        Stage::Truncated { broker, .. } => {
            trf(lang, "journey.stage.truncated", &[("broker", &s(&broker))])
        }
        Stage::Fetched { consumer } => trf(lang, "journey.stage.fetched", &[("c", &s(&consumer))]),
        Stage::Processed { consumer, times } if times > 1 => trf(
            lang,
            "journey.stage.processed_again",
            &[("c", &s(&consumer)), ("times", &s(&times))],
        ),
        Stage::Processed { consumer, .. } => {
            trf(lang, "journey.stage.processed", &[("c", &s(&consumer))])
        }
        Stage::Committed { consumer, offset } => trf(
            lang,
            "journey.stage.committed",
            &[("c", &s(&consumer)), ("offset", &s(&offset))],
        ),
    }
}

/// What the record waits for, in words.
pub fn next_words(lang: Lang, next: Next) -> &'static str {
    tr(
        lang,
        match next {
            Next::Drain => "journey.next.drain",
            Next::Append => "journey.next.append",
            Next::HighWatermark => "journey.next.high_watermark",
            Next::Fetch => "journey.next.fetch",
            Next::Process => "journey.next.process",
            Next::Commit => "journey.next.commit",
        },
    )
}

/// The journey as text pieces with their time: followers copying at the same moment are
/// merged (`b2,b0 copied`), as the screen has little room.
pub fn pieces(lang: Lang, j: &Journey) -> Vec<(String, SimTime, Stage)> {
    let mut out: Vec<(String, SimTime, Stage)> = Vec::new();
    let mut copies: Vec<String> = Vec::new();
    let stages = j.stages();
    for (i, &(t, stage)) in stages.iter().enumerate() {
        if let Stage::Replicated { broker } = stage {
            copies.push(format!("b{broker}"));
            let more = matches!(
                stages.get(i + 1),
                Some(&(t2, Stage::Replicated { .. })) if t2 == t
            );
            if !more {
                let words = trf(
                    lang,
                    "journey.stage.replicated",
                    &[("brokers", &copies.join(","))],
                );
                copies.clear();
                out.push((words, t, stage));
            }
            continue;
        }
        out.push((stage_words(lang, j, &stage), t, stage));
    }
    out
}

/// A stage's style: the bad news red, the good endings green.
fn style_of(cx: &Ctx, stage: &Stage) -> Style {
    let theme = cx.theme();
    match stage {
        Stage::Failed { .. } | Stage::Truncated { .. } | Stage::Retry { .. } => theme.bad,
        Stage::Processed { times, .. } if *times > 1 => theme.bad,
        Stage::Duplicate { .. } => theme.warn,
        Stage::BelowHighWatermark { .. } => theme.hw_mark,
        Stage::Committed { .. } => theme.ok,
        Stage::Joined { .. } => theme.dim,
        _ => theme.record,
    }
}

/// The journey in lines of at most `width` columns, wrapping between stages; the next
/// stage still to come is dim at the end.
pub fn lines(cx: &Ctx, j: &Journey, width: u16) -> Vec<Line<'static>> {
    let lang = cx.app.lang;
    let width = usize::from(width).max(8);
    let arrow = format!(" {} ", cx.glyphs().arrow_right);
    let mut chunks: Vec<Vec<Span<'static>>> = Vec::new();
    for (words, t, stage) in pieces(lang, j) {
        chunks.push(vec![
            Span::styled(words, style_of(cx, &stage)),
            Span::styled(format!(" {t}"), cx.theme().dim),
        ]);
    }
    if let Some(next) = j.next() {
        chunks.push(vec![Span::styled(
            next_words(lang, next).to_string(),
            cx.theme().dim,
        )]);
    }
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut line: Vec<Span<'static>> = vec![Span::styled(
        format!("#{} ", ids::record(j.record())),
        cx.theme().accent,
    )];
    let mut used = text::width(&format!("#{} ", ids::record(j.record())));
    for (i, chunk) in chunks.into_iter().enumerate() {
        let mut chunk = chunk;
        if i > 0 {
            chunk.insert(0, Span::styled(arrow.clone(), cx.theme().dim));
        }
        let w: usize = chunk.iter().map(|s| text::width(&s.content)).sum();
        if used + w > width && used > 2 {
            out.push(Line::from(std::mem::take(&mut line)));
            line.push(Span::raw("  "));
            used = 2;
        }
        for span in chunk {
            // A single stage wider than the whole line is cut, never overflowing.
            let room = width.saturating_sub(used);
            let content = text::truncate_to_width(&span.content, room);
            used += text::width(&content);
            line.push(Span::styled(content, span.style));
        }
    }
    out.push(Line::from(line));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::App;
    use crate::app::keys::Action;
    use crate::sim::workload::{Template, Workload};
    use crate::sim::{Config, KafkaVersion};
    use crate::ui::theme::Theme;
    use std::time::Duration;

    /// An app that followed the first record sent after 0.5 s until about 10 s.
    fn followed(lang: Lang) -> App {
        let mut cfg = Config::defaults(KafkaVersion::V4);
        cfg.set("linger.ms", "1").unwrap();
        cfg.set("auto.offset.reset", "earliest").unwrap();
        let w = Workload {
            records: 1_000_000,
            rate: 200.0,
            key: Some(Template::parse("hello{i}").unwrap()),
            ..Workload::notes_loop(1_000_000)
        };
        let mut a = App::with(cfg, w, 42, lang, Theme::dark()).unwrap();
        // 1×: half a second of virtual time per half-second tick.
        assert!(a.set_speed(1.0));
        a.on_tick(Duration::from_millis(500));
        a.update(Action::FollowNext);
        for _ in 0..20 {
            a.on_tick(Duration::from_millis(500));
        }
        a
    }

    #[test]
    fn the_line_goes_from_send_to_commit_in_both_languages_and_fits() {
        for lang in Lang::ALL {
            let a = followed(lang);
            let j = a.follow.as_ref().expect("followed");
            let words: Vec<String> = pieces(lang, j).into_iter().map(|p| p.0).collect();
            let (first, last) = (&words[0], words.last().unwrap());
            assert!(first.starts_with("send() → p"), "{words:?}");
            let done = if lang == Lang::En {
                "committed"
            } else {
                "已提交"
            };
            assert!(last.starts_with(done), "{words:?}");
            // Two followers copying at once are one piece.
            assert!(
                words
                    .iter()
                    .any(|w| w.contains("b1,b2") || w.contains("b2,b1")),
                "{words:?}"
            );
            let cx = crate::ui::Ctx {
                app: &a,
                compact: false,
            };
            for width in [30u16, 60, 200] {
                let lines = lines(&cx, j, width);
                for l in &lines {
                    assert!(l.width() <= usize::from(width), "{l:?}");
                }
                let all: String = lines
                    .iter()
                    .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
                    .collect();
                assert!(all.starts_with(&format!("#{} ", j.record())), "{all}");
                assert!(all.contains(done), "{all}");
            }
            // Everything done: no dim "next" at the end.
            assert_eq!(j.next(), None);
        }
    }
}
