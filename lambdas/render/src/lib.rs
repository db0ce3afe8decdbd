//! docex-render (being built).
