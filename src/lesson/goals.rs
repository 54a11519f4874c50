//! Goals and question choices are conditions on the run's summary: a metric, a comparison
//! and a number (`producer.records_per_batch >= 5`), all parsed when the lesson loads.

use super::metric::Metric;
use crate::sim::summary::Summary;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Ne,
}

impl Op {
    pub const ALL: [Op; 6] = [Op::Ge, Op::Gt, Op::Le, Op::Lt, Op::Eq, Op::Ne];

    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    pub fn parse(text: &str) -> Result<Op, String> {
        Op::ALL
            .into_iter()
            .find(|op| op.symbol() == text)
            .ok_or_else(|| {
                let accepted: Vec<&str> = Op::ALL.iter().map(|o| o.symbol()).collect();
                format!("unknown op '{text}' (accepted: {})", accepted.join(", "))
            })
    }

    pub fn compare(self, x: f64, value: f64) -> bool {
        match self {
            Op::Ge => x >= value,
            Op::Gt => x > value,
            Op::Le => x <= value,
            Op::Lt => x < value,
            Op::Eq => (x - value).abs() < 1e-9,
            Op::Ne => (x - value).abs() >= 1e-9,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// `metric op value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub metric: Metric,
    pub op: Op,
    pub value: f64,
}

impl Condition {
    /// Whether it holds in `summary`; an error when the run has no such number (a
    /// callback that has not happened).
    pub fn holds(&self, summary: &Summary) -> Result<bool, String> {
        let x = self
            .metric
            .read(summary)
            .ok_or_else(|| format!("metric '{}' has no value in this run", self.metric))?;
        Ok(self.op.compare(x, self.value))
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.metric, self.op, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_parse_and_compare() {
        assert_eq!(Op::parse(">="), Ok(Op::Ge));
        assert!(Op::parse("=>").unwrap_err().contains("unknown op"));
        assert!(Op::Ge.compare(10.0, 10.0));
        assert!(!Op::Ne.compare(10.0, 10.0));
        assert!(Op::Eq.compare(0.1 + 0.2, 0.3));
    }
}
