//! Placeholder while the generator is being written (replaced by its author).
pub fn run(_args: &crate::cli::SynthArgs, _global: &crate::cmd::Global) -> anyhow::Result<crate::cmd::Status> {
    anyhow::bail!("synth: not built yet")
}
