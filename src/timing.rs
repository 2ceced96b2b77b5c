//! Phase timings for whoever tunes the build: `INFORME_TIEMPOS=1 informe build` prints how long
//! each stage took to stderr. Off by default, so normal output stays quiet and deterministic.

use std::time::Instant;

pub(crate) struct Clock {
    enabled: bool,
    last: Instant,
}

impl Clock {
    pub(crate) fn start() -> Clock {
        Clock {
            enabled: std::env::var_os("INFORME_TIEMPOS").is_some(),
            last: Instant::now(),
        }
    }

    /// Reports the time since the previous lap under `stage`.
    pub(crate) fn lap(&mut self, stage: &str) {
        let now = Instant::now();
        if self.enabled {
            eprintln!(
                "tiempo {stage}: {:.1} ms (memoria residente: {} MB, máximo {} MB)",
                (now - self.last).as_secs_f64() * 1000.0,
                rss_mb("VmRSS:"),
                rss_mb("VmHWM:"),
            );
        }
        self.last = now;
    }
}

/// A line of `/proc/self/status` in megabytes (0 where there is no `/proc`).
fn rss_mb(field: &str) -> u64 {
    let status = crate::fsx::read(std::path::Path::new("/proc/self/status")).unwrap_or_default();
    String::from_utf8_lossy(&status)
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
