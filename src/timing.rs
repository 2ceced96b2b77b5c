//! Phase timings for whoever tunes the build: `INFORME_TIEMPOS=1 informe build` prints how long
//! each stage took to stderr. Off by default, so normal output stays quiet and deterministic.

use std::time::Instant;

pub(crate) struct Clock {
    enabled: bool,
    last: Instant,
    /// [`cpu_ms`] at the previous lap.
    cpu: u64,
}

impl Clock {
    pub(crate) fn start() -> Clock {
        let enabled = std::env::var_os("INFORME_TIEMPOS").is_some();
        Clock {
            enabled,
            last: Instant::now(),
            cpu: if enabled { cpu_ms() } else { 0 },
        }
    }

    /// Reports the time since the previous lap under `stage`.
    pub(crate) fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        if self.enabled {
            let status =
                crate::fsx::read(std::path::Path::new("/proc/self/status")).unwrap_or_default();
            let status = String::from_utf8_lossy(&status);
            let cpu = cpu_ms();
            eprintln!(
                "tiempo {stage}: {:.1} ms, CPU {} ms (memoria residente: {} MB, máximo {} MB)",
                (now - self.last).as_secs_f64() * 1000.0,
                cpu.saturating_sub(self.cpu),
                megabytes(&status, "VmRSS:"),
                megabytes(&status, "VmHWM:"),
            );
            self.cpu = cpu;
        }
        self.last = now;
    }
}

/// CPU time of the whole process so far, all threads, user and system, in milliseconds (0
/// where there is no `/proc`): a stage's CPU time beside its wall time shows whether it kept
/// every core busy. The kernel counts it in ticks of 10 ms.
fn cpu_ms() -> u64 {
    let stat = crate::fsx::read(std::path::Path::new("/proc/self/stat")).unwrap_or_default();
    let stat = String::from_utf8_lossy(&stat);
    // Fields after the command name, which is in parentheses and may hold spaces: utime and
    // stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) * 10
}

/// A field of `/proc/self/status` in megabytes (0 where there is no `/proc`).
fn megabytes(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
