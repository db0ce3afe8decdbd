//! docex-normalize (being built).
