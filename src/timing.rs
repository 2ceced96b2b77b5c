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
                "tiempo {stage}: {:.1} ms",
                (now - self.last).as_secs_f64() * 1000.0
            );
        }
        self.last = now;
    }
}
