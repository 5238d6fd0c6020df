//! Embedded Stylus runtime (work in progress).
