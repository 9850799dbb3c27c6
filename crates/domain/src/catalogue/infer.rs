//! Procedure flags the crawl does not state, inferred from what it does state. Each rule is
//! deliberately simple and documented, so a reviewer can tell why a flag is set.

use super::model::{Channel, ChannelSpec, ComponentSpec, Fee, OnlineLevel};
use super::scan::lower;

/// Online level and whether the text stated it.
///
/// 1. The name says "toàn trình" → [`OnlineLevel::FullProcess`], stated.
/// 2. The name says "trực tuyến một phần" → [`OnlineLevel::Partial`], stated.
/// 3. A "Trực tuyến" channel → [`OnlineLevel::Partial`], inferred: the crawl cannot show online
///    payment and electronic or postal return, which "toàn trình" requires (Decree 42/2022).
/// 4. Otherwise [`OnlineLevel::None`], inferred.
pub fn online_level(name: &str, channels: &[ChannelSpec]) -> (OnlineLevel, bool) {
    let name = lower(name);
    if name.contains("toàn trình") {
        return (OnlineLevel::FullProcess, true);
    }
    if name.contains("trực tuyến một phần") {
        return (OnlineLevel::Partial, true);
    }
    if channels.iter().any(|c| c.channel == Channel::Online) {
        (OnlineLevel::Partial, false)
    } else {
        (OnlineLevel::None, false)
    }
}

/// Whether the procedure could be carried out fully online (the index's "đủ điều kiện toàn
/// trình"): it is stated as such, or
/// - it has an online channel (submission online),
/// - and a postal channel (the result can travel without a visit; "toàn trình" requires the
///   result online or by public postal service),
/// - and no component must be shown in person: no case heading lists documents to present
///   ("Giấy tờ phải xuất trình") and no component starts with "xuất trình". Prose such as
///   "không phải xuất trình" does not count.
pub fn eligible_full_online(
    level: OnlineLevel,
    channels: &[ChannelSpec],
    components: &[ComponentSpec],
) -> bool {
    if level == OnlineLevel::FullProcess {
        return true;
    }
    let has = |ch: Channel| channels.iter().any(|c| c.channel == ch);
    let in_person = components.iter().any(|c| {
        let name = lower(&c.name);
        let name = name.trim_start_matches(|ch: char| !ch.is_alphanumeric());
        name.starts_with("xuất trình")
            || c.case.as_deref().is_some_and(|h| {
                let h = lower(h);
                h.contains("xuất trình") && !h.contains("không")
            })
    });
    has(Channel::Online) && has(Channel::Postal) && !in_person
}

/// Whether some channel says something is to be paid: a positive amount in its fee cell or note
/// (an amount of doubtful scale counts), or a payment described in words without an amount
/// ("Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định"). A free cell with an exemption note
/// does not count.
pub fn has_financial_obligation(channels: &[ChannelSpec]) -> bool {
    channels
        .iter()
        .any(|c| c.fee.as_ref().is_some_and(Fee::states_payment))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(channel: Channel) -> ChannelSpec {
        ChannelSpec {
            channel,
            time: None,
            time_text: String::new(),
            fee: None,
            fee_text: String::new(),
            description: String::new(),
        }
    }

    fn component(name: &str, case: Option<&str>) -> ComponentSpec {
        ComponentSpec::sample(name, case)
    }

    #[test]
    fn online_level_rules() {
        let online = [channel(Channel::Counter), channel(Channel::Online)];
        assert_eq!(
            online_level(
                "Thu hồi chứng nhận đăng ký xe thực hiện bằng dịch vụ công toàn trình",
                &[]
            ),
            (OnlineLevel::FullProcess, true)
        );
        assert_eq!(
            online_level(
                "Đổi chứng nhận đăng ký xe bằng dịch vụ công trực tuyến một phần",
                &[]
            ),
            (OnlineLevel::Partial, true)
        );
        assert_eq!(
            online_level("Cấp giấy phép", &online),
            (OnlineLevel::Partial, false)
        );
        assert_eq!(
            online_level("Cấp giấy phép", &online[..1]),
            (OnlineLevel::None, false)
        );
    }

    #[test]
    fn full_online_eligibility() {
        let all = [
            channel(Channel::Counter),
            channel(Channel::Online),
            channel(Channel::Postal),
        ];
        let plain = [component("Tờ khai", None)];
        assert!(eligible_full_online(OnlineLevel::Partial, &all, &plain));
        assert!(!eligible_full_online(
            OnlineLevel::Partial,
            &all[..2],
            &plain
        ));
        let present = [component("Hộ chiếu", Some("* Giấy tờ phải xuất trình:"))];
        assert!(!eligible_full_online(OnlineLevel::Partial, &all, &present));
        let not_needed = [component(
            "Lưu ý: không phải xuất trình giấy tờ đã có trong CSDL",
            None,
        )];
        assert!(eligible_full_online(
            OnlineLevel::Partial,
            &all,
            &not_needed
        ));
        assert!(eligible_full_online(
            OnlineLevel::FullProcess,
            &[],
            &present
        ));
    }
}
