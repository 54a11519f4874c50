//! Goals are predicates over the run's summary, addressed by dotted path into its JSON
//! (`producer.records_per_batch`, `ledger.lost.broker`, `partitions.0.high_watermark`).

use crate::sim::Sim;
use crate::sim::summary::Summary;
use serde_json::Value;

/// The summary of `sim` as JSON, the namespace goals are written against.
pub fn metrics(sim: &Sim) -> Value {
    metrics_of(&Summary::of(sim))
}

/// The same namespace from a summary already computed.
pub fn metrics_of(summary: &Summary) -> Value {
    serde_json::to_value(summary).unwrap_or(Value::Null)
}

/// The number at `path` (objects by key, arrays by index; booleans count as 0 / 1).
pub fn lookup(v: &Value, path: &str) -> Option<f64> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    match cur {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        // A count that never happened is absent from maps such as batch_send_reasons: 0.
        Value::Null => Some(0.0),
        _ => None,
    }
}

/// A path into a map of counts (`producer.batch_send_reasons.flush`) that is simply
/// absent means zero; any other missing path is an error.
fn lookup_or_zero(v: &Value, path: &str) -> Option<f64> {
    if let Some(x) = lookup(v, path) {
        return Some(x);
    }
    let (parent, _) = path.rsplit_once('.')?;
    let mut cur = v;
    for part in parent.split('.') {
        cur = match cur {
            Value::Object(map) => map.get(part)?,
            _ => return None,
        };
    }
    let is_count_map = matches!(cur, Value::Object(m) if m.values().all(Value::is_number));
    is_count_map.then_some(0.0)
}

pub const OPS: &[&str] = &[">=", ">", "<=", "<", "==", "!="];

pub fn compare(x: f64, op: &str, value: f64) -> Result<bool, String> {
    Ok(match op {
        ">=" => x >= value,
        ">" => x > value,
        "<=" => x <= value,
        "<" => x < value,
        "==" => (x - value).abs() < 1e-9,
        "!=" => (x - value).abs() >= 1e-9,
        other => {
            return Err(format!(
                "unknown op '{other}' (accepted: {})",
                OPS.join(", ")
            ));
        }
    })
}

/// Whether `metric op value` holds in `v`; an error for an unknown metric or op.
pub fn holds(v: &Value, metric: &str, op: &str, value: f64) -> Result<bool, String> {
    let x = lookup_or_zero(v, metric)
        .ok_or_else(|| format!("unknown metric '{metric}' (see lessons/README.md)"))?;
    compare(x, op, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_reach_numbers_in_objects_and_arrays() {
        let v = json!({"producer": {"acked": 10, "batch_send_reasons": {"full": 3}}, "partitions": [{"high_watermark": 7}], "ok": true});
        assert_eq!(lookup(&v, "producer.acked"), Some(10.0));
        assert_eq!(lookup(&v, "partitions.0.high_watermark"), Some(7.0));
        assert_eq!(lookup(&v, "ok"), Some(1.0));
        assert_eq!(lookup(&v, "producer.nope"), None);
        assert_eq!(
            holds(&v, "producer.batch_send_reasons.linger", "==", 0.0),
            Ok(true)
        );
        assert!(
            holds(&v, "producer.ackd", ">", 0.0)
                .unwrap_err()
                .contains("unknown metric")
        );
        assert!(
            holds(&v, "producer.acked", "=>", 0.0)
                .unwrap_err()
                .contains("unknown op")
        );
        assert_eq!(holds(&v, "producer.acked", ">=", 10.0), Ok(true));
        assert_eq!(holds(&v, "producer.acked", "!=", 10.0), Ok(false));
    }
}
