//! docex-offline (being built).
