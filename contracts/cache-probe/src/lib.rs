//! Test-only Stylus contract (work in progress).
