//! `--ip` as SQL: an address of a block anywhere in `sourceipaddress`'s comma-separated chain,
//! as ctl matches it (`Selection::matches` in the core): each element, trimmed of white space,
//! is read as Rust's `IpAddr` reads an address and tested against blocks of its own family.
//!
//! So an IPv4 block holds the addresses written in IPv4 (decimal octets without leading zeros),
//! and an IPv6 block those written in IPv6, in any spelling: `::` compression, leading zeros,
//! upper case hex, an embedded IPv4 tail. An IPv4-mapped address (`::ffff:192.0.2.1`,
//! `::ffff:c000:201`) is IPv6: it is in `::ffff:192.0.2.0/120` and in `::/0`, not in
//! `192.0.2.0/24`; `192.0.2.1` is in `192.0.2.0/24` only.
//!
//! Every engine gets the same text functions. An IPv4 block is a regular expression over the
//! chain. For an IPv6 block each element is checked against the grammar ctl reads
//! ([`v6_address`]) and rewritten to its 32 hex digits (the embedded IPv4 tail in hex, each
//! group padded to four digits, `::` filled with zeros), whose leading digits must be the
//! block's. Trino's `IPADDRESS` is not used: it makes an IPv4 address and its IPv4-mapped
//! spelling one value (its `contains` then finds no IPv4-mapped address in `::/0` and refuses
//! `::ffff:192.0.2.0/120`), where ctl keeps them apart.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::Dialect;

/// White space as Rust's `str::trim` removes it (Unicode `White_Space`), as a class.
const SPACE: &str =
    "[\\x09-\\x0D \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]";

/// A decimal octet as Rust reads one: 0 to 255, no leading zero.
const OCTET: &str = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

/// Whether an element of the chain in `column` is an address of `net`.
pub fn in_chain(dialect: Dialect, column: &str, net: &IpNet) -> String {
    match net {
        IpNet::V4(v4) => dialect.regex_matches(column, &v4_regex(v4)),
        IpNet::V6(v6) => v6_in_chain(dialect, column, v6),
    }
}

/// Whether an element of the chain in `column` is an IPv6 address of `net`: the chain's
/// elements through array transforms, each binding one value per element, down to their 32
/// hex digits.
fn v6_in_chain(dialect: Dialect, column: &str, net: &Ipv6Net) -> String {
    let lit = |text: &str| dialect.string(text);
    // The address in lower case, or no text (empty or null) when the element is not one.
    let element = format!("\\A{SPACE}*({}){SPACE}*\\z", v6_address());
    let address =
        dialect.transform(&dialect.split(column, ","), "x", &format!("lower(regexp_extract(x, {}, 1))", lit(&element)));
    // The embedded IPv4 tail as two groups of hex.
    let tail = "([0-9]+)\\.([0-9]+)\\.([0-9]+)\\.([0-9]+)\\z";
    let octet = |k: u8| dialect.decimal_to_hex2(&format!("regexp_extract(y, {}, {k})", lit(tail)));
    let hex_tail = dialect.transform(
        &address,
        "y",
        &format!(
            "CASE WHEN y LIKE '%.%' THEN {} || {} || {} || ':' || {} || {} ELSE y END",
            dialect.regex_replace("y", "[0-9.]+\\z", ""),
            octet(1),
            octet(2),
            octet(3),
            octet(4)
        ),
    );
    // Each group in four digits: three zeros before it, then its last four.
    let padded = dialect.transform(
        &hex_tail,
        "z",
        &dialect.regex_replace(
            &dialect.regex_replace("z", "([0-9a-f]+)", &format!("000{}", dialect.group(1))),
            "[0-9a-f]*([0-9a-f]{4})",
            &dialect.group(1),
        ),
    );
    // `::` as the zeros of the missing groups; the 32 digits.
    let digits = dialect.transform(
        &padded,
        "p",
        &format!(
            "replace(replace(p, '::', substr({}, 1, 32 - length(replace(p, ':', '')))), ':', '')",
            lit(&"0".repeat(32))
        ),
    );
    dialect.any(&digits, "h", &dialect.regex_matches("h", &v6_hex_regex(net)))
}

/// A regular expression matching an IPv4 address of `net` as a whole element of a
/// comma-separated chain (written as ctl reads addresses: decimal octets without leading zeros).
fn v4_regex(net: &Ipv4Net) -> String {
    let octets = net.network().octets();
    let prefix = u32::from(net.prefix_len());
    let parts: Vec<String> = (0..4u32)
        .map(|i| {
            let fixed = prefix.saturating_sub(8 * i).min(8);
            let first = u32::from(octets[i as usize]);
            match fixed {
                8 => first.to_string(),
                0 => OCTET.to_string(),
                bits => {
                    let span = 1u32 << (8 - bits);
                    let values: Vec<String> = (first..first + span).rev().map(|v| v.to_string()).collect();
                    format!("({})", values.join("|"))
                }
            }
        })
        .collect();
    format!("(\\A|,){SPACE}*{}{SPACE}*(,|\\z)", parts.join("\\."))
}

/// A regular expression matching the text of an IPv6 address exactly as Rust's `Ipv6Addr`
/// parser reads one: eight groups of one to four hex digits (either case), the last two of
/// which may be an IPv4 address; or `::` standing for at least one group of zeros, with up
/// to seven groups around it, an IPv4 address only at the end.
fn v6_address() -> String {
    const GROUP: &str = "[0-9A-Fa-f]{1,4}";
    let ipv4 = format!("{OCTET}(\\.{OCTET}){{3}}");
    // `n` groups, each followed by a colon.
    let groups = |min: usize, max: usize| match (min, max) {
        (_, 0) => String::new(),
        (1, 1) => format!("{GROUP}:"),
        (min, max) if min == max => format!("({GROUP}:){{{max}}}"),
        (min, max) => format!("({GROUP}:){{{min},{max}}}"),
    };
    // The texts of hex groups only, and those that an IPv4 address ends.
    let (mut hex, mut before_ipv4) = (vec![format!("{}{GROUP}", groups(7, 7))], vec![groups(6, 6)]);
    for head in 0..8 {
        // Up to 7 groups in all around `::`: a tail of `room` at most, of which an IPv4
        // address takes two.
        let room = 7 - head;
        let head = if head == 0 { String::new() } else { format!("{}{GROUP}", groups(head - 1, head - 1)) };
        match room {
            0 => hex.push(format!("{head}::")),
            _ => hex.push(format!("{head}::({}{GROUP})?", groups(0, room - 1))),
        }
        if room >= 2 {
            before_ipv4.push(format!("{head}::{}", groups(0, room - 2)));
        }
    }
    format!("{}|({}){ipv4}", hex.join("|"), before_ipv4.join("|"))
}

/// A regular expression matching the 32 hex digits (lower case) of the addresses of `net`.
fn v6_hex_regex(net: &Ipv6Net) -> String {
    let digits: String = net.network().octets().iter().map(|b| format!("{b:02x}")).collect();
    let prefix = usize::from(net.prefix_len());
    let (whole, bits) = (prefix / 4, prefix % 4);
    let mut re = format!("^{}", &digits[..whole]);
    let mut rest = 32 - whole;
    if bits > 0 {
        let first = u32::from_str_radix(&digits[whole..=whole], 16).unwrap_or(0);
        let span = 1u32 << (4 - bits);
        let class: String = (first..first + span).filter_map(|v| char::from_digit(v, 16)).collect();
        re.push_str(&format!("[{class}]"));
        rest -= 1;
    }
    re.push_str(&format!("[0-9a-f]{{{rest}}}$"));
    re
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_regexes_match_the_addresses_of_the_block() {
        let re = v4_regex(&"10.0.0.0/14".parse().unwrap());
        assert!(re.starts_with(&format!("(\\A|,){SPACE}*10\\.(3|2|1|0)\\.")), "{re}");
        assert_eq!(v6_hex_regex(&"2001:db8::/32".parse().unwrap()), "^20010db8[0-9a-f]{24}$");
        assert_eq!(v6_hex_regex(&"2001:db8::/30".parse().unwrap()), "^20010db[89ab][0-9a-f]{24}$");
        assert_eq!(v6_hex_regex(&"2001:db8::1/128".parse().unwrap()), "^20010db8000000000000000000000001[0-9a-f]{0}$");
    }

    /// The grammar's regular expression against Rust's parser, on texts built of groups of
    /// every kind (short, long, too long, IPv4, damaged IPv4) joined by `:` with `::` anywhere.
    #[test]
    fn the_address_grammar_is_rusts() {
        let re = regex::Regex::new(&format!("\\A({})\\z", v6_address())).unwrap();
        let pieces =
            ["0", "0000", "1", "a", "F", "0db8", "ABcd", "12345", "g", "192.0.2.1", "0.0.0.0", "01.2.3.4", "1.2.3"];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut valid, mut invalid) = (0, 0);
        for _ in 0..200_000 {
            let count = next(11);
            let mut text = String::new();
            let gaps = [next(count + 1), if next(8) == 0 { next(count + 1) } else { usize::MAX }];
            for i in 0..=count {
                if gaps.contains(&i) {
                    text.push_str("::");
                } else if i > 0 && i < count {
                    text.push(':');
                }
                if i < count {
                    text.push_str(pieces[next(pieces.len())]);
                }
            }
            let rust = text.parse::<std::net::Ipv6Addr>().is_ok();
            assert_eq!(re.is_match(&text), rust, "{text:?}");
            if rust {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
        assert!(valid > 10_000 && invalid > 10_000, "{valid} {invalid}");
    }
}
