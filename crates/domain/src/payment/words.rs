//! Amounts of money in Vietnamese words, as a receipt writes them ("Số tiền bằng chữ"):
//! `1.500.000` → "Một triệu năm trăm nghìn đồng".
//!
//! Rules: digits are read in groups of three (trăm, mươi, đơn vị) under the scales nghìn,
//! triệu, tỷ (and "nghìn tỷ", "triệu tỷ" above); a group after a non-zero higher part is read in
//! full ("không trăm", "linh"); 1 after a tens digit of 2 or more is "mốt", 4 is "tư", 5 after
//! any tens digit is "lăm"; 10–19 are "mười …"; a units digit after "không trăm" or a hundreds
//! digit takes "linh" (the Northern "lẻ" is not used). Zero is "Không đồng".

const DIGITS: [&str; 10] = [
    "không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
];

const BILLION: u64 = 1_000_000_000;

/// The amount in words with its first letter capitalised and "đồng" at the end.
pub fn amount_in_words(vnd: u64) -> String {
    let words = if vnd == 0 {
        DIGITS[0].to_owned()
    } else {
        read(vnd, false)
    };
    let mut chars = words.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{} đồng", first.unwrap_or_default(), chars.as_str())
}

/// Reads `n > 0`; `full` when a higher part was read, so leading zeros are spoken.
fn read(n: u64, full: bool) -> String {
    if n >= BILLION {
        let (high, low) = (n / BILLION, n % BILLION);
        let mut out = format!("{} tỷ", read(high, full));
        if low > 0 {
            out.push(' ');
            out.push_str(&read(low, true));
        }
        return out;
    }
    let groups = [
        (n / 1_000_000, "triệu"),
        (n / 1000 % 1000, "nghìn"),
        (n % 1000, ""),
    ];
    let mut parts: Vec<String> = Vec::new();
    let mut spoken = full;
    for (group, scale) in groups {
        if group == 0 {
            continue;
        }
        let mut part = group_words(group, spoken);
        if !scale.is_empty() {
            part.push(' ');
            part.push_str(scale);
        }
        parts.push(part);
        spoken = true;
    }
    parts.join(" ")
}

/// Reads a group `1..=999`; `full` speaks a zero hundreds ("không trăm").
fn group_words(g: u64, full: bool) -> String {
    let (h, t, u) = (
        (g / 100) as usize,
        (g / 10 % 10) as usize,
        (g % 10) as usize,
    );
    let mut w: Vec<&str> = Vec::new();
    if h > 0 || full {
        w.extend([DIGITS[h], "trăm"]);
    }
    match (t, u) {
        (0, 0) => {}
        (0, u) if !w.is_empty() => w.extend(["linh", DIGITS[u]]),
        (0, u) => w.push(DIGITS[u]),
        (1, u) => {
            w.push("mười");
            match u {
                0 => {}
                5 => w.push("lăm"),
                u => w.push(DIGITS[u]),
            }
        }
        (t, u) => {
            w.extend([DIGITS[t], "mươi"]);
            match u {
                0 => {}
                1 => w.push("mốt"),
                4 => w.push("tư"),
                5 => w.push("lăm"),
                u => w.push(DIGITS[u]),
            }
        }
    }
    w.join(" ")
}

#[cfg(test)]
mod tests {
    use super::amount_in_words as w;

    #[test]
    fn receipts_amounts() {
        assert_eq!(w(1_500_000), "Một triệu năm trăm nghìn đồng");
        assert_eq!(w(0), "Không đồng");
        assert_eq!(w(5), "Năm đồng");
        assert_eq!(w(10), "Mười đồng");
        assert_eq!(w(15), "Mười lăm đồng");
        assert_eq!(w(14), "Mười bốn đồng");
        assert_eq!(w(21), "Hai mươi mốt đồng");
        assert_eq!(w(11), "Mười một đồng");
        assert_eq!(w(24), "Hai mươi tư đồng");
        assert_eq!(w(25), "Hai mươi lăm đồng");
        assert_eq!(w(105), "Một trăm linh năm đồng");
        assert_eq!(w(110), "Một trăm mười đồng");
        assert_eq!(w(1_000), "Một nghìn đồng");
        assert_eq!(w(1_005), "Một nghìn không trăm linh năm đồng");
        assert_eq!(w(20_000), "Hai mươi nghìn đồng");
        assert_eq!(w(40_000), "Bốn mươi nghìn đồng");
        assert_eq!(w(105_000), "Một trăm linh năm nghìn đồng");
        assert_eq!(w(1_000_500), "Một triệu năm trăm đồng");
        assert_eq!(w(1_005_000), "Một triệu không trăm linh năm nghìn đồng");
        assert_eq!(w(4_500_000), "Bốn triệu năm trăm nghìn đồng");
        assert_eq!(w(1_000_000_000), "Một tỷ đồng");
        assert_eq!(
            w(2_015_000_021),
            "Hai tỷ không trăm mười lăm triệu không trăm hai mươi mốt đồng"
        );
        assert_eq!(w(1_000_000_000_000), "Một nghìn tỷ đồng");
        assert_eq!(
            w(3_000_000_005_000),
            "Ba nghìn tỷ không trăm linh năm nghìn đồng"
        );
        assert_eq!(
            w(u64::MAX),
            "Mười tám tỷ bốn trăm bốn mươi sáu triệu bảy trăm bốn mươi tư nghìn không trăm bảy \
             mươi ba tỷ bảy trăm linh chín triệu năm trăm năm mươi mốt nghìn sáu trăm mười lăm đồng"
        );
    }
}
