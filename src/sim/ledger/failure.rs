//! Causes for records whose callback got an exception: "failed, not written" (the
//! application knows) and "failed, yet written" (the error hid a successful append).

use super::Ledger;
use crate::sim::trace::{KafkaError, RecordId};

impl Ledger {
    /// The exception the record's callback got. Records the ledger was not told about
    /// failed in `close(Duration.ZERO)`: Kafka fails what is left with "Producer is closed
    /// forcefully" (`RecordAccumulator.abortIncompleteBatches`).
    fn callback_error(&self, r: RecordId) -> KafkaError {
        self.failed
            .get(&r)
            .copied()
            .unwrap_or(KafkaError::ProducerClosed)
    }

    /// When the producer was force-closed, as `on_unsent` recorded it.
    fn closed_text(&self) -> String {
        self.unsent_cause.map_or_else(
            || "the producer was force-closed".to_string(),
            |c| self.causes[c as usize].clone(),
        )
    }

    /// `stored` is the cause kept when a leader change cut the record from the log.
    pub(super) fn failed_not_written_text(&self, r: RecordId, stored: Option<String>) -> String {
        let e = self.callback_error(r);
        let when = match e {
            KafkaError::DeliveryTimeout => {
                format!(" after {} ms", self.context.delivery_timeout_ms)
            }
            KafkaError::ProducerClosed => format!(": {}", self.closed_text()),
            _ => String::new(),
        };
        let cut = stored.map_or_else(String::new, |cut| {
            format!(" (it had been appended once, but it was cut: {cut})")
        });
        format!(
            "the callback got {e}{when}, and the record is not in the log: the application was told, nothing is lost{cut}"
        )
    }

    /// Why the producer could not know that the leader had appended the record.
    fn hidden_append(&self, e: KafkaError) -> String {
        match e {
            KafkaError::DeliveryTimeout => format!(
                "the batch expired after delivery.timeout.ms={} before any answer saying it was written reached it",
                self.context.delivery_timeout_ms
            ),
            KafkaError::RequestTimedOut => format!(
                "a timeout only says that no answer came within request.timeout.ms={}",
                self.context.request_timeout_ms
            ),
            KafkaError::NotEnoughReplicasAfterAppend => format!(
                "this error comes after the append (the in-sync replicas had fallen below min.insync.replicas={}), and the append is not taken back",
                self.context.min_insync_replicas
            ),
            KafkaError::NetworkException => {
                "the connection broke before the answer arrived".to_string()
            }
            KafkaError::ProducerClosed => format!(
                "{} while the request carrying it was in flight",
                self.closed_text()
            ),
            KafkaError::OutOfOrderSequenceNumber | KafkaError::InvalidProducerEpoch => {
                "the answer to an earlier attempt was lost, and the retry was refused".to_string()
            }
            _ => "the answer saying it was written never reached it".to_string(),
        }
    }

    pub(super) fn failed_written_text(&self, r: RecordId, offset: i64, processed: u8) -> String {
        let e = self.callback_error(r);
        let consumed = if processed > 0 {
            " (a consumer has already processed it)"
        } else {
            ""
        };
        format!(
            "the callback got {e}, yet the leader had appended it at offset {offset} and it is committed; \
             the producer could not know: {}; an application that sends it again writes it twice{consumed}",
            self.hidden_append(e)
        )
    }
}
