//! Explanations for records whose callback got an exception: "failed, not written" (the
//! application knows) and "failed, yet written" (the error hid a successful append).

use super::Ledger;
use crate::sim::reason::{Cause, Explanation, HiddenAppend};
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

    /// How the producer stopped, as `on_unsent` recorded it.
    pub(super) fn stopped_cause(&self) -> Option<Cause> {
        self.unsent_cause.map(|c| self.causes[c as usize].clone())
    }

    /// `stored` is the cause kept when a leader change cut the record from the log.
    pub(super) fn failed_not_written(&self, r: RecordId, stored: Option<Cause>) -> Explanation {
        let error = self.callback_error(r);
        Explanation::FailedNotWritten {
            error,
            delivery_timeout_ms: self.context.delivery_timeout_ms,
            stopped: (error == KafkaError::ProducerClosed)
                .then(|| self.stopped_cause())
                .flatten(),
            cut: stored,
        }
    }

    /// Why the producer could not know that the leader had appended the record.
    fn hidden_append(&self, e: KafkaError) -> HiddenAppend {
        match e {
            KafkaError::DeliveryTimeout => HiddenAppend::DeliveryTimeout {
                delivery_timeout_ms: self.context.delivery_timeout_ms,
            },
            KafkaError::RequestTimedOut => HiddenAppend::RequestTimeout {
                request_timeout_ms: self.context.request_timeout_ms,
            },
            KafkaError::NotEnoughReplicasAfterAppend => HiddenAppend::AfterAppend {
                min_insync_replicas: self.context.min_insync_replicas,
            },
            KafkaError::NetworkException => HiddenAppend::ConnectionBroke,
            KafkaError::ProducerClosed => HiddenAppend::Closed {
                stopped: self.stopped_cause().map(Box::new),
            },
            KafkaError::OutOfOrderSequenceNumber | KafkaError::InvalidProducerEpoch => {
                HiddenAppend::EarlierAnswerLost
            }
            _ => HiddenAppend::AnswerLost,
        }
    }

    pub(super) fn failed_written(&self, r: RecordId, offset: i64, processed: u8) -> Explanation {
        let error = self.callback_error(r);
        Explanation::FailedWritten {
            error,
            offset,
            processed: processed > 0,
            hidden: self.hidden_append(error),
        }
    }
}
