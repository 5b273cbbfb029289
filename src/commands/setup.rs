//! `playbill init`, `completions` and `man`: setting Playbill up rather than running it.

use crate::cli::InitArgs;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn run_init(args: InitArgs) -> ExitCode {
    use playbill::init::{InitOptions, InitSource};
    let source = match (args.github, args.local) {
        (Some(organization), _) => InitSource::Github {
            organization,
            api_url: args.api_url,
        },
        (None, Some(dir)) => InitSource::Local { dir },
        (None, None) => unreachable!("clap requires --github or --local"),
    };
    let options = InitOptions {
        source,
        kubernetes: args.kubernetes,
        publish: args.publish,
    };
    match playbill::init::init(&args.config, &options) {
        Ok(_) => {
            let config = match args.config.to_str() {
                Some("site.toml") => String::new(),
                _ => format!(" --config {}", args.config.display()),
            };
            eprintln!(
                "Wrote {}; next: playbill build{config}",
                args.config.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The manual page from the command definitions: one page on stdout, or a page per command.
pub(crate) fn run_man(dir: Option<&Path>) -> ExitCode {
    let command = <crate::cli::Cli as clap::CommandFactory>::command();
    let result = match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir))
        }
        None => clap_mangen::Man::new(command).render(&mut std::io::stdout()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write the manual page: {e}");
            ExitCode::from(2)
        }
    }
}

/// A shell completion script on stdout.
pub(crate) fn run_completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "playbill", &mut std::io::stdout());
    ExitCode::SUCCESS
}
