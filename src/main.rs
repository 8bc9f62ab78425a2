use clap::Parser;

fn main() {
    let _cli = ctl::cli::Cli::parse();
}
