//! The `playbill` command: arguments are parsed into plain values first (`cli`), then one
//! command runs (`commands`).
//! Exit codes: 0 clean, 2 fatal (bad config, unwritable output, a failed publish), 1 the
//! problems each command gates on — the exit-code table of docs/commands.md is the contract.

mod cli;
mod commands;

use clap::Parser;
use cli::{Cli, Command, DocsCommand, Format};
use std::process::ExitCode;

// Rendering allocates many short-lived strings on every thread; the system allocator spent a
// fifth of a large build's CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// With transparent huge pages the kernel zeroes 2 MiB for each fresh region the allocator
/// touches, used or not. Without them a full 1,000-repository build peaked at about 100 MiB
/// less and spent half the kernel time. Best effort: a kernel that refuses keeps them.
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
}

fn main() -> ExitCode {
    without_huge_pages();
    let cli = Cli::parse();
    playbill::install_tls_provider();
    let _ = commands::JSON_LOGS.set(cli.log_format == Format::Json);
    match cli.command {
        Command::Build(args) => commands::run_build(args),
        Command::Snapshot(args) => commands::run_snapshot(args),
        Command::Check(args) => commands::run_check(args),
        Command::Serve(args) => commands::run_serve(args),
        Command::Publish(args) => commands::run_publish(args),
        Command::Docs {
            command: DocsCommand::Build(args),
        } => commands::run_docs_build(args),
        Command::Docs {
            command: DocsCommand::Serve(args),
        } => commands::run_docs_serve(args),
        Command::Init(args) => commands::run_init(args),
        Command::Completions { shell } => commands::run_completions(shell),
        Command::Man { dir } => commands::run_man(dir.as_deref()),
    }
}
