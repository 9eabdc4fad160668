//! `j1k load`: upload a program to a board's bootloader, verify it, start it.

use crate::error::CliError;
use crate::program::board_program;
use crate::serial_args::{resolve_port, PortArgs};
use j1k_loader::client::Started;
use j1k_loader::progress::BarProgress;
use j1k_loader::{upload, Client, Options, SerialLink};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    /// The program: an image (.hex, .bin, .ihex) or a source file (assembled first)
    pub image: PathBuf,
    #[command(flatten)]
    pub port: PortArgs,
    /// Load core K's RAM only and start core K (the bootloader keeps serving when K is not
    /// 0). Without it the image goes into every core's RAM and core 0 starts, as `j1k sim
    /// --cores N` runs a program
    #[arg(long, short = 'c', value_name = "K")]
    pub core: Option<u16>,
    /// Drop into the terminal after the upload (Ctrl-C leaves)
    #[arg(long, short = 'm')]
    pub monitor: bool,
    /// Skip the read-back verify (each write is still checked by the board)
    #[arg(long)]
    pub no_verify: bool,
    /// Write (and verify) but do not start the program
    #[arg(long)]
    pub no_start: bool,
    /// Seconds to wait for the bootloader (press reset on the board meanwhile), 0.05 to 3600
    #[arg(long, default_value_t = 3.0, value_parser = seconds(0.05, 3600.0))]
    pub connect_timeout: f64,
    /// Retransmissions of one frame before giving up
    #[arg(long, default_value_t = 8)]
    pub retries: u32,
    /// Seconds a board may take to answer beyond the line time, 0 to 60 (USB serial
    /// adapters: the default; raise it for a board slower than its clock, such as the
    /// simulated RTL board on a busy machine)
    #[arg(long, default_value_t = Options::default().latency.as_secs_f64(),
          value_parser = seconds(0.0, 60.0))]
    pub latency: f64,
}

/// A parser of a time in seconds from `lo` to `hi` (clap checks it before anything runs).
fn seconds(lo: f64, hi: f64) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync {
    move |s| match s.parse::<f64>() {
        Ok(v) if (lo..=hi).contains(&v) => Ok(v),
        _ => Err(format!("expected a number of seconds from {lo} to {hi}")),
    }
}

pub fn run(a: LoadArgs) -> Result<(), CliError> {
    let words = board_program(&a.image)?;
    let port = resolve_port(&a.port)?;
    let link = SerialLink::open(&port, a.port.baud)?;
    let opts = Options {
        baud: a.port.baud,
        verify: !a.no_verify,
        retries: a.retries,
        connect_timeout: Duration::from_secs_f64(a.connect_timeout),
        latency: Duration::from_secs_f64(a.latency),
        ..Options::default()
    };
    let mut client = Client::new(link, opts);
    let mut progress = BarProgress::new();
    let report = upload(&mut client, &words, a.core, !a.no_start, &mut progress)?;
    let started_core = a.core.unwrap_or(0);
    let i = &report.info;
    eprintln!(
        "board `{}`: {} core(s), {} words of RAM{} (programs below ${:03x}), ISA v{}, \
         blocks {}x{} words, nodes {}x{} slots, clock {} kHz",
        i.name,
        i.cores,
        j1k_isa::RAM_WORDS,
        match i.cores {
            0 | 1 => String::new(),
            _ => format!(" on core 0, {} on the others", i.worker_ram),
        },
        i.boot_start,
        i.isa,
        i.blocks,
        i.block_words,
        i.nodes,
        i.node_slots,
        i.clock_khz
    );
    let into = match report.cores.as_slice() {
        [0] if i.cores <= 1 => String::new(),
        [k] => format!(" into core {k}"),
        ks => format!(" into cores 0..={}", ks.len() - 1),
    };
    if report.worker_words < report.words && report.cores.iter().any(|&k| k > 0) {
        eprintln!(
            "cores 1.. have {} words of RAM: they hold the image's words 0..${:03x} of {} \
             (what they run must lie there)",
            i.worker_ram,
            report.worker_words - 1,
            report.words
        );
    }
    eprintln!(
        "loaded {} words{into}{} in {:.2} s{}",
        report.words,
        if report.verified { ", verified" } else { "" },
        report.elapsed.as_secs_f64(),
        match report.started {
            Some(Started::Confirmed) => format!(", core {started_core} started"),
            Some(Started::Unconfirmed) => format!(
                ", core {started_core} started (the board did not confirm, but it left the loader)"
            ),
            None => String::new(),
        }
    );
    if a.monitor {
        let (mut link, first) = client.into_parts();
        crate::monitor_cmd::session(&mut link, &first)?;
    }
    Ok(())
}
