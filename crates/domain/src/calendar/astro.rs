//! The two astronomical quantities the lunisolar calendar needs, from Jean Meeus,
//! *Astronomical Algorithms* (2nd ed., 1998): the instant of a new moon (chapter 49, mean phase
//! plus periodic and planetary terms) and the Sun's apparent longitude (chapter 25, the
//! low-precision method, about 0.01° ≈ 15 minutes of time). Instants are Julian days; the
//! formulas give Dynamical Time (JDE), and [`delta_t_days`] converts to Universal Time.

use std::f64::consts::PI;

/// Julian day of 2000-01-01 12:00 (epoch J2000.0).
const J2000: f64 = 2_451_545.0;

fn sin_deg(x: f64) -> f64 {
    (x * PI / 180.0).sin()
}

/// The new moon of lunation `k` (k = 0 is the new moon of 2000-01-06), as JDE. Meeus (49.1)
/// with the new-moon periodic terms and the 14 additional (planetary) corrections.
pub(crate) fn new_moon_jde(k: i32) -> f64 {
    let k = f64::from(k);
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let t4 = t3 * t;

    let mean = 2_451_550.097_66 + 29.530_588_861 * k + 0.000_154_37 * t2 - 0.000_000_150 * t3
        + 0.000_000_000_73 * t4;

    // Eccentricity of the Earth's orbit (47.6) and the fundamental arguments (49.4–49.7).
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let m = 2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3;
    let mp =
        201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4;
    let f =
        160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4;
    let om = 124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3;

    let periodic = -0.40720 * sin_deg(mp)
        + 0.17241 * e * sin_deg(m)
        + 0.01608 * sin_deg(2.0 * mp)
        + 0.01039 * sin_deg(2.0 * f)
        + 0.00739 * e * sin_deg(mp - m)
        - 0.00514 * e * sin_deg(mp + m)
        + 0.00208 * e * e * sin_deg(2.0 * m)
        - 0.00111 * sin_deg(mp - 2.0 * f)
        - 0.00057 * sin_deg(mp + 2.0 * f)
        + 0.00056 * e * sin_deg(2.0 * mp + m)
        - 0.00042 * sin_deg(3.0 * mp)
        + 0.00042 * e * sin_deg(m + 2.0 * f)
        + 0.00038 * e * sin_deg(m - 2.0 * f)
        - 0.00024 * e * sin_deg(2.0 * mp - m)
        - 0.00017 * sin_deg(om)
        - 0.00007 * sin_deg(mp + 2.0 * m)
        + 0.00004 * sin_deg(2.0 * mp - 2.0 * f)
        + 0.00004 * sin_deg(3.0 * m)
        + 0.00003 * sin_deg(mp + m - 2.0 * f)
        + 0.00003 * sin_deg(2.0 * mp + 2.0 * f)
        - 0.00003 * sin_deg(mp + m + 2.0 * f)
        + 0.00003 * sin_deg(mp - m + 2.0 * f)
        - 0.00002 * sin_deg(mp - m - 2.0 * f)
        - 0.00002 * sin_deg(3.0 * mp + m)
        + 0.00002 * sin_deg(4.0 * mp);

    // Additional corrections for all phases: (coefficient, argument in degrees).
    let planetary: [(f64, f64); 14] = [
        (0.000_325, 299.77 + 0.107_408 * k - 0.009_173 * t2),
        (0.000_165, 251.88 + 0.016_321 * k),
        (0.000_164, 251.83 + 26.651_886 * k),
        (0.000_126, 349.42 + 36.412_478 * k),
        (0.000_110, 84.66 + 18.206_239 * k),
        (0.000_062, 141.74 + 53.303_771 * k),
        (0.000_060, 207.14 + 2.453_732 * k),
        (0.000_056, 154.84 + 7.306_860 * k),
        (0.000_047, 34.52 + 27.261_239 * k),
        (0.000_042, 207.19 + 0.121_824 * k),
        (0.000_040, 291.34 + 1.844_379 * k),
        (0.000_037, 161.72 + 24.198_154 * k),
        (0.000_035, 239.56 + 25.513_099 * k),
        (0.000_023, 331.55 + 3.592_518 * k),
    ];
    let additional: f64 = planetary.iter().map(|&(c, a)| c * sin_deg(a)).sum();

    mean + periodic + additional
}

/// The Sun's apparent geometric longitude in degrees, in `[0, 360)`, at `jde` (Dynamical Time).
/// Meeus chapter 25, low precision: mean longitude (25.2), mean anomaly (25.3), equation of the
/// centre, then nutation and aberration folded into the last line.
pub(crate) fn sun_apparent_longitude(jde: f64) -> f64 {
    let t = (jde - J2000) / 36_525.0;
    let t2 = t * t;
    let l0 = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let m = 357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t2;
    let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t2) * sin_deg(m)
        + (0.019_993 - 0.000_101 * t) * sin_deg(2.0 * m)
        + 0.000_289 * sin_deg(3.0 * m);
    let true_longitude = l0 + c;
    let omega = 125.04 - 1_934.136 * t;
    let lambda = true_longitude - 0.005_69 - 0.004_78 * sin_deg(omega);
    lambda.rem_euclid(360.0)
}

/// ΔT = TT − UT in days for the instant `jde`, from the polynomial fits of Espenak and Meeus
/// (NASA *Five Millennium Canon of Solar Eclipses*, 2006), valid 1900–2150. Only matters for
/// the rare new moon within a minute or so of local midnight.
pub(crate) fn delta_t_days(jde: f64) -> f64 {
    let y = 2000.0 + (jde - J2000) / 365.25;
    let seconds = if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t.powi(2) + 0.006_196_6 * t.powi(3)
            - 0.000_197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t.powi(2) + 0.002_093_6 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.3345 * t - 0.060_374 * t.powi(2)
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t.powi(2)
    } else {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u - 0.5628 * (2150.0 - y)
    };
    seconds / 86_400.0
}

/// Converts a Universal Time Julian day to JDE.
pub(crate) fn jde_from_jd_ut(jd_ut: f64) -> f64 {
    jd_ut + delta_t_days(jd_ut)
}

/// Converts a JDE to a Universal Time Julian day.
pub(crate) fn jd_ut_from_jde(jde: f64) -> f64 {
    jde - delta_t_days(jde)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Meeus example 49.a: the new moon of 1977 February, k = −283, JDE 2443192.65118.
    #[test]
    fn meeus_example_49a() {
        let jde = new_moon_jde(-283);
        assert!((jde - 2_443_192.651_18).abs() < 0.000_02, "{jde}");
    }

    /// Meeus example 25.a: 1992 October 13.0 TD, apparent longitude 199.90895°
    /// (the low-precision method gives 199.90895 in the book, 199°54'32").
    #[test]
    fn meeus_example_25a() {
        let lambda = sun_apparent_longitude(2_448_908.5);
        assert!((lambda - 199.908_95).abs() < 0.000_1, "{lambda}");
    }

    #[test]
    fn delta_t_is_plausible() {
        // About −2.8 s in 1900, 63.8 s in 2000, roughly two minutes by 2100.
        let s = |jd: f64| delta_t_days(jd) * 86_400.0;
        assert!((s(2_415_020.5) + 2.8).abs() < 0.5);
        assert!((s(J2000) - 63.8).abs() < 0.5);
        let s2100 = s(2_488_069.5);
        assert!((150.0..250.0).contains(&s2100), "{s2100}");
    }
}
