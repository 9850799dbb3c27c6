//! The crawl's smaller fields: levels (`cap_thuc_hien`), applicant types
//! (`doi_tuong_thuc_hien`), steps (`trinh_tu_thuc_hien`), related procedures
//! (`thu_tuc_lien_quan`) and results (`ket_qua_xu_ly`).

use super::super::issue::{Finding, IssueKind};
use super::super::model::{Level, ResultSpec};
use super::super::scan::{char_at, is_placeholder, slice, squash};

/// "Cấp bộ, Cấp tỉnh, Cấp xã, Cơ quan khác" → levels. Unknown levels are kept as written.
pub fn parse_levels(text: &str) -> (Vec<Level>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut out = Vec::new();
    for part in text.split([',', ';']).map(squash).filter(|p| !p.is_empty()) {
        let level = match part.to_lowercase().as_str() {
            "cấp bộ" | "cấp trung ương" | "cấp bộ, ngành" => Level::Ministry,
            "cấp tỉnh" => Level::Province,
            "cấp huyện" => Level::District,
            "cấp xã" => Level::Commune,
            "cơ quan khác" => Level::OtherBody,
            _ => {
                findings.push(Finding::new(
                    IssueKind::UnknownLevel,
                    format!("unknown level \"{part}\""),
                ));
                Level::Unknown(part)
            }
        };
        if !out.contains(&level) {
            out.push(level);
        }
    }
    (out, findings)
}

/// Applicant types, split on commas outside parentheses; a part starting in lowercase
/// continues the previous one ("Cán bộ, công chức, viên chức" is one type).
pub fn parse_applicant_types(text: &str) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    let mut out: Vec<String> = Vec::new();
    for part in parts.iter().map(|p| squash(p)).filter(|p| !p.is_empty()) {
        match out.last_mut() {
            Some(prev) if part.starts_with(char::is_lowercase) => {
                prev.push_str(", ");
                prev.push_str(&part);
            }
            _ => out.push(part),
        }
    }
    out.retain(|p| !is_placeholder(p));
    out
}

/// Steps, one per "Bước N" marker at the start of a line (after an optional bullet); text before
/// the first marker is kept as its own entry. A text without markers is one entry.
pub fn parse_steps(text: &str) -> Vec<String> {
    let text = text.trim();
    if is_placeholder(text) {
        return Vec::new();
    }
    let mut starts = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let lead = line.len() - line.trim_start_matches([' ', '\t', '-', '+', '*']).len();
        let body = slice(line, lead, line.len());
        if body.starts_with("Bước")
            && body
                .chars()
                .nth(4)
                .is_some_and(|c| c == ' ' || c.is_ascii_digit())
        {
            let after = body["Bước".len()..].trim_start();
            if after.starts_with(|c: char| c.is_ascii_digit()) {
                starts.push(line_start);
            }
        }
        line_start += line.len();
    }
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts.push(text.len());
    starts
        .windows(2)
        .map(|w| slice(text, w[0], w[1]).trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Related procedures: the portal prints its table twice ("#Tên thủ tục1<name>" and
/// "#1Tên thủ tục<name>"); the second form is split on its row markers.
pub fn parse_related(text: &str) -> Vec<String> {
    const MARK: &str = "Tên thủ tục";
    if is_placeholder(text) {
        return Vec::new();
    }
    // Row markers "#<n>Tên thủ tục".
    let mut rows = Vec::new();
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for (i, _) in text.match_indices('#') {
        let n = text
            .get(i + 1..)
            .map_or(0, |t| t.bytes().take_while(u8::is_ascii_digit).count());
        let m = i + 1 + n;
        if n > 0 && text.get(m..).is_some_and(|t| t.starts_with(MARK)) {
            marks.push((i, m + MARK.len()));
        }
    }
    for (k, &(_, start)) in marks.iter().enumerate() {
        let end = marks.get(k + 1).map_or(text.len(), |m| m.0);
        let name = squash(slice(text, start, end));
        if !name.is_empty() {
            rows.push(name);
        }
    }
    if rows.is_empty() {
        rows.push(squash(
            text.trim_start_matches('#').trim_start_matches(MARK),
        ));
    }
    rows
}

/// Results: "<name>Mã: <code><name>Mã: <code>..." followed by page furniture from "Từ khóa" on.
pub fn parse_results(text: &str) -> Vec<ResultSpec> {
    const CODE: &str = "Mã:";
    let text = match text.find("Từ khóa") {
        Some(i) => slice(text, 0, i),
        None => text,
    };
    if is_placeholder(text) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cursor = 0;
    for (i, _) in text.match_indices(CODE) {
        if i < cursor {
            continue;
        }
        let name = squash(slice(text, cursor, i));
        let code_start = i + CODE.len() + usize::from(char_at(text, i + CODE.len()) == Some(' '));
        // "Mã: Chưa có" / "Mã: Không có": no code.
        let none = ["Chưa có", "Không có"]
            .iter()
            .find(|w| text.get(code_start..).is_some_and(|t| t.starts_with(**w)));
        let code_end = match none {
            Some(w) => code_start + w.len(),
            None => result_code_end(text, code_start),
        };
        let code = match none {
            Some(_) => String::new(),
            None => slice(text, code_start, code_end)
                .trim_end_matches(['.', '-', '_'])
                .to_owned(),
        };
        if !name.is_empty() || !code.is_empty() {
            out.push(ResultSpec {
                name,
                result_code: (!code.is_empty()).then_some(code),
            });
        }
        cursor = code_end;
    }
    let rest = squash(slice(text, cursor, text.len()));
    if !rest.is_empty() && !is_placeholder(&rest) {
        out.push(ResultSpec {
            name: rest,
            result_code: None,
        });
    }
    out
}

/// End of a result code such as "KQ.G12.001213", which the next result's name may follow
/// without a space ("KQ.G12.001213Giấy chứng nhận ...").
fn result_code_end(text: &str, start: usize) -> usize {
    let run = text.get(start..).map_or(0, |t| {
        t.bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
            .count()
    });
    let mut end = start + run;
    let code = slice(text, start, end);
    let next = char_at(text, end);
    // A capitalised word glued after the code: "…001213Giấy", "…001213Danh sách".
    let tail_lower = code
        .bytes()
        .rev()
        .take_while(u8::is_ascii_lowercase)
        .count();
    let cap = code.len() - tail_lower;
    let has_cap = cap > 0
        && code
            .as_bytes()
            .get(cap - 1)
            .is_some_and(u8::is_ascii_uppercase);
    let glued_word = has_cap && (tail_lower > 0 || next.is_some_and(|c| c.is_alphabetic()));
    if glued_word && cap > 1 {
        end = start + cap - 1;
    } else if has_cap && cap == 1 && next.is_some_and(char::is_alphabetic) {
        // The whole run is the start of a word ("Mã: Chưa có").
        end = start;
    } else if tail_lower > 0 && next.is_some_and(|c| c.is_alphabetic() && !c.is_ascii()) {
        // A lowercase word glued after the code: "…001213văn bản".
        end -= tail_lower;
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let (l, f) = parse_levels("Cấp bộ, Cấp tỉnh, Cấp xã, Cơ quan khác");
        assert_eq!(
            l,
            vec![
                Level::Ministry,
                Level::Province,
                Level::Commune,
                Level::OtherBody
            ]
        );
        assert!(f.is_empty());
        let (l, _) = parse_levels("Cấp huyện");
        assert_eq!(l, vec![Level::District]);
        let (l, f) = parse_levels("Cấp thôn");
        assert_eq!(l, vec![Level::Unknown("Cấp thôn".to_owned())]);
        assert_eq!(f[0].kind, IssueKind::UnknownLevel);
    }

    #[test]
    fn applicant_types() {
        assert_eq!(
            parse_applicant_types(
                "Tổ chức (không bao gồm doanh nghiệp, HTX), Công dân Việt Nam, Cán bộ, công chức, viên chức"
            ),
            vec![
                "Tổ chức (không bao gồm doanh nghiệp, HTX)".to_owned(),
                "Công dân Việt Nam".to_owned(),
                "Cán bộ, công chức, viên chức".to_owned()
            ]
        );
    }

    #[test]
    fn steps() {
        let s =
            parse_steps("Bước 1: Nộp hồ sơ\n\nchi tiết\nBước 2. Thẩm định\n+ Bước 3: Trả kết quả");
        assert_eq!(
            s,
            vec![
                "Bước 1: Nộp hồ sơ\n\nchi tiết",
                "Bước 2. Thẩm định",
                "+ Bước 3: Trả kết quả"
            ]
        );
        let s = parse_steps("a) Trình tự:\nBước 1: Nộp");
        assert_eq!(s.len(), 2);
        assert_eq!(
            parse_steps("Tổ chức gửi hồ sơ."),
            vec!["Tổ chức gửi hồ sơ."]
        );
    }

    #[test]
    fn related() {
        let r = parse_related(
            "#Tên thủ tục1Thẩm định nhiệm vụ quy hoạch#1Tên thủ tụcThẩm định nhiệm vụ quy hoạch",
        );
        assert_eq!(r, vec!["Thẩm định nhiệm vụ quy hoạch"]);
        assert!(parse_related("Không có thông tin").is_empty());
    }

    #[test]
    fn results() {
        // Record 1.005378, shortened.
        let r = parse_results(
            "Thông báo bằng văn bản nội dung cần sửa đổiMã: KQ.G12.001009Giấy chứng nhận đăng ký hoạt \
             động chi nhánhMã: KQ.G12.001306Từ khóaKhông có thông tinMô tảKhông có thông tinNộp hồ sơ",
        );
        assert_eq!(
            r,
            vec![
                ResultSpec {
                    name: "Thông báo bằng văn bản nội dung cần sửa đổi".to_owned(),
                    result_code: Some("KQ.G12.001009".to_owned())
                },
                ResultSpec {
                    name: "Giấy chứng nhận đăng ký hoạt động chi nhánh".to_owned(),
                    result_code: Some("KQ.G12.001306".to_owned())
                },
            ]
        );
        let r = parse_results("Quyết địnhMã: 000.00.00.G11-KQ1711Danh sách kèm theoMã: Chưa có");
        assert_eq!(r[0].result_code.as_deref(), Some("000.00.00.G11-KQ1711"));
        assert_eq!(r[1].name, "Danh sách kèm theo");
        assert_eq!((r[1].result_code.as_deref(), r.len()), (None, 2));
        let r = parse_results("Giấy phépMã: KQ.G12.001213văn bản trả lời");
        assert_eq!(r[0].result_code.as_deref(), Some("KQ.G12.001213"));
        assert_eq!(r[1].name, "văn bản trả lời");
        assert!(parse_results("").is_empty());
    }
}
