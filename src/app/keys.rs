//! Keys → actions. Single keystrokes, as design §5 lists them; what a key means
//! depends on the mode (typing a value, the fault menu open).

use super::{Mode, Panel};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    TogglePause,
    Step,
    /// `,`: back to the previous event's instant.
    StepBack,
    /// `[` `]` (`{` `}` ten times as far): a second of what the screen plays, back or forward.
    Skip {
        back: bool,
        long: bool,
    },
    /// `<` `>`: the previous / next timeline marker.
    Marker {
        forward: bool,
    },
    /// `s`: save the session as a scenario file.
    Save,
    Faster,
    Slower,
    Reset,
    NextKnob,
    PrevKnob,
    KnobUp,
    KnobDown,
    StartEdit,
    EditChar(char),
    EditBackspace,
    /// Ctrl-U: clear what was typed.
    EditClear,
    EditCommit,
    Cancel,
    OpenFaults,
    MenuUp,
    MenuDown,
    MenuChoose,
    MenuPick(usize),
    KillLeader,
    DropAcks,
    CrashConsumer,
    ToggleHelp,
    ToggleLang,
    NextTheme,
    ToggleGlyphs,
    ToggleZoom,
    Focus(Panel),
    OpenHome,
    HomeUp,
    HomeDown,
    HomeChoose,
    Hint,
    NextStep,
    PrevStep,
    Answer(usize),
    /// `F`: follow the next record `send()` handles.
    FollowNext,
    /// `#`: type a record id to follow.
    FollowById,
    FollowDigit(char),
    FollowBackspace,
    FollowCommit,
    /// `a`: follow the newest anomaly and say its cause.
    FollowAnomaly,
    /// `r`: show the question's answer without choosing (the room answered aloud).
    Reveal,
    /// `P`: presenter mode on / off.
    TogglePresenter,
    /// ↑ / ↓: scroll the step's text.
    ScrollLesson {
        down: bool,
    },
    /// `b`: type side B's settings for an A/B comparison.
    OpenCompare,
}

/// What the keys mean while a lesson is open (only the ones that differ).
pub fn lesson_action(question_pending: bool, key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Char('h') => Some(Action::Hint),
        // A presenter's clicker sends PageDown / PageUp.
        KeyCode::Char('n') | KeyCode::PageDown => Some(Action::NextStep),
        KeyCode::Char('p') | KeyCode::PageUp => Some(Action::PrevStep),
        KeyCode::Char(c @ '1'..='9') if question_pending => {
            Some(Action::Answer(c as usize - '1' as usize))
        }
        KeyCode::Char('r') if question_pending => Some(Action::Reveal),
        KeyCode::Char('P') => Some(Action::TogglePresenter),
        KeyCode::Up => Some(Action::ScrollLesson { down: false }),
        KeyCode::Down => Some(Action::ScrollLesson { down: true }),
        _ => None,
    }
}

/// What the keys mean while a record id is being typed after `#`.
pub fn follow_entry_action(key: KeyEvent) -> Option<Action> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return Some(Action::Quit);
    }
    match key.code {
        KeyCode::Enter => Some(Action::FollowCommit),
        KeyCode::Esc => Some(Action::Cancel),
        KeyCode::Backspace => Some(Action::FollowBackspace),
        KeyCode::Char(c) if c.is_ascii_digit() => Some(Action::FollowDigit(c)),
        _ => None,
    }
}

pub fn action(mode: &Mode, key: KeyEvent) -> Option<Action> {
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        return Some(Action::Quit);
    }
    match mode {
        Mode::Editing(_) | Mode::Compare(_) => match key.code {
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Action::EditClear)
            }
            KeyCode::Enter => Some(Action::EditCommit),
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Backspace => Some(Action::EditBackspace),
            KeyCode::Char(c) if !c.is_control() => Some(Action::EditChar(c)),
            _ => None,
        },
        Mode::Home(_) => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Action::HomeUp),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::HomeDown),
            KeyCode::Enter => Some(Action::HomeChoose),
            KeyCode::Esc | KeyCode::Char('L' | 'q') => Some(Action::Cancel),
            _ => None,
        },
        Mode::Faults(_) => match key.code {
            KeyCode::Up | KeyCode::Char('k') => Some(Action::MenuUp),
            KeyCode::Down | KeyCode::Char('j') => Some(Action::MenuDown),
            KeyCode::Enter => Some(Action::MenuChoose),
            KeyCode::Esc | KeyCode::Char('f' | 'q') => Some(Action::Cancel),
            KeyCode::Char(c @ '1'..='9') => Some(Action::MenuPick(c as usize - '1' as usize)),
            _ => None,
        },
        Mode::Normal => match key.code {
            KeyCode::Char('q') => Some(Action::Quit),
            KeyCode::Char(' ') => Some(Action::TogglePause),
            KeyCode::Char('.') => Some(Action::Step),
            KeyCode::Char(',') => Some(Action::StepBack),
            KeyCode::Char('[') => Some(Action::Skip {
                back: true,
                long: false,
            }),
            KeyCode::Char(']') => Some(Action::Skip {
                back: false,
                long: false,
            }),
            KeyCode::Char('{') => Some(Action::Skip {
                back: true,
                long: true,
            }),
            KeyCode::Char('}') => Some(Action::Skip {
                back: false,
                long: true,
            }),
            KeyCode::Char('<') => Some(Action::Marker { forward: false }),
            KeyCode::Char('>') => Some(Action::Marker { forward: true }),
            KeyCode::Char('s') => Some(Action::Save),
            KeyCode::Char('+' | '=') => Some(Action::Faster),
            KeyCode::Char('-' | '_') => Some(Action::Slower),
            KeyCode::Char('0') => Some(Action::Reset),
            KeyCode::Tab => Some(Action::NextKnob),
            KeyCode::BackTab => Some(Action::PrevKnob),
            KeyCode::Right => Some(Action::KnobUp),
            KeyCode::Left => Some(Action::KnobDown),
            KeyCode::Enter => Some(Action::StartEdit),
            KeyCode::Esc => Some(Action::Cancel),
            KeyCode::Char('f') => Some(Action::OpenFaults),
            KeyCode::Char('b') => Some(Action::OpenCompare),
            KeyCode::Char('L') => Some(Action::OpenHome),
            KeyCode::Char('k') => Some(Action::KillLeader),
            KeyCode::Char('d') => Some(Action::DropAcks),
            KeyCode::Char('c') => Some(Action::CrashConsumer),
            KeyCode::Char('?') => Some(Action::ToggleHelp),
            KeyCode::Char('l') => Some(Action::ToggleLang),
            KeyCode::Char('t') => Some(Action::NextTheme),
            KeyCode::Char('g') => Some(Action::ToggleGlyphs),
            KeyCode::Char('z') => Some(Action::ToggleZoom),
            KeyCode::Char('F') => Some(Action::FollowNext),
            KeyCode::Char('#') => Some(Action::FollowById),
            KeyCode::Char('a') => Some(Action::FollowAnomaly),
            KeyCode::Char(c @ '1'..='8') => {
                Some(Action::Focus(Panel::ALL[c as usize - '1' as usize]))
            }
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn keys_depend_on_the_mode() {
        assert_eq!(
            action(&Mode::Normal, key(KeyCode::Char('q'))),
            Some(Action::Quit)
        );
        assert_eq!(
            action(&Mode::Editing(String::new()), key(KeyCode::Char('q'))),
            Some(Action::EditChar('q'))
        );
        assert_eq!(
            action(&Mode::Faults(0), key(KeyCode::Char('3'))),
            Some(Action::MenuPick(2))
        );
        assert_eq!(
            action(&Mode::Normal, key(KeyCode::Char('3'))),
            Some(Action::Focus(Panel::Sender))
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            action(&Mode::Editing(String::new()), ctrl_c),
            Some(Action::Quit)
        );
        assert_eq!(action(&Mode::Normal, key(KeyCode::F(5))), None);
        assert_eq!(
            action(&Mode::Normal, key(KeyCode::Char('F'))),
            Some(Action::FollowNext)
        );
        assert_eq!(
            action(&Mode::Normal, key(KeyCode::Char('#'))),
            Some(Action::FollowById)
        );
        assert_eq!(
            follow_entry_action(key(KeyCode::Char('7'))),
            Some(Action::FollowDigit('7'))
        );
        assert_eq!(follow_entry_action(key(KeyCode::Char('q'))), None);
    }
}
