//! The traffic monitor's rows: the last frames of the twin's trace, each with its decoded
//! meaning, and the ones a wire fault made (or a peer got wrong) marked so they stand out.

use sim::wire::trace::Record;

/// How a frame is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A request and its reply, as the protocol wants.
    Normal,
    /// An exception answered (forced by a wire fault, or a request the map refuses).
    Exception,
    /// Something broke on the wire: garbage, a broken line, a frame at the wrong speed,
    /// a frame for another slave.
    Wire,
}

/// How the frame's decoded meaning says it is to be shown.
pub fn mark(record: &Record) -> Mark {
    let meaning = record.meaning.as_str();
    if meaning.starts_with("exception") {
        Mark::Exception
    } else if meaning == "garbage"
        || meaning.ends_with("garbage bytes skipped")
        || meaning.starts_with("line broken")
        || meaning.starts_with("sent at")
        || meaning.ends_with("not for this UPS")
    {
        Mark::Wire
    } else {
        Mark::Normal
    }
}

/// Frames kept on screen.
pub const SHOWN: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    fn record(meaning: &str) -> Record {
        Record {
            wall_s: 0.0,
            sim_s: 0.0,
            link: "pty".into(),
            direction: sim::wire::trace::Direction::Tx,
            hex: "01".into(),
            meaning: meaning.into(),
        }
    }

    #[test]
    fn wire_trouble_and_exceptions_stand_out() {
        assert_eq!(mark(&record("unit 1: read holding 0x1000 ×12")), Mark::Normal);
        assert_eq!(mark(&record("reply")), Mark::Normal);
        assert_eq!(mark(&record("exception 2")), Mark::Exception);
        for meaning in [
            "garbage",
            "7 garbage bytes skipped",
            "line broken: not read",
            "sent at 2400 baud: not understood",
            "unit 9: not for this UPS",
        ] {
            assert_eq!(mark(&record(meaning)), Mark::Wire, "{meaning}");
        }
    }

    #[test]
    fn the_marks_follow_the_trace_s_own_words() {
        use sim::wire::trace::Meaning;
        for (meaning, expected) in [
            (Meaning::Exception { code: 2 }, Mark::Exception),
            (Meaning::GarbageSent, Mark::Wire),
            (Meaning::Garbage { bytes: 3 }, Mark::Wire),
            (Meaning::LineBroken, Mark::Wire),
            (Meaning::WrongSpeed { far_baud: 2400 }, Mark::Wire),
            (Meaning::NotForUs { unit: 9 }, Mark::Wire),
            (Meaning::Reply, Mark::Normal),
        ] {
            assert_eq!(mark(&record(&meaning.describe())), expected, "{meaning:?}");
        }
    }
}
