//! The terminal: init / restore and the event loop (being written).
