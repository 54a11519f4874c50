//! The real clients' panel (`kafka-flow --listen`), where the simulated producer's row
//! would be (the simulated producer is off): the listeners and connections, each real
//! producer's batches and records, the latest batches as boxes of cells (newest first),
//! the consumer groups with their committed offsets against the furthest fetch.
//!
//! ```text
//! ┌ real clients ───────────────────┐┌ latest batches ─────────────┐┌ groups ──────────────┐
//! │ b0 127.0.0.1:9092 :9093 :9094   ││ [●●●●●] p0 ×5 pid 0 seq 5   ││ group g Stable gen 1 │
//! │ 2 connected                     ││ [●●●●●] p0 ×5 pid 0 seq 0   ││ p0 committed 10 · …  │
//! │ pid 0: 2 batches · 10 records … ││                             ││                      │
//! └─────────────────────────────────┘└─────────────────────────────┘└──────────────────────┘
//! ```

use super::{Ctx, PanelId};
use crate::app::live::Live;
use crate::i18n::ids;
use crate::serve::group::Owner;
use crate::serve::view::{ClientsView, SeenBatch};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Cells a batch box draws one by one; past that it is filled and counted.
const CELLS: u32 = 8;

/// Rows the panel wants (borders included) in a flow view `height` rows high: on a short
/// screen five lines (a group's name, generation and three partitions), with the tapes and
/// the Events panel still below; a few more objects on taller ones.
pub fn rows_wanted(height: u16) -> u16 {
    match height {
        0..30 => 7,
        30..40 => 8,
        _ => 10,
    }
}

/// Draws the panel into `area`: the clients, the latest batches and the groups side by side
/// at every width (a narrow screen gives the batches more, the lines then drop words).
pub fn draw(frame: &mut Frame, area: Rect, cx: &Ctx, live: &Live) {
    let v = &live.view;
    let width = area.width;
    let widths = if width >= 110 {
        [width * 36 / 100, width * 40 / 100, 0]
    } else {
        [width * 25 / 100, width * 43 / 100, 0]
    };
    let [left, middle, right] = super::flow::columns(area, widths);
    let inner = |r: Rect| usize::from(r.width.saturating_sub(2));
    // The world's log fills what the clients column leaves.
    let room = usize::from(area.height.saturating_sub(2));
    let clients = clients_lines(cx, live, room, inner(left));
    let batches = batch_lines(cx, v, inner(middle));
    let groups = group_lines(cx, v, inner(right));
    column(
        frame,
        left,
        cx,
        cx.t("live.title"),
        clients,
        PanelId::Producer,
    );
    column(
        frame,
        middle,
        cx,
        cx.t("live.batches"),
        batches,
        PanelId::Accumulator,
    );
    column(
        frame,
        right,
        cx,
        cx.t("live.groups"),
        groups,
        PanelId::Sender,
    );
}

/// A piece of a line: its words, and when the line is too wide how early it gives way
/// (`rank`: 0 never, otherwise the highest first, the last of equal ranks first), shortened
/// to `short` if it has a short form (then it stays), dropped if not.
pub(crate) struct Piece {
    rank: u8,
    span: Span<'static>,
    short: Option<Span<'static>>,
}

impl Piece {
    /// A piece that stays.
    fn keep(span: Span<'static>) -> Piece {
        Piece::drop(0, span)
    }

    /// A piece that goes at `rank`.
    fn drop(rank: u8, span: Span<'static>) -> Piece {
        Piece {
            rank,
            span,
            short: None,
        }
    }

    /// A piece shortened to `short` at `rank`.
    fn shorten(rank: u8, span: Span<'static>, short: Span<'static>) -> Piece {
        Piece {
            rank,
            span,
            short: Some(short),
        }
    }
}

fn width_of(pieces: &[Piece]) -> usize {
    pieces.iter().map(|p| p.span.width()).sum()
}

/// `pieces` fitted into `width` columns: pieces give way (shortened or dropped, by rank)
/// until the rest fits; if what stays is still too wide, whole words go from the end,
/// marked `ellipsis`. A word is cut only when the first one alone is wider than `width`.
pub(crate) fn fit(mut pieces: Vec<Piece>, width: usize, ellipsis: &str) -> Line<'static> {
    while width_of(&pieces) > width {
        let Some(i) = pieces
            .iter()
            .enumerate()
            .filter(|(_, p)| p.rank > 0)
            .max_by_key(|(i, p)| (p.rank, *i))
            .map(|(i, _)| i)
        else {
            break;
        };
        match pieces[i].short.take() {
            Some(short) => {
                pieces[i].span = short;
                pieces[i].rank = 0;
            }
            None => {
                pieces.remove(i);
            }
        }
    }
    // A dropped first segment leaves the next one's separator in front.
    if let Some(first) = pieces.first_mut() {
        if let Some(rest) = first.span.content.strip_prefix(SEP) {
            first.span.content = rest.to_string().into();
        }
    }
    if width_of(&pieces) <= width {
        return Line::from(pieces.into_iter().map(|p| p.span).collect::<Vec<_>>());
    }
    let budget = width.saturating_sub(ellipsis.width());
    let mut used = 0;
    let mut spans: Vec<Span<'static>> = Vec::new();
    for Piece { span, .. } in pieces {
        let w = span.width();
        if used + w <= budget {
            used += w;
            spans.push(span);
            continue;
        }
        // The longest run of whole words of this piece that fits.
        let cut = span
            .content
            .char_indices()
            .rev()
            .find(|&(i, c)| c == ' ' && used + span.content[..i].width() <= budget)
            .map(|(i, _)| i);
        let style = span.style;
        match cut {
            Some(i) if !(spans.is_empty() && span.content[..i].trim().is_empty()) => {
                spans.push(Span::styled(span.content[..i].to_string(), style));
            }
            _ if spans.is_empty() => {
                // Not even one word fits: its start is all there is to show.
                let start = super::text::truncate_with(&span.content, width, ellipsis);
                return Line::from(Span::styled(start, style));
            }
            _ => {}
        }
        spans.push(Span::styled(ellipsis.to_string(), style));
        break;
    }
    Line::from(spans)
}

/// What separates the parts of a line of words (`a · b · c`, in both languages).
const SEP: &str = " · ";

/// `text`'s parts between ` · ` as pieces ranked `ranks` (missing ranks: by position, the
/// last going first); the separator goes with the part after it.
fn segments(text: &str, ranks: &[u8], style: Style) -> Vec<Piece> {
    text.split(SEP)
        .enumerate()
        .map(|(i, part)| {
            let rank = ranks
                .get(i)
                .copied()
                .unwrap_or(u8::try_from(i).unwrap_or(u8::MAX));
            let words = if i == 0 {
                part.to_string()
            } else {
                format!("{SEP}{part}")
            };
            Piece::drop(rank, Span::styled(words, style))
        })
        .collect()
}

/// A line of words fitted into `width`: whole words go from its end.
fn words(text: String, style: Style, width: usize, cx: &Ctx) -> Line<'static> {
    fit(
        vec![Piece::keep(Span::styled(text, style))],
        width,
        cx.glyphs().ellipsis,
    )
}

fn column(
    frame: &mut Frame,
    area: Rect,
    cx: &Ctx,
    title: &str,
    lines: Vec<Line<'static>>,
    id: PanelId,
) {
    let block = super::block_titled(cx, title, id);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The listeners, the connections, each real producer, then the world's latest log lines,
/// each fitted into `width`.
fn clients_lines(cx: &Ctx, live: &Live, room: usize, width: usize) -> Vec<Line<'static>> {
    let v = &live.view;
    let ell = cx.glyphs().ellipsis;
    let mut lines = Vec::new();
    // Broker 0's address in full (a bootstrap server is enough), the others by port: they
    // share the host, and go first when narrow.
    let accent = cx.theme().accent;
    let addrs = v
        .addrs
        .iter()
        .enumerate()
        .map(|(b, a)| {
            if b == 0 {
                Piece::keep(Span::styled(format!("b0 {a}"), accent))
            } else {
                Piece::drop(1, Span::styled(format!(" :{}", a.port()), accent))
            }
        })
        .collect();
    lines.push(fit(addrs, width, ell));
    let n = v.connections.len().to_string();
    lines.push(words(
        cx.tf("live.connections", &[("n", &n)]),
        if v.connections.is_empty() {
            cx.theme().dim
        } else {
            cx.theme().ok
        },
        width,
        cx,
    ));
    for (pid, p) in &v.producers {
        let per = if p.batches == 0 {
            0.0
        } else {
            p.records as f64 / p.batches as f64
        };
        let text = cx.tf(
            "live.producer",
            &[
                ("pid", &pid.to_string()),
                ("batches", &p.batches.to_string()),
                ("records", &p.records.to_string()),
                ("per", &format!("{per:.1}")),
            ],
        );
        // Records before batches, the mean per batch first to go.
        lines.push(fit(
            segments(&text, &[0, 1, 2], Style::default()),
            width,
            ell,
        ));
    }
    let v = &live.verdicts;
    if v.acked > 0 || v.duplicated > 0 {
        let style = if v.lost > 0 || v.duplicated > 0 {
            cx.theme().bad
        } else {
            cx.theme().ok
        };
        let text = cx.tf(
            "live.verdicts",
            &[
                ("acked", &v.acked.to_string()),
                ("committed", &v.committed.to_string()),
                ("lost", &v.lost.to_string()),
                ("twice", &v.duplicated.to_string()),
            ],
        );
        // Lost and twice are the verdict; acked and committed are what they are out of.
        lines.push(fit(segments(&text, &[2, 3, 0, 0], style), width, ell));
    }
    // A narrow column leaves the world's lines to the Events panel (where they also are):
    // a few words of each would say nothing.
    let logged = if width >= 30 {
        room.saturating_sub(lines.len())
    } else {
        0
    };
    for (t, l) in live.lines.iter().rev().take(logged).rev() {
        let text = match t {
            Some(t) => format!("{:.3}s  {l}", t.0 as f64 / 1e6),
            None => l.clone(),
        };
        lines.push(words(text, cx.theme().dim, width, cx));
    }
    lines
}

/// The latest real batches as objects, newest first: a box of cells in the partition's
/// colour, the partition, records, producer id and base sequence, and the first and last
/// record's ids (`c0–c4`) as the flow view prints real records; each fitted into `width`.
fn batch_lines(cx: &Ctx, v: &ClientsView, width: usize) -> Vec<Line<'static>> {
    if v.recent.is_empty() {
        let addr = v.addrs.first().map_or(String::new(), ToString::to_string);
        // The hint's command on a line of its own, so a narrow column cuts only its end.
        let hint = cx.tf("live.no_batches", &[("addr", &addr)]);
        let cut = hint
            .split_once(": ")
            .map(|(a, b)| (format!("{a}:"), b))
            .or_else(|| hint.split_once('：').map(|(a, b)| (format!("{a}："), b)));
        return cut
            .map_or(vec![hint.clone()], |(a, b)| vec![a, b.to_string()])
            .into_iter()
            .map(|l| words(l, cx.theme().dim, width, cx))
            .collect();
    }
    v.recent
        .iter()
        .rev()
        .map(|b| fit(batch_pieces(cx, b), width, cx.glyphs().ellipsis))
        .collect()
}

/// A batch's line in pieces: the partition, record count, record ids, producer id and
/// sequence stay; `acks=` goes first, then the last record id loses what it shares with
/// the first (`c1735–36`), then the box of cells (the count says as much).
fn batch_pieces(cx: &Ctx, b: &SeenBatch) -> Vec<Piece> {
    let g = &cx.glyphs().flow;
    let style = cx.theme().partition(b.partition);
    let cells = if b.records <= CELLS {
        g.cell.repeat(b.records as usize)
    } else {
        format!("{}+", g.cell.repeat(CELLS as usize - 1))
    };
    let (ids, short) = records(b);
    let ids = Span::styled(ids, cx.theme().record);
    let mut pieces = vec![
        Piece::drop(
            1,
            Span::styled(format!("{}{cells}{} ", g.box_open, g.box_close), style),
        ),
        Piece::keep(Span::styled(
            format!("p{}{}{}", b.partition, g.times, b.records),
            style,
        )),
        match short {
            Some(short) => Piece::shorten(2, ids, Span::styled(short, cx.theme().record)),
            None => Piece::keep(ids),
        },
    ];
    if b.producer_id >= 0 {
        pieces.push(Piece::keep(Span::raw(format!(" pid {}", b.producer_id))));
    }
    if b.base_sequence >= 0 {
        pieces.push(Piece::keep(Span::raw(format!(" seq {}", b.base_sequence))));
    }
    pieces.push(Piece::drop(
        3,
        Span::styled(format!(" acks={}", acks(b.acks)), cx.theme().dim),
    ));
    pieces
}

/// ` c0–c4`: the batch's records as the flow view prints a real client's, and when the
/// last id shares a start with the first, the shorter ` c1735–36`.
fn records(b: &SeenBatch) -> (String, Option<String>) {
    let first = ids::record(b.first_record);
    match b.records {
        0 | 1 => (format!(" {first}"), None),
        n => {
            let last = ids::record(b.first_record.saturating_add(n - 1));
            // Same length: the last keeps its digits from the first that differs on, two
            // at least (`c98–99`, not `c98–9`).
            let same = first
                .chars()
                .zip(last.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let number = last.trim_start_matches(|c: char| !c.is_ascii_digit()).len();
            let keep = (last.len() - same).max(2);
            let short = (first.len() == last.len() && keep < number)
                .then(|| format!(" {first}–{}", &last[last.len() - keep..]));
            (format!(" {first}–{last}"), short)
        }
    }
}

fn acks(a: i16) -> String {
    if a == -1 {
        "all".to_string()
    } else {
        a.to_string()
    }
}

/// Each group's state, generation and members, then per partition the committed offset
/// against the furthest position a real consumer fetched from; each fitted into `width`.
fn group_lines(cx: &Ctx, v: &ClientsView, width: usize) -> Vec<Line<'static>> {
    let ell = cx.glyphs().ellipsis;
    let mut lines = Vec::new();
    if v.groups.is_empty() {
        lines.push(words(
            cx.t("live.no_group").to_string(),
            cx.theme().dim,
            width,
            cx,
        ));
    }
    let g = &cx.glyphs().flow;
    for group in &v.groups {
        lines.push(words(
            cx.tf(
                "live.group",
                &[("group", &group.group), ("state", group.state.name())],
            ),
            Style::default(),
            width,
            cx,
        ));
        let generation = cx.tf(
            "live.generation",
            &[
                ("generation", &group.generation.to_string()),
                ("members", &group.members.len().to_string()),
            ],
        );
        lines.push(fit(
            segments(&format!(" {generation}"), &[0, 1], cx.theme().dim),
            width,
            ell,
        ));
        for (_, p, offset, _) in &group.offsets {
            let position = u32::try_from(*p)
                .ok()
                .and_then(|p| v.positions.get(&p))
                .map_or("-".to_string(), ToString::to_string);
            let style = u32::try_from(*p).map_or(cx.theme().dim, |p| cx.theme().partition(p));
            // The offsets stay; the words after them go when narrow (the tapes' legend
            // names the marks), "committed" first, then "fetched", then the reader.
            let pieces = vec![
                Piece::keep(Span::styled(
                    format!(" p{p} {}{offset}", g.committed),
                    style,
                )),
                Piece::drop(
                    3,
                    Span::styled(format!(" {}", cx.t("live.committed")), style),
                ),
                Piece::keep(Span::styled(
                    format!("{SEP}{}{position}", g.position),
                    style,
                )),
                Piece::drop(2, Span::styled(format!(" {}", cx.t("live.fetched")), style)),
            ];
            let mut pieces = pieces;
            // Who reads it, in the group shared with the simulated consumers: goes last.
            if let Some(owner) = u32::try_from(*p).ok().and_then(|p| group.owners.get(&p)) {
                let who = match owner {
                    Owner::Simulated(c) => cx.tf("live.owner.simulated", &[("c", &c.to_string())]),
                    Owner::Client(id) => cx.tf("live.owner.client", &[("client", id)]),
                };
                pieces.push(Piece::drop(1, Span::styled(format!(" {who}"), style)));
            }
            lines.push(fit(pieces, width, ell));
        }
    }
    // Partitions fetched with nothing committed (a consumer without a group, or not yet).
    let committed: Vec<i32> = v
        .groups
        .iter()
        .flat_map(|g| g.offsets.iter().map(|o| o.1))
        .collect();
    for (p, pos) in &v.positions {
        if committed.iter().any(|c| i64::from(*c) == i64::from(*p)) {
            continue;
        }
        lines.push(words(
            format!(" p{p} {}{pos}", g.position),
            cx.theme().partition(*p),
            width,
            cx,
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    /// The batch line of the 120-column screen that used to end in `acks=a`.
    fn batch() -> Vec<Piece> {
        vec![
            Piece::drop(1, Span::raw("[●●●●●] ")),
            Piece::keep(Span::raw("p0×5")),
            Piece::shorten(2, Span::raw(" c1730–c1734"), Span::raw(" c1730–34")),
            Piece::keep(Span::raw(" pid 1000")),
            Piece::keep(Span::raw(" seq 0")),
            Piece::drop(3, Span::raw(" acks=all")),
        ]
    }

    #[test]
    fn a_batch_line_gives_way_acks_then_ids_then_the_box() {
        let full = "[●●●●●] p0×5 c1730–c1734 pid 1000 seq 0 acks=all";
        for (width, want) in [
            (60, full),
            (full.width(), full),
            (full.width() - 1, "[●●●●●] p0×5 c1730–c1734 pid 1000 seq 0"),
            (38, "[●●●●●] p0×5 c1730–34 pid 1000 seq 0"),
            (35, "p0×5 c1730–34 pid 1000 seq 0"),
            (28, "p0×5 c1730–34 pid 1000 seq 0"),
            // Narrower than what stays: whole words go from the end, never half of one.
            (27, "p0×5 c1730–34 pid 1000 seq…"),
            (22, "p0×5 c1730–34 pid…"),
            (12, "p0×5…"),
        ] {
            let line = fit(batch(), width, "…");
            assert_eq!(text(&line), want, "width {width}");
            assert!(line.width() <= width, "width {width}: {}", line.width());
        }
    }

    #[test]
    fn only_a_first_word_wider_than_the_line_is_cut() {
        let line = fit(vec![Piece::keep(Span::raw("b0 127.0.0.1:29300"))], 6, "…");
        assert_eq!(text(&line), "b0…");
        let line = fit(vec![Piece::keep(Span::raw("127.0.0.1:29300"))], 6, "…");
        assert_eq!(text(&line), "127.0…", "its start, marked");
    }

    #[test]
    fn segments_go_by_rank_and_a_leading_separator_goes_with_them() {
        let verdicts = "acked 17 · committed 17 · lost 0 · twice 0";
        let fitted = |w| {
            text(&fit(
                segments(verdicts, &[2, 3, 0, 0], Style::default()),
                w,
                "…",
            ))
        };
        assert_eq!(fitted(60), verdicts);
        assert_eq!(fitted(35), "acked 17 · lost 0 · twice 0");
        // Dropping the first segment leaves no ` · ` in front.
        assert_eq!(fitted(20), "lost 0 · twice 0");
        // Chinese words are two columns wide.
        let zh = "pid 1001：1737 条 · 1313 批 · 每批 1.3 条";
        let fitted = |w| text(&fit(segments(zh, &[0, 1, 2], Style::default()), w, "…"));
        assert_eq!(fitted(28), "pid 1001：1737 条 · 1313 批");
        assert_eq!(fitted(17), "pid 1001：1737 条");
    }

    #[test]
    fn a_ranges_short_form_keeps_two_digits_at_least() {
        let b = |first, records| SeenBatch {
            t: crate::sim::SimTime::ZERO,
            batch: 0,
            first_record: crate::sim::clients::CLIENT_RECORD_BASE + first,
            broker: 0,
            partition: 0,
            records,
            producer_id: 1000,
            base_sequence: 0,
            acks: -1,
        };
        assert_eq!(
            records(&b(1730, 5)),
            (" c1730–c1734".into(), Some(" c1730–34".into()))
        );
        assert_eq!(
            records(&b(1795, 10)),
            (" c1795–c1804".into(), Some(" c1795–804".into()))
        );
        // Nothing shorter to say.
        assert_eq!(records(&b(0, 5)), (" c0–c4".into(), None));
        assert_eq!(records(&b(95, 10)), (" c95–c104".into(), None));
        assert_eq!(records(&b(7, 1)), (" c7".into(), None));
    }
}
