//! `oktaform completions SHELL`, `oktaform man` and `oktaform help [COMMAND]`: text generated from
//! the clap definition of the commands (clap_complete, clap_mangen), so it never falls behind.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::{Cli, fail};

/// Prints the completion script for `shell` to stdout.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "oktaform", &mut script);
    print_bytes(&script)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_bytes(bytes: &[u8]) -> ExitCode {
    match std::io::stdout().write_all(bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => fail(&anyhow::Error::new(e).context("writing to stdout")),
    }
}

/// Prints the man page (roff) of oktaform and every command to stdout: `oktaform(1)` first,
/// then one section per command, so `oktaform man | man -l -` shows them all.
pub fn man() -> ExitCode {
    match man_page() {
        Ok(bytes) => print_bytes(&bytes),
        Err(e) => fail(&e),
    }
}

/// The man page: the top-level page, then each subcommand's (`oktaform-plan(1)`, …).
pub fn man_page() -> anyhow::Result<Vec<u8>> {
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("oktaform-{}", sub.get_name());
        let sub = sub
            .clone()
            .name(name.clone())
            .bin_name(name)
            .version(env!("CARGO_PKG_VERSION"));
        clap_mangen::Man::new(sub).render(&mut out)?;
    }
    Ok(out)
}

/// `oktaform help [COMMAND...]`: the help of a command (clap's own `help` subcommand refuses
/// `--help`, so oktaform brings its own).
pub fn help(path: &[String]) -> ExitCode {
    let mut command = Cli::command();
    command.build();
    let mut current = &mut command;
    for name in path {
        match current.find_subcommand_mut(name) {
            Some(sub) => current = sub,
            None => {
                eprintln!("error: no command `{name}`; `oktaform help` lists them");
                return ExitCode::from(1);
            }
        }
    }
    print_bytes(current.render_long_help().to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_commands() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
            clap_complete::Shell::PowerShell,
        ] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "oktaform", &mut out);
            let text = String::from_utf8(out).unwrap();
            for command in ["plan", "apply", "init", "graph", "completions"] {
                assert!(text.contains(command), "{shell}: no `{command}`");
            }
        }
    }

    #[test]
    fn the_man_page_has_a_section_per_command() {
        let text = String::from_utf8(man_page().unwrap()).unwrap();
        assert!(text.starts_with(".ie"), "{}", &text[..80]);
        for page in ["oktaform-plan", "oktaform-init", "oktaform-graph"] {
            assert!(text.contains(&format!(".TH {page}")), "no page {page}");
        }
    }
}
