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
            let status =
                crate::fsx::read(std::path::Path::new("/proc/self/status")).unwrap_or_default();
            let status = String::from_utf8_lossy(&status);
            eprintln!(
                "tiempo {stage}: {:.1} ms (memoria residente: {} MB, máximo {} MB)",
                (now - self.last).as_secs_f64() * 1000.0,
                megabytes(&status, "VmRSS:"),
                megabytes(&status, "VmHWM:"),
            );
        }
        self.last = now;
    }
}

/// A field of `/proc/self/status` in megabytes (0 where there is no `/proc`).
fn megabytes(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
