//! Spec tests.
