//! Vietnamese numerals as the portal writes them: "." or "," groups thousands ("8.000",
//! "1,200,000"), and in time limits a "," or "." before one or two digits is a decimal mark
//! ("0,5 ngày", "1.5 Ngày làm việc").

use super::super::scan::{char_at, digit_run};

/// A number token as written: its digits and separators, and where it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumberToken<'a> {
    pub text: &'a str,
    pub end: usize,
}

/// Reads `[0-9]+([.,][0-9]+)*` at byte `i`; a trailing separator is left out ("5." ends at "5").
pub(crate) fn number_at(s: &str, i: usize) -> Option<NumberToken<'_>> {
    let first = digit_run(s, i);
    if first == 0 {
        return None;
    }
    let mut end = i + first;
    while matches!(char_at(s, end), Some('.' | ',')) {
        let more = digit_run(s, end + 1);
        if more == 0 {
            break;
        }
        end += 1 + more;
    }
    Some(NumberToken {
        text: s.get(i..end)?,
        end,
    })
}

/// An integer with optional thousands grouping: "8.000", "1,200,000", "200000", "0".
/// Groups after the first must have exactly three digits and use one separator throughout.
pub fn parse_grouped_integer(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut seps = s.chars().filter(|c| matches!(c, '.' | ','));
    let sep = seps.next();
    if seps.any(|c| Some(c) != sep) {
        return None;
    }
    let mut value: i64 = 0;
    for (n, group) in s.split(['.', ',']).enumerate() {
        let ok = !group.is_empty()
            && group.bytes().all(|b| b.is_ascii_digit())
            && if n == 0 {
                sep.is_none() || group.len() <= 3
            } else {
                group.len() == 3
            };
        if !ok {
            return None;
        }
        for b in group.bytes() {
            value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
        }
    }
    Some(value)
}

/// A decimal number where "," or "." is the decimal mark: "05" → 5, "0,5" → 0.5, "1.5" → 1.5.
/// More than one mark, or no digit after the mark, is rejected.
pub fn parse_decimal(s: &str) -> Option<f64> {
    let s = s.trim();
    let mut parts = s.split(['.', ',']);
    let int = parts.next()?;
    let frac = parts.next();
    if parts.next().is_some() || int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if int.len() > 9 {
        return None;
    }
    let mut text = int.to_owned();
    if let Some(frac) = frac {
        if frac.is_empty() || frac.len() > 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        text.push('.');
        text.push_str(frac);
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_integers() {
        assert_eq!(parse_grouped_integer("8.000"), Some(8000));
        assert_eq!(parse_grouped_integer("1.500.000"), Some(1_500_000));
        assert_eq!(parse_grouped_integer("1,200,000"), Some(1_200_000));
        assert_eq!(parse_grouped_integer("200000"), Some(200_000));
        assert_eq!(parse_grouped_integer("0"), Some(0));
        assert_eq!(parse_grouped_integer("1,5"), None);
        assert_eq!(parse_grouped_integer("1.200,000"), None);
        assert_eq!(parse_grouped_integer("1234.000"), None);
        assert_eq!(parse_grouped_integer("99999999999999999999"), None);
    }

    #[test]
    fn decimals() {
        assert_eq!(parse_decimal("05"), Some(5.0));
        assert_eq!(parse_decimal("0,5"), Some(0.5));
        assert_eq!(parse_decimal("1.5"), Some(1.5));
        assert_eq!(parse_decimal("1.5.2"), None);
        assert_eq!(parse_decimal("1."), None);
        assert_eq!(parse_decimal(""), None);
    }

    #[test]
    fn number_tokens() {
        let s = "x 1.500.000 đồng. 5.";
        let t = number_at(s, 2).unwrap();
        assert_eq!(t.text, "1.500.000");
        let t = number_at(s, s.len() - 2).unwrap();
        assert_eq!(t.text, "5");
        assert_eq!(number_at(s, 0), None);
    }
}
