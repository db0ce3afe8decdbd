//! docex-pdf (being built).
