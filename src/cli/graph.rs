//! `oktaform graph`: the attribute-flow diagram of the config, and with `--org` what a plan
//! would change in it.

use std::process::ExitCode;

use super::{GraphArgs, GraphFormat, fail, org};
use crate::okta::Access;
use crate::render::graph;

pub fn run(args: &GraphArgs) -> ExitCode {
    match draw(args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn draw(args: &GraphArgs) -> anyhow::Result<String> {
    let flows = if args.org.org.is_some() {
        let session = org::Session::open(&args.config, &args.org, Access::Read)?;
        let (plan, _) = session.plan()?;
        graph::build(&session.config, Some(&plan))
    } else {
        let (config, _) = org::load_config(&args.config)?;
        graph::build(&config, None)
    };
    Ok(match args.format {
        GraphFormat::Mermaid => graph::mermaid(&flows),
        GraphFormat::Dot => graph::dot(&flows),
    })
}
