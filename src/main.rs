//! The `oktaform` binary: everything lives in the library; this only hands over to [`oktaform::cli`].

fn main() -> std::process::ExitCode {
    oktaform::cli::main()
}
