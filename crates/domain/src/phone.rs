//! Telephone numbers of people (a party member's 联系电话) are personal data:
//! shown masked, like ID numbers, to everyone but those who keep the person's
//! record (the service decides who that is).

/// The number with its middle hidden: a mobile number keeps its first 3 and
/// last 4 digits (`138****5678`), a shorter one at most 5 of its characters; one of 4
/// characters or fewer is hidden whole. Separators count as characters, so
/// the mask has the number's length. Empty stays empty.
pub fn mask(phone: &str) -> String {
    let chars: Vec<char> = phone.trim().chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        0..=4 => (0, 0),
        5..=7 => (0, 2),
        8..=10 => (2, 3),
        _ => (3, 4),
    };
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masks_mobile_and_landline_numbers() {
        assert_eq!(mask("13812345678"), "138****5678");
        assert_eq!(mask("0546-8888888"), "054*****8888");
        assert_eq!(mask("88886666"), "88***666");
        assert_eq!(mask("12345"), "***45");
        assert_eq!(mask("1234"), "****");
        assert_eq!(mask(""), "");
        assert_eq!(mask(" 13812345678 "), "138****5678");
    }

    proptest! {
        #[test]
        fn the_mask_keeps_the_length_shows_little_and_is_stable(s in "[0-9+ -]{0,32}") {
            let n = s.trim().chars().count();
            let m = mask(&s);
            let hidden = m.chars().filter(|c| *c == '*').count();
            prop_assert_eq!(m.chars().count(), n);
            prop_assert!(n - hidden <= 7);
            prop_assert!(hidden * 3 >= n);
            prop_assert_eq!(mask(&m), m.clone());
        }
    }
}
