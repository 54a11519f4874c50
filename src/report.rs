//! The headless output's words: the `--trace` JSON lines and the summary JSON carry the
//! simulation's typed reasons and causes as data, plus their English text, made here at
//! the edge (`i18n::describe`).

use crate::i18n::{Lang, describe};
use crate::sim::summary::Summary;
use crate::sim::trace::{TraceEvent, TraceRecord};
use serde_json::Value;

/// One `--trace` line: the typed event, plus `reason` (or `description` for a fault or a
/// refused command) in English.
pub fn trace_json(r: &TraceRecord) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(r)?;
    let text = match &r.event {
        TraceEvent::Fault { fault } => Some(("description", describe::fault(Lang::En, fault))),
        TraceEvent::CommandRefused { command, error } => Some((
            "description",
            format!(
                "command refused: {}: {error}",
                describe::command(Lang::En, command)
            ),
        )),
        e => describe::event_reason(Lang::En, e).map(|t| ("reason", t)),
    };
    if let (Some((key, text)), Some(obj)) = (text, v.as_object_mut()) {
        obj.insert(key.to_string(), Value::String(text));
    }
    Ok(v)
}

/// The summary as JSON, each ledger example's cause in English words (`cause`) next to
/// its data (`why`).
pub fn summary_json(s: &Summary) -> serde_json::Result<Value> {
    let mut v = serde_json::to_value(s)?;
    if let Some(examples) = v
        .pointer_mut("/ledger/examples")
        .and_then(Value::as_array_mut)
    {
        for (json, e) in examples.iter_mut().zip(&s.ledger.examples) {
            if let Some(obj) = json.as_object_mut() {
                if let Some(data) = obj.remove("cause") {
                    obj.insert("why".to_string(), data);
                }
                obj.insert(
                    "cause".to_string(),
                    Value::String(describe::explanation(Lang::En, &e.cause)),
                );
            }
        }
    }
    Ok(v)
}
