//! Spanish (es-MX) presentation of dates, numbers and percentages, shared by the template
//! filters and the generated chart texts.
//!
//! es-MX groups thousands with a comma and uses a decimal point («60,167», «42.15»); a percent
//! sign is set off by a non-breaking space («42.15 %») so it never wraps away from its number.

use chrono::{Datelike, NaiveDate};

/// Month names as the report writes them.
pub const MONTHS: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// «24 de abril de 2023».
pub fn date_long(d: NaiveDate) -> String {
    format!(
        "{} de {} de {}",
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

/// «2023-04-24» → «24 de abril de 2023»; anything else is returned unchanged.
pub fn date_str(s: &str) -> String {
    // Dates from the model are always `dddd-dd-dd`: read by position, since parsing the
    // format string each time made `fecha` a twentieth of a unit page. Anything else goes
    // through chrono as before.
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10))
        && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
    {
        return date_long(date);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or_else(|_| s.to_owned(), date_long)
}

/// Groups thousands with commas and keeps up to `max_decimals`, dropping trailing zeros.
pub fn number(value: f64, max_decimals: usize) -> String {
    let mut out = String::with_capacity(16);
    push_number(&mut out, value, max_decimals);
    out
}

/// «42.15 %» with a non-breaking space.
pub fn percent(value: f64, decimals: usize) -> String {
    let mut out = String::with_capacity(16);
    push_number(&mut out, value, decimals);
    out.push_str("\u{a0}%");
    out
}

/// [`number`] onto `out`. The template filters format tens of thousands of cells and
/// percentages per build: written straight into one string, without the three `format!`
/// calls it took, this was a twentieth of a build's instructions.
fn push_number(out: &mut String, value: f64, max_decimals: usize) {
    use std::fmt::Write;
    if !value.is_finite() {
        out.push('—');
        return;
    }
    // Whole numbers (most table cells) skip exact decimal formatting, the costly part.
    let mut whole = itoa::Buffer::new();
    let mut decimal = String::new();
    let abs = value.abs();
    let fixed = if value.fract() == 0.0 && abs < 1e15 {
        whole.format(abs as u64)
    } else if let Some(n) = scaled(abs, max_decimals) {
        // Percentages and measures: the rounded value as a whole number of hundredths (or
        // whatever the precision), its decimal point put back by hand.
        let pow = 10u64.pow(max_decimals as u32);
        decimal.push_str(whole.format(n / pow));
        if max_decimals > 0 {
            let mut buffer = itoa::Buffer::new();
            let frac = buffer.format(n % pow);
            decimal.push('.');
            decimal.extend(std::iter::repeat_n('0', max_decimals - frac.len()));
            decimal.push_str(frac);
        }
        &decimal
    } else {
        // Writing to a String cannot fail.
        let _ = write!(decimal, "{abs:.max_decimals$}");
        &decimal
    };
    let (int, frac) = match fixed.as_bytes().iter().position(|&b| b == b'.') {
        Some(dot) => (&fixed[..dot], fixed[dot + 1..].trim_end_matches('0')),
        None => (fixed, ""),
    };
    out.reserve(int.len() + int.len() / 3 + frac.len() + 2);
    if value < 0.0 && (int != "0" || !frac.is_empty()) {
        out.push('-');
    }
    for (i, digit) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
}

/// `abs` × 10^`decimals` rounded to a whole number, when that is certainly what exact decimal
/// rounding (`{:.N}`) gives: the computed product is within an ulp of the exact one, so it must
/// be farther than that from a tie. `None` near a tie, for large values and many decimals.
fn scaled(abs: f64, decimals: usize) -> Option<u64> {
    const POWERS: [f64; 7] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6];
    // `abs` is finite (the caller checked), so `t` is too.
    let t = abs * POWERS.get(decimals)?;
    if t >= 1e15 {
        return None;
    }
    let floor = t.floor();
    let frac = t - floor;
    if (frac - 0.5).abs() <= 4.0 * f64::EPSILON * t.max(1.0) {
        return None;
    }
    Some(floor as u64 + u64::from(frac > 0.5))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_spanish() {
        let d = NaiveDate::from_ymd_opt(2023, 4, 24).unwrap();
        assert_eq!(date_long(d), "24 de abril de 2023");
        assert_eq!(date_str("2023-01-01"), "1 de enero de 2023");
        assert_eq!(date_str("no es fecha"), "no es fecha");
        // The positional reading agrees with chrono's on what it takes and what it refuses.
        for s in [
            "2024-02-29",
            "2023-02-29",
            "2023-13-01",
            "2023-12-31",
            "0999-01-05",
            "2023-1-01",
            "2023-01-1x",
            "+2023-01-01",
            "2023/01/01",
            "2023-01-01 ",
        ] {
            let chrono =
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map_or_else(|_| s.to_owned(), date_long);
            assert_eq!(date_str(s), chrono, "{s}");
        }
    }

    #[test]
    fn numbers_es_mx() {
        assert_eq!(number(60167.0, 2), "60,167");
        assert_eq!(number(1000.0, 2), "1,000");
        assert_eq!(number(999.0, 2), "999");
        assert_eq!(number(1234567.5, 2), "1,234,567.5");
        assert_eq!(number(12.6, 2), "12.6");
        assert_eq!(number(0.0, 2), "0");
        assert_eq!(number(-1500.25, 2), "-1,500.25");
        assert_eq!(number(-0.001, 2), "0");
        assert_eq!(number(2.5, 0), "2");
        assert_eq!(number(f64::NAN, 2), "—");
        assert_eq!(number(123_456_789.0, 2), "123,456,789");
        // Values that must be rounded, and ones that need not.
        assert_eq!(number(0.1 + 0.2, 2), "0.3");
        assert_eq!(number(43.4, 2), "43.4");
        assert_eq!(number(0.000_001, 6), "0.000001");
        assert_eq!(number(1e-7, 6), "0");
        assert_eq!(number(2.675, 2), "2.67");
        assert_eq!(number(1_234.567_8, 2), "1,234.57");
    }

    /// What `number` gave before its fast paths: exact decimal formatting of every value.
    fn number_by_format(value: f64, max_decimals: usize) -> String {
        if !value.is_finite() {
            return String::from("—");
        }
        let fixed = format!("{:.*}", max_decimals, value.abs());
        let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
        let frac = frac.trim_end_matches('0');
        let mut grouped = String::new();
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let sign = if value < 0.0 && (int != "0" || !frac.is_empty()) {
            "-"
        } else {
            ""
        };
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}.{frac}")
        }
    }

    #[test]
    fn fast_paths_agree_with_exact_formatting() {
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Magnitudes from 10^-8 to 10^16, as written in content (few decimals) and as
            // computed (full precision), both signs.
            let exp = (x % 25) as i32 - 8;
            let mantissa = (x >> 20) as f64 / (1u64 << 44) as f64;
            let mut v = mantissa * 10f64.powi(exp);
            if i % 2 == 0 {
                v = (v * 100.0).round() / 100.0;
            }
            if x & 1 == 1 {
                v = -v;
            }
            for d in [0, 1, 2, 6] {
                assert_eq!(number(v, d), number_by_format(v, d), "{v:?} to {d}");
            }
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(42.148_760_330_578_5, 2), "42.15\u{a0}%");
        assert_eq!(percent(44.199_999_999_999_996, 1), "44.2\u{a0}%");
        assert_eq!(percent(16.0, 0), "16\u{a0}%");
        assert_eq!(percent(62.5, 1), "62.5\u{a0}%");
    }
}
